// Fork detection and fork proofs (PROTOCOL.md §2.8).
//
// An author who signs two different records for the same (community, author, seq) has
// equivocated. The two records' bytes are the proof: anyone can re-check both signatures. A
// node keeps the proof, relays it, and marks the feed forked. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "node/records/record.hpp"
#include "node/records/record_error.hpp"

namespace zwerm::node {

// Both records' full bytes (payload ‖ signature). detect_fork puts the record with the
// smaller id (bytewise) first, so one fork has one proof.
struct fork_proof {
  std::string first;
  std::string second;

  friend bool operator==(const fork_proof&, const fork_proof&) = default;
};

// What a verified proof establishes.
struct fork_facts {
  community_id community;
  member_id author;
  std::uint64_t seq = 0;
  record_id first_id;
  record_id second_id;
};

// A proof when `a` and `b` (both validly signed: from parse_record) share community, author
// and seq but have different ids; none otherwise (including a == b).
std::optional<fork_proof> detect_fork(const record& a, const record& b);

// Re-checks a proof received from a peer: both records parse and verify (the rejection then
// carries that record's reason, e.g. bad_signature), and they are a fork (else not_a_fork).
record_result<fork_facts> verify_fork_proof(const fork_proof& proof);

// Wire/store form: u32 big-endian length of `first`, `first`, u32 big-endian length of
// `second`, `second`, nothing after. decode checks the framing only (malformed_fork_proof);
// call verify_fork_proof on the result.
std::string encode_fork_proof(const fork_proof& proof);
record_result<fork_proof> decode_fork_proof(std::string_view bytes);

}  // namespace zwerm::node
