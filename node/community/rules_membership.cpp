// Membership rules: genesis, invites, joins, leaving, profiles, steward handover
// (PROTOCOL.md §3.3).
#include "crypto/hash.hpp"
#include "crypto/sign.hpp"
#include "node/community/rules.hpp"

namespace zwerm::node::community {

bool rules::create(state& s, apply_context& c, const create_body& b) {
  // Only the genesis named by the community id counts, and only once.
  if (s.created) return c.no("the community exists already");
  if (community_of_genesis(c.r.id) != s.community())
    return c.no("it is not the genesis the community id names");
  if (!crypto::can_handshake(c.r.author)) return c.no("the author's key cannot hold sessions");
  journal& jr = j(s);
  jr.assign(s.created, true);
  jr.assign(s.created_ts, c.r.ts);
  jr.assign(s.name, b.name);
  jr.assign(s.purpose, b.purpose);
  jr.assign(s.invite_by, b.invite_by);
  jr.assign(s.quorum_pct, b.quorum_pct);
  c.author = activate(s, c.r.author, c.r.ts);
  jr.assign(s.steward, c.author);
  return true;
}

bool rules::invite(state& s, apply_context& c, const invite_body& b) {
  if (s.invite_by == invite_policy::steward && s.steward != c.author) {
    return c.no("in this community only the steward invites");
  }
  if (b.invitee && s.is_active(s.find_member(*b.invitee), c.pos)) {
    return c.no("the invitee is a member already");
  }
  invite_info info;
  info.inviter = c.author;
  info.invitee = b.invitee;
  info.token_hash = b.token_hash;
  info.expires_ts = b.expires_ts;
  info.ts = c.r.ts;
  info.made_at = s.feed.size();
  j(s).emplace(s.invites, c.r.id, std::move(info));
  return true;
}

bool rules::join(state& s, apply_context& c, const join_body& b) {
  auto it = s.invites.find(b.invite);
  if (it == s.invites.end()) return c.no("the invite is not known here");
  invite_info& inv = it->second;
  if (inv.used) return c.no("the invite was used already");
  if (c.r.ts > inv.expires_ts) return c.no("the invite expired " + ago(c.r.ts - inv.expires_ts));
  if (inv.invitee) {
    if (b.token || *inv.invitee != c.r.author) return c.no("the invite is made out to another key");
  } else {
    if (!b.token || crypto::blake2b256(b.token->view()) != *inv.token_hash) {
      return c.no("the invite's token does not match");
    }
  }
  // An invite dies with its inviter's membership (left, removed or forked since), also when
  // the inviter has become a member again since: that is a new membership.
  if (!s.is_active(inv.inviter, c.pos) || s.members[inv.inviter].active_since > inv.made_at) {
    return c.no("the member who made the invite is no longer in the community");
  }
  const index existing = s.find_member(c.r.author);
  if (s.is_active(existing, c.pos)) return c.no("the author is a member already");
  // Removal is final: a removed member comes back only through an invite made after it.
  if (existing != no_index && s.members[existing].status == member_status::removed &&
      inv.made_at < s.members[existing].removed_at) {
    return c.no("the author was removed after the invite was made: removal is final");
  }
  if (!crypto::can_handshake(c.r.author)) return c.no("the author's key cannot hold sessions");
  j(s).assign(inv.used, true);
  c.author = activate(s, c.r.author, c.r.ts);
  return true;
}

bool rules::leave(state& s, apply_context& c, const leave_body&) {
  deactivate(s, c.author, member_status::left);
  return true;
}

bool rules::profile(state& s, apply_context& c, const profile_body& b) {
  journal& jr = j(s);
  member_info& m = s.members[c.author];
  for (const auto& skill : m.skills) {
    jr.assign(evidence(s, intern_topic(s, skill), c.author).skill, 0u);
  }
  for (const auto& skill : b.skills) {
    jr.assign(evidence(s, intern_topic(s, skill), c.author).skill, 1u);
  }
  jr.assign(m.has_profile, true);
  jr.assign(m.name, b.name);
  jr.assign(m.about, b.about);
  jr.assign(m.skills, b.skills);
  jr.assign(m.address, b.address);
  return true;
}

bool rules::handover(state& s, apply_context& c, const handover_body& b) {
  if (s.steward != c.author) return c.no("only the steward hands over stewardship");
  index to = s.find_member(b.to);
  if (to == c.author) return c.no("the author is the steward already");
  if (!s.is_active(to, c.pos)) return c.no("the new steward is not an active member");
  j(s).assign(s.steward, to);
  return true;
}

}  // namespace zwerm::node::community
