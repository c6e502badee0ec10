// The community state machine (PROTOCOL.md §3.3-§3.5).
//
// A `state` absorbs one community's records strictly in increasing total order (apply) and
// keeps, incrementally, everything the views need: members, invites, requests, contributions,
// thanks, proposals, agreements, circles, the feed index and the aggregates behind balance,
// who-knows, ties and pulse. It is pure and deterministic: the same records applied in the
// same order give the same state on every node; the replayer (replayer.hpp) makes the result
// independent of arrival order. A record that breaks a rule simply has no effect.
//
// Every mutation is journaled (journal.hpp) so that `rewind_to` can undo the newest records.
// Entities are numbered in the order they took effect (index = total-order rank), which the
// views use as a stable, node-independent order. Not thread-safe: one owner (the replayer).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crypto/keyed_hash.hpp"
#include "node/community/body_schema.hpp"
#include "node/community/journal.hpp"
#include "node/community/position.hpp"
#include "node/records/record.hpp"

namespace zwerm::node::community {

using index = std::uint32_t;
inline constexpr index no_index = 0xffffffffu;
inline constexpr std::int64_t day_ms = 86'400'000;
inline constexpr std::int64_t week_ms = 7 * day_ms;
// A proposal can gather endorsements for 30 days after its own ts (PROTOCOL.md §3.5).
inline constexpr std::int64_t proposal_lifetime_ms = 30 * day_ms;

enum class member_status : std::uint8_t { active, left, removed };

struct member_info {
  member_id id;
  member_status status = member_status::active;
  std::int64_t joined_ts = 0;       // ts of the join (or genesis) that made them active last
  std::int64_t last_active_ts = 0;  // largest ts of their records that took effect
  std::uint64_t records = 0;        // records of theirs that took effect
  std::uint64_t given = 0;          // thanks received on their contributions
  std::uint64_t taken = 0;          // thanks they gave
  bool has_profile = false;
  std::string name;
  std::string about;
  std::vector<std::string> skills;
  std::optional<std::string> address;
  std::vector<index> partners;      // distinct members tied by thanks either way
  std::vector<std::uint32_t> feed;  // feed ordinals of their records
  // The size of the community feed when they were last removed (0: never removed): an invite
  // made before that cannot bring them back.
  std::uint64_t removed_at = 0;
  // The size of the community feed when they last became active (genesis or join): an invite
  // of theirs made before that was made in an earlier membership, and died with it.
  std::uint64_t active_since = 0;
};

struct invite_info {
  index inviter = no_index;
  std::optional<member_id> invitee;
  std::optional<crypto::digest> token_hash;
  std::int64_t expires_ts = 0;
  std::int64_t ts = 0;
  bool used = false;
  std::uint64_t made_at = 0;  // the size of the community feed when the invite took effect
};

struct request_info {
  record_id id;
  index author = no_index;
  std::int64_t ts = 0;
  std::string title;
  std::vector<std::uint32_t> tags;  // topic ids
  std::vector<index> answers;       // contributions answering it, in total order
};

struct contribution_info {
  record_id id;
  index author = no_index;
  std::int64_t ts = 0;
  contribution_kind kind = contribution_kind::other;
  std::vector<std::uint32_t> tags;  // topic ids
  index answers = no_index;         // request
  index circle = no_index;
  std::uint64_t thanks = 0;
};

enum class proposal_status : std::uint8_t { open, adopted };

struct proposal_info {
  record_id id;
  index author = no_index;
  std::int64_t ts = 0;
  proposal_action action = proposal_action::agreement;
  std::string text;
  std::optional<record_id> supersedes;
  index member = no_index;  // remove / steward target
  std::string reason;
  std::vector<index> endorsers;  // distinct, in order of endorsement; the proposer first
  proposal_status status = proposal_status::open;
  std::int64_t adopted_ts = 0;
  index superseded_by = no_index;  // agreements: the adopted proposal that replaced it
};

struct circle_info {
  record_id id;
  index opener = no_index;
  std::int64_t ts = 0;
  std::string name;
  std::string purpose;
  bool open = true;
  std::set<index> members;
  std::vector<std::uint32_t> feed;  // feed ordinals of records in this circle
};

// One record that took effect, in total order. The record itself stays in the store; views
// that show bodies look it up by id.
struct feed_entry {
  record_id id;
  std::uint64_t lamport = 0;
  std::uint64_t seq = 0;
  std::int64_t ts = 0;
  index author = no_index;
  index circle = no_index;
  std::uint32_t tag_begin = 0;  // into state::feed_tags
  std::uint8_t tag_count = 0;
  record_kind kind = record_kind::unknown;
};

// Per topic (normalised tag or skill): the evidence per member behind who-knows.
struct topic_evidence {
  std::uint32_t skill = 0;          // 1 when the member's current profile lists it
  std::uint32_t contributions = 0;  // their contributions tagged with it
  std::uint32_t thanks = 0;         // thanks received on those contributions
};

struct week_info {
  std::uint64_t records = 0;
  std::uint64_t authors = 0;        // distinct members with a record that took effect
  std::vector<std::uint64_t> seen;  // bit per member index

  // Marks m as active this week; true when m was not marked yet.
  bool mark(index m) {
    if (seen.size() <= m / 64) seen.resize(m / 64 + 1, 0);
    std::uint64_t bit = std::uint64_t{1} << (m % 64);
    if (seen[m / 64] & bit) return false;
    seen[m / 64] |= bit;
    ++authors;
    return true;
  }
  void unmark(index m) {
    seen[m / 64] &= ~(std::uint64_t{1} << (m % 64));
    --authors;
  }
};

struct fork_point {
  std::uint64_t seq = 0;      // first seq of the author that has no effect
  std::uint64_t lamport = 0;  // smallest lamport among the conflicting records at that seq

  friend bool operator==(const fork_point&, const fork_point&) = default;
};

class state {
 public:
  explicit state(const community_id& community, std::size_t journal_limit = 100'000);

  // Applies the next record in total order. Records of other communities, of unknown types,
  // with bad bodies or breaking a rule have no effect. Positions must strictly increase; a
  // record at or before the head is ignored entirely (the replayer never passes one).
  void apply(const record& r) { apply_record(r, nullptr); }

  // Would `r`, applied next, take effect? nullopt when it would; else why not, in words for
  // people ("the proposal expired 3 days ago"). The state is as before afterwards (the record
  // is applied and rewound). The one owner of "would this record count": the RPC layer asks
  // it before a member's node writes a record.
  std::optional<std::string> dry_run(const record& r);

  // Undoes every applied record at position >= p. Requires can_rewind_to(p).
  bool can_rewind_to(const position& p) const { return journal_.can_undo_from(p); }
  void rewind_to(const position& p) {
    applied_ -= journal_.undo_from(p);
    head_ = journal_.last();
  }

  // Declares that `author`'s records from fork.seq on have no effect. The caller (the replayer)
  // rewinds to the fork position first when records after it were applied.
  void set_fork(const member_id& author, const fork_point& fork);
  const std::map<member_id, fork_point>& forks() const { return forks_; }
  void set_forks(std::map<member_id, fork_point> forks) { forks_ = std::move(forks); }
  // True when a record of `m` at `p` falls at or after m's fork point.
  bool forked_at(const member_id& m, const position& p) const;

  const community_id& community() const { return community_; }
  std::optional<position> head() const { return head_; }
  std::uint64_t applied() const { return applied_; }
  journal& undo_journal() { return journal_; }
  const journal& undo_journal() const { return journal_; }

  // --- read access for views and snapshots -------------------------------------------------
  bool created = false;
  bool dissolved = false;
  std::int64_t created_ts = 0;
  std::int64_t dissolved_ts = 0;
  std::string name;
  std::string purpose;
  invite_policy invite_by = invite_policy::member;
  std::uint32_t quorum_pct = 50;
  index steward = no_index;
  std::uint64_t active_count = 0;

  std::deque<member_info> members;
  std::unordered_map<member_id, index> member_index;
  std::unordered_map<record_id, invite_info> invites;
  std::deque<request_info> requests;
  std::unordered_map<record_id, index> request_index;
  std::set<index> open_requests;
  std::set<index> answered_requests;
  std::deque<contribution_info> contributions;
  std::unordered_map<record_id, index> contribution_index;
  std::unordered_set<std::uint64_t> thanked;  // (thanker << 32) | contribution
  // (min member << 32) | max member -> effective thanks between the two, either way (>= 1)
  std::unordered_map<std::uint64_t, std::uint32_t> ties;
  std::deque<proposal_info> proposals;
  std::unordered_map<record_id, index> proposal_index;
  std::set<index> agreements;  // adopted agreement proposals in force
  std::deque<circle_info> circles;
  std::unordered_map<record_id, index> circle_index;

  std::deque<std::string> topics;  // topic id -> normalised text
  std::unordered_map<std::string, std::uint32_t> topic_index;
  // Who-knows evidence keyed by evidence_key(topic, member), and the members with evidence per
  // topic.
  std::unordered_map<std::uint64_t, topic_evidence> evidence;
  static std::uint64_t evidence_key(std::uint32_t topic, index member) {
    return (std::uint64_t{topic} << 32) | member;
  }
  std::unordered_map<std::uint32_t, std::vector<index>> topic_members;

  std::vector<feed_entry> feed;
  std::vector<std::uint32_t> feed_tags;
  std::array<std::vector<std::uint32_t>, record_kind_count> feed_by_kind;
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> feed_by_topic;
  std::map<std::int64_t, week_info> weeks;  // week number (Monday-aligned UTC) -> activity

  // Lookups (no_index when absent).
  index find_member(const member_id& m) const;
  bool is_active(index m, const position& at) const;
  std::uint32_t find_topic(std::string_view normalised) const;

  // For the transport's admission check: true when `m` is an active member now.
  bool is_active_member(const member_id& m) const;
  // The unused token invite whose token_hash is BLAKE2b-256(token) and that has not expired at
  // now_ts, if any (a client presenting it may connect to redeem it). Walks the invites.
  std::optional<record_id> find_token_invite(const invite_token& token, std::int64_t now_ts) const;

  // Week number of a ts: weeks start on Monday 00:00 UTC (1970-01-05 starts week 1).
  static std::int64_t week_of(std::int64_t ts);

 private:
  friend class rules;
  friend struct snapshot_codec;

  // apply(); true when the record took effect, else the reason in *why (when given).
  bool apply_record(const record& r, std::string* why);

  community_id community_;
  journal journal_;
  std::optional<position> head_;
  std::uint64_t applied_ = 0;
  std::map<member_id, fork_point> forks_;
};

}  // namespace zwerm::node::community
