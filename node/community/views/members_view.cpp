#include "node/community/views.hpp"
#include "node/community/views/json_writer.hpp"
#include "node/community/views/view_util.hpp"

namespace zwerm::node::community {

namespace {

std::uint64_t active_count(const state& s) {
  std::uint64_t active = 0;
  for (index m = 0; m < s.members.size(); ++m) active += counts_as_active(s, m) ? 1 : 0;
  return active;
}

// One row, keys in sorted order, as nlohmann's object writes them.
void write_member(json_writer& w, const state& s, index m) {
  const member_info& info = s.members[m];
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

}  // namespace

std::string members_view_text(const state& s, bool active_only) {
  json_writer w(s.members.size() * 256);
  w.begin_object().key("active").number(active_count(s)).key("members").begin_array();
  for (index m = 0; m < s.members.size(); ++m) {
    if (active_only && !counts_as_active(s, m)) continue;
    write_member(w, s, m);
  }
  w.end_array().key("total").number(std::uint64_t{s.members.size()}).end_object();
  return w.take();
}

std::string members_page_text(const state& s, bool active_only, std::size_t limit,
                              std::optional<index> after) {
  limit = clamp_limit(limit);
  json_writer w(std::min<std::size_t>(s.members.size(), limit) * 256);
  w.begin_object().key("active").number(active_count(s)).key("members").begin_array();
  std::size_t rows = 0;
  index last = no_index;
  bool more = false;
  for (index m = after ? *after + 1 : 0; m < s.members.size(); ++m) {
    if (active_only && !counts_as_active(s, m)) continue;
    if (rows == limit) {
      more = true;
      break;
    }
    write_member(w, s, m);
    last = m;
    ++rows;
  }
  w.end_array().key("next_cursor");
  if (more)
    w.string(text(s.members[last].id));
  else
    w.null();
  w.key("total").number(std::uint64_t{s.members.size()}).end_object();
  return w.take();
}

nlohmann::json members_view(const state& s) {
  return nlohmann::json::parse(members_view_text(s));
}

}  // namespace zwerm::node::community
