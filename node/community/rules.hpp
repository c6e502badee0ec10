// Internal: the rules of each record type, applied by state::apply (PROTOCOL.md §3.3-§3.5).
// Each rule returns true when the record took effect; it mutates the state only through the
// state's journal. Not part of the public interface.
#pragma once

#include <span>
#include <string>

#include "node/community/body_schema.hpp"
#include "node/community/state.hpp"

namespace zwerm::node::community {

struct apply_context {
  const record& r;
  position pos;
  index author = no_index;  // the author's member index when active, else no_index
  std::string why;          // why the record had no effect, for people (state::dry_run)

  // A rule's "no effect", with the reason.
  bool no(std::string reason) {
    why = std::move(reason);
    return false;
  }
};

class rules {
 public:
  // Membership (rules_membership.cpp).
  static bool create(state& s, apply_context& c, const create_body& b);
  static bool invite(state& s, apply_context& c, const invite_body& b);
  static bool join(state& s, apply_context& c, const join_body& b);
  static bool leave(state& s, apply_context& c, const leave_body& b);
  static bool profile(state& s, apply_context& c, const profile_body& b);
  static bool handover(state& s, apply_context& c, const handover_body& b);
  // Content (rules_content.cpp).
  static bool request(state& s, apply_context& c, const request_body& b,
                      std::vector<std::uint32_t>* topics);
  static bool contribution(state& s, apply_context& c, const contribution_body& b,
                           std::vector<std::uint32_t>* topics, index* circle);
  static bool thanks(state& s, apply_context& c, const thanks_body& b);
  static bool circle_open(state& s, apply_context& c, const circle_open_body& b, index* circle);
  static bool circle_change(state& s, apply_context& c, record_kind kind, const circle_ref_body& b,
                            index* circle);
  // Governance (rules_governance.cpp).
  static bool proposal(state& s, apply_context& c, const proposal_body& b);
  static bool endorse(state& s, apply_context& c, const endorse_body& b);

  // Shared helpers (state.cpp).
  static journal& j(state& s) { return s.journal_; }
  static index activate(state& s, const member_id& m, std::int64_t ts);
  static void deactivate(state& s, index m, member_status to);
  static std::uint32_t intern_topic(state& s, std::string_view text);
  static topic_evidence& evidence(state& s, std::uint32_t topic, index member);
  static void note_effect(state& s, const apply_context& c, record_kind kind, index circle,
                          std::span<const std::uint32_t> topics);
  static std::uint64_t active_at(const state& s, const position& p);
  // "3 days ago", "2 months ago": how long ago, for a reason.
  static std::string ago(std::int64_t ms);
};

}  // namespace zwerm::node::community
