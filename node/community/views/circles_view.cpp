#include "node/community/views.hpp"
#include "node/community/views/view_util.hpp"

namespace zwerm::node::community {

nlohmann::json circles_view(const state& s) {
  nlohmann::json list = nlohmann::json::array();
  for (const circle_info& c : s.circles) {
    nlohmann::json members = nlohmann::json::array();
    for (index m : c.members) {  // std::set: order of joining the community
      if (counts_as_active(s, m)) members.push_back(member_ref(s, m));
    }
    list.push_back({{"id", text(c.id)},
                    {"name", c.name},
                    {"purpose", c.purpose},
                    {"opened_by", member_ref(s, c.opener)},
                    {"ts", c.ts},
                    {"open", c.open},
                    {"members", std::move(members)},
                    {"records", c.feed.size()}});
  }
  return {{"circles", std::move(list)}};
}

}  // namespace zwerm::node::community
