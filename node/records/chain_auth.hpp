// Authentication by chain (PROTOCOL.md §2.11): which records of one received message need their
// own signature checked before they count.
//
// A record's `prev` is the BLAKE2b-256 id of its author's record before it, so a valid signature
// on a record commits its author to every payload before it along the links. In one message, a
// record directly followed by the next record of its feed (same community and author, seq + 1,
// whose `prev` is its id) is vouched for by that next record; only the last record of each such
// run is checked at once. If that check fails, the run falls back to one check per record, so a
// sender gains nothing by a bad signature at the end of a run. The signatures of vouched records
// are checked later (node/ingest/deferred_signatures.hpp) and before this node serves a range
// that ends at one of them.
//
// Thread-safety: pure functions over the caller's vector.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "node/records/record.hpp"
#include "node/records/record_error.hpp"

namespace zwerm::node {

// Whether `next` is the record after `r` in r's feed: same community and author, seq + 1, and
// `prev` equal to r's id.
bool chains_to(const record& r, const record& next);

// A run of records of one feed in a message: every record from `first` to `last - 1` is chained
// to by its successor (vouched); `last` is the one whose signature is checked at once. A
// record with no successor in the message is a run of one (first == last).
struct signature_run {
  std::size_t first = 0;
  std::size_t last = 0;
};

// Marks every parsed record that the next element of `parsed` chains to as signature_vouched,
// clears the mark on the others, and returns the runs of the parsed records, in message order
// (records that failed to parse belong to none).
std::vector<signature_run> plan_signature_checks(std::span<record_result<record>> parsed);

// Checks the signature of the run's last record; if it fails, checks every record of the run on
// its own (clearing their vouched mark), so that only records with a valid signature of their
// own remain, and rejects the ones that fail. Returns the number of signatures checked.
std::size_t check_run(std::span<record_result<record>> parsed, const signature_run& run);

}  // namespace zwerm::node
