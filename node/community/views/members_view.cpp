#include "node/community/views.hpp"
#include "node/community/views/json_writer.hpp"
#include "node/community/views/view_util.hpp"

namespace zwerm::node::community {

std::string members_view_text(const state& s, bool active_only) {
  json_writer w(s.members.size() * 256);
  std::uint64_t active = 0;
  // Keys in sorted order, as nlohmann's object writes them.
  w.begin_object().key("active");
  for (index m = 0; m < s.members.size(); ++m) active += counts_as_active(s, m) ? 1 : 0;
  w.number(active).key("members").begin_array();
  for (index m = 0; m < s.members.size(); ++m) {
    const member_info& info = s.members[m];
    if (active_only && !counts_as_active(s, m)) continue;
    w.begin_object().key("address");
    if (info.address)
      w.string(*info.address);
    else
      w.null();
    w.key("given").number(info.given);
    w.key("id").string(text(info.id));
    w.key("joined_ts").number(info.joined_ts);
    w.key("last_active_ts").number(info.last_active_ts);
    w.key("name").string(info.name);
    w.key("records").number(info.records);
    w.key("skills").begin_array();
    for (const auto& k : info.skills) w.string(k);
    w.end_array();
    w.key("status").string(status_word(s, m));
    w.key("taken").number(info.taken);
    w.end_object();
  }
  w.end_array().key("total").number(std::uint64_t{s.members.size()}).end_object();
  return w.take();
}

nlohmann::json members_view(const state& s) {
  return nlohmann::json::parse(members_view_text(s));
}

}  // namespace zwerm::node::community
