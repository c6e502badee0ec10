#include <vector>

#include "node/community/views.hpp"
#include "node/community/views/json_writer.hpp"
#include "node/community/views/view_util.hpp"

namespace zwerm::node::community {

namespace {
bool only_takes(const member_info& m) {
  return m.taken >= only_takes_min_taken && m.given == 0;
}
bool carries(const member_info& m) {
  return m.given >= carries_min_given && m.given >= 2 * m.taken;
}
}  // namespace

std::string balance_view_text(const state& s) {
  std::vector<index> active;
  std::uint64_t total = 0;
  for (index m = 0; m < s.members.size(); ++m) {
    if (!counts_as_active(s, m)) continue;
    active.push_back(m);
    total += s.members[m].given;
  }
  json_writer w(active.size() * 128);
  // Keys in sorted order: carries, members, only_takes, thanks_between_active.
  w.begin_object().key("carries").begin_array();
  for (index m : active) {
    if (carries(s.members[m])) w.string(text(s.members[m].id));
  }
  w.end_array().key("members").begin_array();
  for (index m : active) {
    const member_info& info = s.members[m];
    w.begin_object().key("flags").begin_array();
    if (only_takes(info)) w.string("only_takes");
    if (carries(info)) w.string("carries");
    w.end_array();
    w.key("given").number(info.given);
    w.key("id").string(text(info.id));
    w.key("name").string(info.name);
    w.key("taken").number(info.taken);
    w.end_object();
  }
  w.end_array().key("only_takes").begin_array();
  for (index m : active) {
    if (only_takes(s.members[m])) w.string(text(s.members[m].id));
  }
  w.end_array().key("thanks_between_active").number(total).end_object();
  return w.take();
}

nlohmann::json balance_view(const state& s) {
  return nlohmann::json::parse(balance_view_text(s));
}

}  // namespace zwerm::node::community
