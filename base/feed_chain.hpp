// The chain rule of a feed (docs/PROTOCOL.md §2.6-2.7): where a record stands against the
// newest record this node holds of its author's feed. The one copy of the rule: node/records
// (check_chain over a parsed record, which sync and the memory replica use) and the store's
// ingest both call this, over plain numbers and ids, as the store knows no parsed records.
// tests/store/chain_rule_test.cpp pins it with one table of cases, which the store's ingest
// and check_chain are run against as well.
//
// Thread-safety: pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.hpp"
#include "base/ids.hpp"

namespace zwerm {

// What the rule reads of a record.
struct feed_link {
  std::uint64_t seq = 0;
  std::optional<record_id> prev;  // null exactly when seq == 1
  std::uint64_t lamport = 0;
  record_id id;
};

// The newest record of one author's feed in one community: what a new record of the feed is
// checked against (check_chain reads seq, id and lamport), what the store keeps per feed and
// what sync's heads name. The one such type of every module.
struct feed_head {
  crypto::public_key author;
  std::uint64_t seq = 0;  // ≥ 1 for a feed that holds records
  record_id id;           // id of the author's record `seq`
  std::uint64_t lamport = 0;
  bool forked = false;  // a fork proof of this feed is held (store::forks)
  friend bool operator==(const feed_head&, const feed_head&) = default;
};

enum class chain_verdict : std::uint8_t {
  next,               // seq = head + 1 (or 1 on an empty feed), prev and lamport right: ingest it
  duplicate,          // this exact record (same id at that seq) is already held: a no-op
  conflict,           // another record is held at that seq: a fork; fetch it and call detect_fork
  needs_lookup,       // seq below the head and the record held at that seq was not given
  gap,                // seq > head + 1: hold it until the records between arrive
  wrong_prev,         // seq = head + 1 but prev is not the head's id
  seq_prev_mismatch,  // seq 0, seq 1 with a prev, or seq > 1 without one
  lamport_not_increasing,  // lamport <= the prev record's lamport
};

const char* to_string(chain_verdict v);

struct chain_check {
  chain_verdict verdict = chain_verdict::next;
  std::string message;  // a sentence for logs; empty for `next` and `duplicate`

  bool ok() const { return verdict == chain_verdict::next; }
};

// Whether the record's seq and prev fit each other, whatever the feed holds (the first check
// of check_chain). A sentence saying what is wrong, or empty.
std::string seq_prev_problem(const feed_link& r);

// Classifies `r` against its author's feed.
//   head:        the feed's newest record, or none when this node holds nothing of that feed.
//   held_at_seq: the id of the record this node holds at r.seq, when r.seq < head->seq and the
//                caller looked it up (at r.seq == head->seq the head's own id is used).
// Rules are applied in this order: seq/prev consistency, then position against the head
// (duplicate / conflict / needs_lookup / gap), then prev, then lamport.
chain_check check_chain(const feed_link& r, const std::optional<feed_head>& head,
                        const std::optional<record_id>& held_at_seq = std::nullopt);

}  // namespace zwerm
