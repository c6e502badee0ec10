// Why a record (or a fork proof) was refused: one reason per rule, plus a sentence for people.
//
// Every rule of docs/PROTOCOL.md §2 that can refuse bytes has its own `reject_reason`, so sync
// can count and mark peers by reason and tests can check the exact rule that fired. The
// `rejection` carries the reason, the byte offset where the problem was found and a message
// such as `duplicate key "seq" at byte 57`. `record_result<T>` is the value-or-rejection type
// returned by the parser; `to_status()` turns a rejection into the project-wide zwerm::status
// (code `rejected`) where a caller only needs the sentence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "base/status.hpp"

namespace zwerm::node {

enum class reject_reason : std::uint8_t {
  // Framing.
  too_short,          // fewer bytes than the smallest payload ("{}") plus a 64-byte signature
  payload_too_large,  // payload longer than 16 KiB
  // The JSON subset (any depth, body included).
  not_an_object,         // the payload is not a JSON object
  syntax_error,          // unexpected byte, unterminated value, bytes after the object
  nesting_too_deep,      // more than max_nesting_depth nested objects/arrays
  duplicate_key,         // the same key twice in one object (compared after unescaping)
  float_number,          // a number with a fraction or an exponent
  invalid_number,        // leading zero, a lone minus sign, negative zero
  integer_out_of_range,  // outside [-(2^53), 2^53]
  invalid_utf8,          // overlong, surrogate, above U+10FFFF, truncated or stray bytes
  invalid_escape,        // unknown escape, bad \u hex digits, unpaired surrogate escape
  control_character,     // an unescaped byte below 0x20 inside a string
  // The header fields.
  unsupported_version,     // `v` is not 1
  unknown_field,           // a top-level field other than the nine of the format
  missing_field,           // one of the required fields is absent
  wrong_field_type,        // e.g. `seq` given as a string, `body` not an object
  invalid_id,              // an id/key that is not 43 characters of strict base64url
  field_out_of_range,      // seq < 1, lamport < 1 or ts < 0
  empty_type,              // `type` is ""
  genesis_with_community,  // a community.create record carrying a `community` field
  missing_community,       // any other record without a `community` field
  genesis_not_first,       // a community.create record with seq other than 1
  seq_prev_mismatch,       // seq 1 with a non-null prev, or seq > 1 with a null prev
  // Cryptography.
  bad_signature,  // the signature does not verify for `author` over the payload bytes
  // Fork proofs (node/records/record_fork.hpp).
  malformed_fork_proof,  // the proof's framing is broken
  not_a_fork,            // the two records are not two ids for one (community, author, seq)
};

// Stable snake_case name of a reason, for logs and counters ("duplicate_key").
std::string_view to_string(reject_reason reason);

struct rejection {
  static constexpr std::size_t no_offset = static_cast<std::size_t>(-1);

  reject_reason reason = reject_reason::syntax_error;
  // Byte offset into the record (payload starts at 0) where the problem was found, or
  // no_offset when it concerns the record as a whole (a missing field, a bad signature).
  std::size_t offset = no_offset;
  std::string message;  // a full sentence for people, naming the field/key and the offset

  // The same refusal as a zwerm::status with code `rejected`.
  zwerm::status to_status() const { return {status_code::rejected, message}; }
};

// Either a value or the rejection that explains why there is none: zwerm::result with a
// rejection for its error (error() is the rejection, to_status() the `rejected` status).
template <class T>
using record_result = zwerm::result<T, rejection>;

}  // namespace zwerm::node
