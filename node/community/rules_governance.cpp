// Governance rules: proposals, endorsements, quorum and adoption (PROTOCOL.md §3.5).
#include "node/community/rules.hpp"

namespace zwerm::node::community {

namespace {

// Adopts proposal p (its quorum was reached by the record in c) and carries out its action.
void adopt(state& s, const apply_context& c, index p, journal& jr) {
  proposal_info& prop = s.proposals[p];
  jr.assign(prop.status, proposal_status::adopted);
  jr.assign(prop.adopted_ts, c.r.ts);
  switch (prop.action) {
    case proposal_action::agreement:
      jr.insert(s.agreements, p);
      if (prop.supersedes) {
        auto it = s.proposal_index.find(*prop.supersedes);
        if (it != s.proposal_index.end() && jr.erase(s.agreements, it->second)) {
          jr.assign(s.proposals[it->second].superseded_by, p);
        }
      }
      break;
    case proposal_action::purpose:
      jr.assign(s.purpose, prop.text);
      break;
    case proposal_action::remove:
      if (s.is_active(prop.member, c.pos))
        rules::deactivate(s, prop.member, member_status::removed);
      break;
    case proposal_action::steward:
      if (s.is_active(prop.member, c.pos)) jr.assign(s.steward, prop.member);
      break;
    case proposal_action::dissolve:
      jr.assign(s.dissolved, true);
      jr.assign(s.dissolved_ts, c.r.ts);
      break;
  }
}

// Quorum: distinct endorsers active at c.pos, times 100, exceed quorum_pct times the active
// members at c.pos.
void evaluate(state& s, const apply_context& c, index p, journal& jr) {
  const proposal_info& prop = s.proposals[p];
  std::uint64_t endorsers = 0;
  for (index e : prop.endorsers) {
    if (s.is_active(e, c.pos)) ++endorsers;
  }
  if (endorsers * 100 > std::uint64_t{s.quorum_pct} * rules::active_at(s, c.pos)) {
    adopt(s, c, p, jr);
  }
}

}  // namespace

bool rules::proposal(state& s, apply_context& c, const proposal_body& b) {
  index target = no_index;
  if (b.action == proposal_action::remove || b.action == proposal_action::steward) {
    target = s.find_member(*b.member);
    if (!s.is_active(target, c.pos)) {
      return c.no(target == no_index ? "the member it names is not known here"
                                     : "the member it names is no longer in the community");
    }
  }
  if (b.action == proposal_action::agreement && b.supersedes) {
    auto it = s.proposal_index.find(*b.supersedes);
    if (it == s.proposal_index.end() || !s.agreements.count(it->second)) {
      return c.no("the agreement it supersedes is not in force");
    }
  }
  journal& jr = j(s);
  proposal_info info;
  info.id = c.r.id;
  info.author = c.author;
  info.ts = c.r.ts;
  info.action = b.action;
  info.text = b.text;
  info.supersedes = b.supersedes;
  info.member = target;
  info.reason = b.reason;
  info.endorsers.push_back(c.author);
  auto p = static_cast<index>(s.proposals.size());
  jr.push_back(s.proposals, std::move(info));
  jr.emplace(s.proposal_index, c.r.id, p);
  evaluate(s, c, p, jr);
  return true;
}

bool rules::endorse(state& s, apply_context& c, const endorse_body& b) {
  auto it = s.proposal_index.find(b.proposal);
  if (it == s.proposal_index.end()) return c.no("the proposal is not known here");
  index p = it->second;
  proposal_info& prop = s.proposals[p];
  if (prop.status != proposal_status::open) return c.no("the proposal was adopted already");
  if (c.r.ts > prop.ts + proposal_lifetime_ms) {
    return c.no("the proposal expired " + ago(c.r.ts - prop.ts - proposal_lifetime_ms));
  }
  for (index e : prop.endorsers) {
    if (e == c.author) return c.no("the author endorsed this proposal already");  // counts once
  }
  journal& jr = j(s);
  jr.push_back(prop.endorsers, c.author);
  evaluate(s, c, p, jr);
  return true;
}

}  // namespace zwerm::node::community
