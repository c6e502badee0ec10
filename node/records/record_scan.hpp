// The strict single-pass scanner for the JSON subset of record payloads (PROTOCOL.md §2.2).
//
// Used by the parser (node/records/record_parse.hpp) and the writer
// (node/records/record_writer.hpp); most callers want parse_record() instead. The scanner reads
// each byte once, never allocates per byte, and never re-serialises: it checks the grammar
// (objects, arrays, strings, integers, true/false/null), duplicate keys at every depth, integer
// range, UTF-8 and escapes, and extracts the nine header fields. It does not hash or verify
// signatures.
//
// Thread-safety: pure functions, no shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "node/records/record.hpp"
#include "node/records/record_error.hpp"

namespace zwerm::node {

// Nesting bound: the payload object is depth 1, the body object depth 2, so a body may nest
// objects and arrays 31 levels deep inside it.
inline constexpr int max_nesting_depth = 32;

// Largest integer magnitude accepted anywhere in a payload: 2^53.
inline constexpr std::int64_t max_json_integer = std::int64_t{1} << 53;

// Scans `payload` (the bytes before the signature) and applies every field rule of
// PROTOCOL.md §2.4 steps 2-4. On success fills out->community (left unchanged for a genesis
// record, whose community is its own id), author, seq, prev, lamport, ts, type and body; it
// leaves out->bytes and out->id alone. Offsets in the rejection count from the payload's
// first byte. Does not check the payload size limit.
std::optional<rejection> scan_payload(std::string_view payload, record* out);

// Author and seq read from the first bytes of a payload that starts the way zwerm's writer
// starts every payload (`{"v":1,"community":"…","author":"…","seq":N,` without whitespace, or
// the genesis record's form without `community`): a few comparisons instead of a scan. False
// for any other start (keys in another order, whitespace, escapes), and then the caller scans.
// True says nothing of the rest of the payload: a payload that scan_payload() accepts yields
// the same author and seq here, one it refuses may yield anything (the caller's full check
// refuses it later).
bool read_writer_prefix(std::string_view payload, crypto::public_key* author, std::uint64_t* seq);

// What is wrong with a multi-byte UTF-8 sequence (RFC 3629, the table of Unicode §3.9).
enum class utf8_problem : std::uint8_t {
  none,
  lone_continuation,  // a continuation byte without a lead byte
  overlong,           // C0, C1, E0 80..9F, F0 80..8F
  invalid_byte,       // F5..FF, which never appear
  truncated,          // too few continuation bytes
  surrogate,          // ED A0..BF: an encoded UTF-16 surrogate
  above_max,          // F4 90..: beyond U+10FFFF
};
// Checks the sequence at the start of `at`, whose first byte is 0x80 or above; on none sets
// *length to its length (2 to 4).
utf8_problem check_utf8_sequence(std::string_view at, std::size_t* length);

// Appends code point `cp` (at most U+10FFFF) as UTF-8.
void append_utf8(std::string* out, std::uint32_t cp);

// Checks that `text` is exactly one JSON object of the accepted subset (no leading or trailing
// bytes), judged as a record body: the object counts as nesting level 2, as it does inside a
// payload, so a body accepted here is accepted inside a record. With `compact`, whitespace
// between tokens is refused too (syntax_error). Offsets in the rejection count from text's
// first byte. The writer uses this to validate bodies.
std::optional<rejection> check_json_object(std::string_view text, bool compact);

}  // namespace zwerm::node
