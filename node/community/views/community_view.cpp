#include "node/community/views.hpp"
#include "node/community/views/view_util.hpp"

namespace zwerm::node::community {

nlohmann::json community_view(const state& s) {
  nlohmann::json agreements = nlohmann::json::array();
  for (index p : s.agreements) {  // std::set: order of adoption's proposal rank
    const proposal_info& a = s.proposals[p];
    agreements.push_back({{"id", text(a.id)},
                          {"text", a.text},
                          {"proposed_by", member_ref(s, a.author)},
                          {"adopted_ts", a.adopted_ts}});
  }
  std::uint64_t active = 0;
  for (index m = 0; m < s.members.size(); ++m) active += counts_as_active(s, m) ? 1 : 0;
  return {{"id", text(s.community())},
          {"created", s.created},
          {"created_ts", s.created_ts},
          {"name", s.name},
          {"purpose", s.purpose},
          {"steward", s.steward == no_index ? nlohmann::json(nullptr) : member_ref(s, s.steward)},
          {"policy",
           {{"invite_by", s.invite_by == invite_policy::steward ? "steward" : "member"},
            {"quorum_pct", s.quorum_pct}}},
          {"agreements", std::move(agreements)},
          {"active_members", active},
          {"dissolved", s.dissolved},
          {"dissolved_ts", s.dissolved ? nlohmann::json(s.dissolved_ts) : nlohmann::json(nullptr)}};
}

}  // namespace zwerm::node::community
