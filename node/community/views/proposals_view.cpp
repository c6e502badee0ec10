#include "node/community/views.hpp"
#include "node/community/views/view_util.hpp"

namespace zwerm::node::community {

nlohmann::json proposals_view(const state& s, std::int64_t now_ts, std::size_t limit,
                              std::optional<record_id> before, proposal_filter filter) {
  std::uint64_t active = 0;
  for (index m = 0; m < s.members.size(); ++m) active += counts_as_active(s, m) ? 1 : 0;
  const std::uint64_t needed = std::uint64_t{s.quorum_pct} * active / 100 + 1;
  nlohmann::json out = {{"proposals", nlohmann::json::array()},
                        {"next_cursor", nullptr},
                        {"quorum_pct", s.quorum_pct},
                        {"endorsers_needed_now", needed}};
  index end = static_cast<index>(s.proposals.size());
  if (before) {
    auto it = s.proposal_index.find(*before);
    if (it == s.proposal_index.end()) return out;
    end = it->second;
  }
  auto& list = out["proposals"];
  const std::size_t max = clamp_limit(limit);
  for (index i = end; i > 0; --i) {
    const proposal_info& p = s.proposals[i - 1];
    proposal_filter status_filter = proposal_filter::adopted;
    std::string_view status = "adopted";
    if (p.status == proposal_status::open) {
      const bool expired = now_ts > p.ts + proposal_lifetime_ms;
      status = expired ? "expired" : "open";
      status_filter = expired ? proposal_filter::expired : proposal_filter::open;
    }
    if (filter != proposal_filter::all && filter != status_filter) continue;
    if (list.size() == max) {
      out["next_cursor"] = list.back()["id"];  // a further match exists
      break;
    }
    nlohmann::json endorsers = nlohmann::json::array();
    std::uint64_t active_endorsers = 0;
    for (index e : p.endorsers) {
      endorsers.push_back(text(s.members[e].id));
      active_endorsers += counts_as_active(s, e) ? 1 : 0;
    }
    nlohmann::json j = {
        {"id", text(p.id)},
        {"author", member_ref(s, p.author)},
        {"action", to_string(p.action)},
        {"reason", p.reason},
        {"ts", p.ts},
        {"expires_ts", p.ts + proposal_lifetime_ms},
        {"status", status},
        {"endorsers", std::move(endorsers)},
        {"active_endorsers", active_endorsers},
        {"adopted_ts", p.status == proposal_status::adopted ? nlohmann::json(p.adopted_ts)
                                                            : nlohmann::json(nullptr)}};
    if (p.action == proposal_action::agreement || p.action == proposal_action::purpose) {
      j["text"] = p.text;
    }
    if (p.action == proposal_action::agreement) {
      j["supersedes"] = p.supersedes ? nlohmann::json(text(*p.supersedes)) : nullptr;
      j["superseded_by"] = p.superseded_by == no_index
                               ? nlohmann::json(nullptr)
                               : nlohmann::json(text(s.proposals[p.superseded_by].id));
      j["in_force"] = s.agreements.count(i - 1) > 0;
    }
    if (p.action == proposal_action::remove || p.action == proposal_action::steward) {
      j["member"] = member_ref(s, p.member);
    }
    list.push_back(std::move(j));
  }
  return out;
}

}  // namespace zwerm::node::community
