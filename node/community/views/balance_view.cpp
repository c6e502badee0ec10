#include <algorithm>
#include <optional>
#include <vector>

#include "node/community/views.hpp"
#include "node/community/views/json_writer.hpp"
#include "node/community/views/view_util.hpp"

namespace zwerm::node::community {

namespace {
// Thanked others at least 3 times and brought no contribution that took effect (so no thanks
// received either). Someone who contributed and was not thanked yet is not flagged: the
// flag says who takes without bringing, not who was not thanked. Only the few members past the
// threshold of thanks given are looked into, and only until their first contribution.
bool takes_without_contributing(const state& s, const member_info& m) {
  if (m.taken < takes_without_contributing_min_taken || m.given != 0) return false;
  for (std::uint32_t o : m.feed) {
    if (s.feed[o].kind == record_kind::contribution) return false;
  }
  return true;
}
bool carries(const member_info& m) {
  return m.given >= carries_min_given && m.given >= 2 * m.taken;
}
}  // namespace

std::string balance_view_text(const state& s, std::optional<std::size_t> top) {
  std::vector<index> active;
  std::uint64_t total = 0;
  for (index m = 0; m < s.members.size(); ++m) {
    if (!counts_as_active(s, m)) continue;
    active.push_back(m);
    total += s.members[m].given;
  }
  if (top) {
    auto busier = [&](index a, index b) {
      const std::uint64_t x = s.members[a].given + s.members[a].taken;
      const std::uint64_t y = s.members[b].given + s.members[b].taken;
      return x != y ? x > y : a < b;
    };
    const std::size_t keep = std::min(*top, active.size());
    std::partial_sort(active.begin(), active.begin() + static_cast<std::ptrdiff_t>(keep),
                      active.end(), busier);
    active.resize(keep);
  }
  json_writer w(active.size() * 128);
  std::vector<char> takes(s.members.size(), 0);
  for (index m : active) takes[m] = takes_without_contributing(s, s.members[m]) ? 1 : 0;
  // Keys in sorted order: carries, members, takes_without_contributing, thanks_between_active.
  w.begin_object().key("carries").begin_array();
  for (index m : active) {
    if (carries(s.members[m])) w.string(text(s.members[m].id));
  }
  w.end_array().key("members").begin_array();
  for (index m : active) {
    const member_info& info = s.members[m];
    w.begin_object().key("flags").begin_array();
    if (takes[m]) w.string("takes_without_contributing");
    if (carries(info)) w.string("carries");
    w.end_array();
    w.key("given").number(info.given);
    w.key("id").string(text(info.id));
    w.key("name").string(info.name);
    w.key("taken").number(info.taken);
    w.end_object();
  }
  w.end_array().key("takes_without_contributing").begin_array();
  for (index m : active) {
    if (takes[m]) w.string(text(s.members[m].id));
  }
  w.end_array().key("thanks_between_active").number(total).end_object();
  return w.take();
}

nlohmann::json balance_view(const state& s) {
  return nlohmann::json::parse(balance_view_text(s));
}

}  // namespace zwerm::node::community
