#include "tests/node/community/history.hpp"

#include "base/base64url.hpp"
#include "crypto/hash.hpp"
#include "node/community/views.hpp"

namespace zwerm::node::community::test {

std::string test_member::text() const {
  return crypto::to_text(keys.pk);
}
std::string text(const record_id& id) {
  return crypto::to_text(id);
}
std::string text(const member_id& id) {
  return crypto::to_text(id);
}
std::string text(const community_id& id) {
  return crypto::to_text(id);
}
std::string text(const crypto::digest& hash) {
  return crypto::to_text(hash);
}

test_member history::make_member(std::uint64_t seed) const {
  crypto::seed s;
  for (int i = 0; i < 8; ++i) s.bytes[i] = static_cast<std::uint8_t>(seed >> (8 * i));
  s.bytes[31] = 0x5a;
  test_member m;
  m.keys = crypto::key_pair_from_seed(s);
  return m;
}

record history::write(test_member& m, std::string_view type, const nlohmann::json& body,
                      std::int64_t ts, std::optional<std::uint64_t> lamport) {
  record r;
  r.author = m.id();
  r.seq = m.seq + 1;
  r.prev = m.prev;
  r.lamport = lamport ? *lamport : std::max(m.lamport, max_lamport) + 1;
  r.ts = ts;
  r.type = std::string(type);
  r.body = body.dump();
  nlohmann::json payload = {{"v", 1},
                            {"author", m.text()},
                            {"seq", r.seq},
                            {"prev", r.prev ? nlohmann::json(text(*r.prev)) : nullptr},
                            {"lamport", r.lamport},
                            {"ts", r.ts},
                            {"type", r.type},
                            {"body", body}};
  bool genesis = type == "community.create";
  if (!genesis) payload["community"] = text(community);
  std::string p = payload.dump();
  r.id = crypto::record_id_of(p);
  r.bytes = p + std::string(64, '\0');
  r.community = genesis ? community_of_genesis(r.id) : community;
  if (genesis && community.is_zero()) community = r.community;
  m.seq = r.seq;
  m.prev = r.id;
  m.lamport = r.lamport;
  max_lamport = std::max(max_lamport, r.lamport);
  records.push_back(r);
  return r;
}

record history::genesis(test_member& m, const std::string& name, std::string invite_by,
                        int quorum_pct, std::int64_t ts) {
  return write(m, "community.create",
               {{"name", name},
                {"purpose", "learn together"},
                {"policy", {{"invite_by", invite_by}, {"quorum_pct", quorum_pct}}}},
               ts);
}

record_source memory_store::source() const {
  return [this](const std::optional<position>& after, const position_filter&,
                const record_visitor& visit) -> status {
    auto it = after ? records_.upper_bound(*after) : records_.begin();
    for (; it != records_.end(); ++it) {
      if (!visit(it->second)) break;
    }
    return {};
  };
}

std::optional<record> memory_store::lookup(const record_id& id) const {
  for (const auto& [p, r] : records_) {
    if (r.id == id) return r;
  }
  return std::nullopt;
}

std::string first_difference(const std::string& a, const std::string& b) {
  if (a == b) return "";
  std::size_t at = 0;
  while (at < a.size() && at < b.size() && a[at] == b[at]) ++at;
  auto window = [&](const std::string& s) {
    std::size_t from = at > 120 ? at - 120 : 0;
    return s.substr(from, 240);
  };
  return "differ at byte " + std::to_string(at) + ":\n  " + window(a) + "\n  " + window(b);
}

std::string all_views(const state& s, std::int64_t now_ts) {
  std::string out;
  out += community_view(s).dump() + "\n";
  out += members_view_text(s) + "\n";
  feed_query all;
  all.limit = 500;
  out += feed_view(s, all).dump() + "\n";
  out += requests_view(s, {request_filter::all, 500, std::nullopt}).dump() + "\n";
  out += balance_view_text(s) + "\n";
  for (const auto& t : s.topics) out += who_knows_view(s, t).dump() + "\n";
  out += ties_view(s).dump() + "\n";
  out += ties_graph_view(s).dump() + "\n";
  out += pulse_view(s, now_ts).dump() + "\n";
  out += proposals_view(s, now_ts, 500).dump() + "\n";
  out += circles_view(s).dump() + "\n";
  return out;
}

}  // namespace zwerm::node::community::test
