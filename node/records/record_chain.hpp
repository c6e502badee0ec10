// Chain, lamport and ordering rules (PROTOCOL.md §2.6-2.7) for parsed records.
//
// Pure functions over a parsed record and what the caller knows about the author's feed in
// that community. The caller (store ingest, sync) looks the head up; nothing here does I/O.
// Thread-safety: pure.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "base/feed_chain.hpp"
#include "node/records/record.hpp"

namespace zwerm::node {

// The chain rule itself is base/feed_chain.hpp's (one copy for the store and for sync); these
// are its names here, and check_chain below applies it to a parsed record.
using zwerm::chain_check;
using zwerm::chain_verdict;
using zwerm::feed_head;  // the last record of one author's feed in one community

// Classifies `r` against its author's feed in r.community (zwerm::check_chain).
//   head:        the feed's last record, or none when this node holds nothing of that feed.
//   held_at_seq: the id of the record this node holds at r.seq, when r.seq < head->seq and the
//                caller looked it up (at r.seq == head->seq the head's own id is used).
chain_check check_chain(const record& r, const std::optional<feed_head>& head,
                        const std::optional<record_id>& held_at_seq = std::nullopt);

// The head a feed has after `r` was ingested as `next`.
inline feed_head head_after(const record& r) {
  return {.author = r.author, .seq = r.seq, .id = r.id, .lamport = r.lamport};
}

// The lamport an author gives its next record: 1 + the largest lamport it has seen in the
// community (its own records included, so it also exceeds its prev's). 0 when `max_seen` is
// already at the 2^53 limit, which no valid record can exceed.
std::uint64_t next_lamport(std::uint64_t max_seen);

// The total order of records within a community for views: (lamport, author bytes, seq).
// Two different records of one author with equal (lamport, seq) only exist in a fork.
struct order_key {
  std::uint64_t lamport = 0;
  member_id author;
  std::uint64_t seq = 0;

  friend auto operator<=>(const order_key&, const order_key&) = default;
  friend bool operator==(const order_key&, const order_key&) = default;
};

inline order_key order_of(const record& r) {
  return {r.lamport, r.author, r.seq};
}

}  // namespace zwerm::node
