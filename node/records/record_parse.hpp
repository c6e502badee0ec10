// Parsing and validating received record bytes (PROTOCOL.md §2.4).
//
// parse_record() is the one entry point for bytes from peers, files or the store: it checks
// the size, scans the payload with the strict JSON-subset scanner (node/records/record_scan.hpp),
// applies every field rule, computes the id as BLAKE2b-256 of the exact payload bytes and
// verifies the Ed25519 signature over the same bytes. Nothing is re-serialised. The chain and
// lamport rules need the author's feed head and live in node/records/record_chain.hpp.
//
// Cost: one pass over the payload, one BLAKE2b, one signature verification (which dominates:
// see docs/PERFORMANCE.md). Thread-safety: pure; call from any thread (crypto::init() must
// have run once in the process).
#pragma once

#include <string_view>

#include "node/records/record.hpp"
#include "node/records/record_error.hpp"

namespace zwerm::node {

enum class signature_check {
  verify,  // the default: bytes from anywhere outside this node's own store
  skip,    // only for bytes this node already validated and stored itself
};

// Parses record bytes (payload ‖ 64-byte signature). On success the returned record holds a
// copy of `bytes`, the id, and every header field (community = its own id for a genesis
// record; body = the exact text of the body object). On failure the rejection names the first
// rule broken, in the order of PROTOCOL.md §2.4.
record_result<record> parse_record(std::string_view bytes,
                                   signature_check check = signature_check::verify);

// Whether `r`'s own signature verifies for its author over its payload (the check
// parse_record makes with signature_check::verify, for a record parsed with skip).
bool signature_valid(const record& r);
// The same check on record bytes (payload ‖ 64-byte signature, longer than the signature) as the
// store holds them, without parsing the payload.
bool signature_valid(std::string_view record_bytes, const member_id& author);
// The rejection parse_record returns for a record whose signature does not verify.
rejection bad_signature_rejection(const record& r);

}  // namespace zwerm::node
