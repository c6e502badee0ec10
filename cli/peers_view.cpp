#include "cli/peers_view.hpp"

#include <cstdio>
#include <string_view>

#include "cli/format.hpp"

namespace zwerm::cli {
namespace {

using json = nlohmann::json;

std::string text_of(const json& row, const char* key) {
  auto it = row.find(key);
  return it != row.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string utc_clock_time(std::int64_t ts_ms, std::int64_t now_ms) {
  const std::int64_t minute_of_day = ((ts_ms / 60000) % 1440 + 1440) % 1440;
  char hhmm[8];
  std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", static_cast<int>(minute_of_day / 60),
                static_cast<int>(minute_of_day % 60));
  if (ts_ms - now_ms < 86'400'000) return std::string(hhmm) + " UTC";
  return utc_date(ts_ms) + " " + hhmm + " UTC";
}

namespace {

// "in 40 s", "in 2 min", "in 3 h": how long until `ts_ms`.
std::string wait_text(std::int64_t ts_ms, std::int64_t now_ms) {
  const std::int64_t s = (ts_ms - now_ms + 999) / 1000;
  if (s <= 0) return "now";
  if (s < 60) return "in " + std::to_string(s) + " s";
  return relative_time(ts_ms, now_ms);
}

}  // namespace

std::string peer_why(const json& row, std::int64_t now_ms) {
  const std::string state = text_of(row, "state");
  const std::string reason = text_of(row, "reason");
  const auto until = row.find("until_ts");
  const bool has_until = until != row.end() && until->is_number_integer();
  const std::string because = reason.empty() ? std::string() : " (" + reason + ")";
  if (state == "connected") return "";
  if (state == "banned") {
    const std::string when =
        has_until ? " until " + utc_clock_time(until->get<std::int64_t>(), now_ms) : std::string();
    // The operator's ban says so itself; an automatic one names what earned it.
    if (text_of(row, "banned_by") == "operator") return "banned by the operator" + when;
    return "banned" + when + because;
  }
  if (state == "backoff") {
    const std::string when =
        has_until ? ", next try " + wait_text(until->get<std::int64_t>(), now_ms) : std::string();
    return "backing off" + when + because;
  }
  if (state == "dialing") return "dialing";
  if (state == "not_member") return "not a member";
  if (state == "no_key") return "no member key known for it yet";
  if (state == "self") return "this node itself";
  if (state == "ready") {
    if (row.value("never_tried", false)) return "never tried";
    return "waiting for a free connection slot" + because;
  }
  return state + because;
}

json peers_for_people(json result, std::int64_t now_ms) {
  // The generic renderer leaves out "address" columns (records carry one people do not read);
  // here it is what the row is about.
  if (auto bans = result.find("bans"); bans != result.end() && bans->is_array()) {
    for (auto& row : *bans) {
      if (!row.is_object() || !row.contains("address")) continue;
      row["ip"] = row["address"];
      row.erase("address");
    }
  }
  auto known = result.find("known");
  if (known == result.end() || !known->is_array()) return result;
  for (auto& row : *known) {
    if (!row.is_object()) continue;
    const std::string why = peer_why(row, now_ms);
    for (const char* key : {"until_ts", "reason", "banned_by", "never_tried"}) row.erase(key);
    row["why"] = why.empty() ? "-" : why;
  }
  return result;
}

}  // namespace zwerm::cli
