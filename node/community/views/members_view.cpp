#include "node/community/views.hpp"
#include "node/community/views/view_util.hpp"

namespace zwerm::node::community {

nlohmann::json members_view(const state& s) {
  nlohmann::json list = nlohmann::json::array();
  std::uint64_t active = 0;
  for (index m = 0; m < s.members.size(); ++m) {
    const member_info& info = s.members[m];
    if (counts_as_active(s, m)) ++active;
    list.push_back({{"id", text(info.id)},
                    {"name", info.name},
                    {"status", status_word(s, m)},
                    {"skills", info.skills},
                    {"address", info.address ? nlohmann::json(*info.address) : nullptr},
                    {"joined_ts", info.joined_ts},
                    {"last_active_ts", info.last_active_ts},
                    {"records", info.records},
                    {"given", info.given},
                    {"taken", info.taken}});
  }
  return {{"members", std::move(list)}, {"active", active}, {"total", s.members.size()}};
}

}  // namespace zwerm::node::community
