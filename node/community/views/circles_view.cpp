#include "node/community/views.hpp"
#include "node/community/views/view_util.hpp"

namespace zwerm::node::community {

namespace {

nlohmann::json circle_json(const state& s, const circle_info& c) {
  nlohmann::json members = nlohmann::json::array();
  for (index m : c.members) {  // std::set: order of joining the community
    if (counts_as_active(s, m)) members.push_back(member_ref(s, m));
  }
  return {{"id", text(c.id)},
          {"name", c.name},
          {"purpose", c.purpose},
          {"opened_by", member_ref(s, c.opener)},
          {"ts", c.ts},
          {"open", c.open},
          {"members", std::move(members)},
          {"records", c.feed.size()}};
}

}  // namespace

nlohmann::json circles_view(const state& s) {
  nlohmann::json list = nlohmann::json::array();
  for (const circle_info& c : s.circles) list.push_back(circle_json(s, c));
  return {{"circles", std::move(list)}};
}

nlohmann::json circles_page(const state& s, bool include_closed, std::size_t limit,
                            std::optional<index> after) {
  limit = clamp_limit(limit);
  nlohmann::json list = nlohmann::json::array();
  nlohmann::json next = nullptr;
  index last = no_index;
  for (index i = after ? *after + 1 : 0; i < s.circles.size(); ++i) {
    if (!include_closed && !s.circles[i].open) continue;
    if (list.size() == limit) {
      next = text(s.circles[last].id);
      break;
    }
    list.push_back(circle_json(s, s.circles[i]));
    last = i;
  }
  return {{"circles", std::move(list)}, {"next_cursor", std::move(next)}};
}

}  // namespace zwerm::node::community
