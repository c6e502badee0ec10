#include "node/daemon/operator_peers.hpp"

#include <nlohmann/json.hpp>

#include "base/base64url.hpp"
#include "base/durable_file.hpp"
#include "node/daemon/home_json.hpp"
#include "node/peers/address.hpp"

namespace zwerm::node {

result<operator_peers> load_operator_peers(const std::filesystem::path& file) {
  auto read = read_home_json(file);
  if (!read) return read.error();
  if (!*read) return operator_peers{};
  const nlohmann::json& doc = **read;
  auto bad = [&](const std::string& why) { return damaged_home_file(file, why); };
  operator_peers out;
  if (auto added = doc.find("added"); added != doc.end()) {
    if (!added->is_object()) return bad("\"added\" is not an object");
    for (const auto& [community_text, list] : added->items()) {
      community_id c;
      if (!crypto::from_text(community_text, &c) || !list.is_array()) {
        return bad("the added peers of '" + community_text + "' are malformed");
      }
      for (const auto& entry : list) {
        auto hint = entry.is_string() ? peers::parse_hint(entry.get<std::string>())
                                      : result<peers::address_hint>(
                                            status{status_code::invalid_argument, "not a string"});
        if (!hint) return bad("an added peer is malformed: " + hint.error().message());
        out.added[c].push_back(entry.get<std::string>());
      }
    }
  }
  if (auto bans = doc.find("bans"); bans != doc.end()) {
    if (!bans->is_object()) return bad("\"bans\" is not an object");
    for (const auto& [ip, ban] : bans->items()) {
      auto key = peers::parse_ban_address(ip);
      if (!key || *key != ip) return bad("the ban of '" + ip + "' does not name an IP address");
      if (!ban.is_object() || !ban.contains("since_ms") || !ban.contains("until_ms") ||
          !ban["since_ms"].is_number_integer() || !ban["until_ms"].is_number_integer()) {
        return bad("the ban of '" + ip + "' is malformed");
      }
      out.bans[ip] = {ban["since_ms"].get<std::int64_t>(), ban["until_ms"].get<std::int64_t>()};
    }
  }
  return out;
}

status save_operator_peers(const std::filesystem::path& file, const operator_peers& peers) {
  nlohmann::json added = nlohmann::json::object();
  for (const auto& [c, list] : peers.added) {
    if (!list.empty()) added[crypto::to_text(c)] = list;
  }
  nlohmann::json bans = nlohmann::json::object();
  for (const auto& [ip, ban] : peers.bans) {
    bans[ip] = {{"since_ms", ban.since_ms}, {"until_ms", ban.until_ms}};
  }
  const nlohmann::json doc{{"added", std::move(added)}, {"bans", std::move(bans)}};
  return replace_file(file, doc.dump(2) + "\n", "the operator's peers");
}

}  // namespace zwerm::node
