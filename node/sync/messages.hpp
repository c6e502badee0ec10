// The sync messages (docs/PROTOCOL.md §5): plain structs, one binary encoding, and a decoder
// that checks every bound before it allocates and refuses malformed input with a sentence.
//
// A sync message is the payload of one message of net/'s message layer: its first byte is the
// message type, the rest is the type's body. Integers are unsigned LEB128 varints (minimal
// encoding, at most 64 bits) unless a field says otherwise. Records travel as their raw bytes.
//
// Pure functions, no I/O, no state: unit tests and the fuzz target call them directly.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "crypto/bytes.hpp"
#include "crypto/status.hpp"

namespace zwerm::node::sync {

using member_id = crypto::public_key;
using community_id = crypto::digest;
using frontier_digest = crypto::digest;

inline constexpr std::uint8_t protocol_version = 1;
inline constexpr std::size_t bucket_count = 256;
// Bucket digests and head ids travel truncated to this many bytes (see PROTOCOL.md §5.3).
inline constexpr std::size_t digest_prefix_size = 16;
using digest_prefix = crypto::fixed_bytes<digest_prefix_size, struct digest_prefix_tag>;
using bucket_set = std::bitset<bucket_count>;

// Hard limits a decoder enforces (a second implementation must respect them when sending).
inline constexpr std::size_t max_message_size = 1024 * 1024;    // whole sync message
inline constexpr std::size_t max_record_size = 16 * 1024 + 64;  // payload ≤ 16 KiB ‖ signature
inline constexpr std::size_t max_address_size = 255;
inline constexpr std::size_t max_peers_per_message = 64;

enum class message_type : std::uint8_t {
  hello = 0x01,
  frontier = 0x02,
  buckets = 0x03,
  heads_request = 0x04,
  heads = 0x05,
  want = 0x06,
  records = 0x07,
  ack = 0x08,
  have = 0x09,
  peers_request = 0x0a,
  peers = 0x0b,
};

// First message on a connection, from both sides: who we are talking about and where we stand.
struct hello {
  std::uint8_t version = protocol_version;
  community_id community;
  frontier_digest frontier;
  friend bool operator==(const hello&, const hello&) = default;
};

// An anti-entropy probe (reply_wanted) or its answer.
struct frontier {
  frontier_digest digest;
  bool reply_wanted = false;
  friend bool operator==(const frontier&, const frontier&) = default;
};

// The sender's bucket digests: non_empty marks buckets that hold at least one feed; digests
// holds, in ascending bucket order, the prefix of each non-empty bucket's digest.
struct buckets {
  bucket_set non_empty;
  std::vector<digest_prefix> digests;
  friend bool operator==(const buckets&, const buckets&) = default;
};

// "Send me your feed heads for these buckets."
struct heads_request {
  bucket_set which;
  friend bool operator==(const heads_request&, const heads_request&) = default;
};

struct head_entry {
  member_id author;
  std::uint64_t seq = 0;  // ≥ 1
  digest_prefix id;       // prefix of the id of the author's record `seq`
  friend bool operator==(const head_entry&, const head_entry&) = default;
};
// Some of the sender's feed heads, authors strictly ascending.
struct heads {
  std::vector<head_entry> entries;
  friend bool operator==(const heads&, const heads&) = default;
};

struct want_entry {
  member_id author;
  std::uint64_t from_seq = 0;  // ≥ 1
  friend bool operator==(const want_entry&, const want_entry&) = default;
};
// "Stream me these feeds from from_seq on, up to your head."
struct want {
  std::vector<want_entry> entries;
  friend bool operator==(const want&, const want&) = default;
};

// Raw records (payload ‖ signature). Non-live: answers to a want, each feed in seq order with
// no gaps. Live: newly ingested records pushed unasked.
struct records {
  bool live = false;
  std::vector<std::string> items;
  friend bool operator==(const records&, const records&) = default;
};

// Opens the sender's in-flight window again by `bytes` (sum of the acked records' lengths).
struct ack {
  std::uint64_t bytes = 0;
  friend bool operator==(const ack&, const ack&) = default;
};

struct have_entry {
  member_id author;
  std::uint64_t seq = 0;  // ≥ 1
  friend bool operator==(const have_entry&, const have_entry&) = default;
};
// "I now hold these feeds up to seq" (lazy push).
struct have {
  std::vector<have_entry> entries;
  friend bool operator==(const have&, const have&) = default;
};

struct peers_request {
  friend bool operator==(const peers_request&, const peers_request&) = default;
};

struct peer_address {
  member_id key;        // the node's long-term key (for the handshake)
  std::string address;  // "host:port", 1..255 bytes of UTF-8
  friend bool operator==(const peer_address&, const peer_address&) = default;
};
struct peers {
  std::vector<peer_address> entries;
  friend bool operator==(const peers&, const peers&) = default;
};

using message = std::variant<hello, frontier, buckets, heads_request, heads, want, records, ack,
                             have, peers_request, peers>;

message_type type_of(const message& m);
const char* name_of(message_type t);

// Appends the encoding of m to out. The caller keeps messages within the limits above;
// encode never produces something decode refuses when that holds.
void encode(const message& m, std::string& out);
std::string encode(const message& m);

// Size of the encoding without building it.
std::size_t encoded_size(const message& m);

// Decodes exactly one message occupying all of `in`. Refuses (status_code::rejected, with a
// reason) unknown types, truncation, trailing bytes, non-minimal varints, counts or lengths
// beyond the limits or beyond the bytes present, unsorted heads, zero seqs, and bucket digests
// that do not match the bitmap.
result<message> decode(std::string_view in);

// Varint helpers (exposed for records batching and tests).
std::size_t varint_size(std::uint64_t v);
void put_varint(std::uint64_t v, std::string& out);

}  // namespace zwerm::node::sync
