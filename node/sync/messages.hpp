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

#include "base/bytes.hpp"
#include "base/ids.hpp"
#include "base/status.hpp"

namespace zwerm::node::sync {

using member_id = crypto::public_key;
using frontier_digest = crypto::digest;

// The sync protocol versions this implementation speaks (PROTOCOL.md §5.3, §5.12). A session
// uses the highest version both hellos allow.
inline constexpr std::uint8_t min_protocol_version = 1;
inline constexpr std::uint8_t max_protocol_version = 2;
// Message types from this one on are optional: a receiver that does not know one ignores it.
// Below it, an unknown type is malformed.
inline constexpr std::uint8_t first_optional_type = 0x40;
// Bytes a hello may carry after its known fields (later versions may append fields there);
// this version ignores them.
inline constexpr std::size_t max_hello_extension = 1024;
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
  fork_proof = 0x0c,  // version 2
};

// The first version in which a message type exists (1 for all but fork_proof).
std::uint8_t version_of(message_type t);

// First message on a connection, from both sides: the versions the sender speaks, who we are
// talking about and where we stand. `features` is a bit set of optional capabilities (none is
// defined in versions 1 and 2; receivers ignore bits they do not know).
struct hello {
  std::uint8_t min_version = min_protocol_version;
  std::uint8_t max_version = max_protocol_version;
  community_id community{};
  frontier_digest frontier{};
  std::uint64_t features = 0;
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
  bool forked = false;    // the sender holds a fork proof of this feed (sent from version 2)
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

// Two records one author signed for one seq (version 2; PROTOCOL.md §2.8, §5.6). The body is
// the proof in §2.8's framing: u32 big-endian length ‖ record, twice.
struct fork_proof {
  std::string first, second;
  friend bool operator==(const fork_proof&, const fork_proof&) = default;
};

using message = std::variant<hello, frontier, buckets, heads_request, heads, want, records, ack,
                             have, peers_request, peers, fork_proof>;

message_type type_of(const message& m);
const char* name_of(message_type t);

// Appends the encoding of m, as protocol `version` lays it out, to out. The caller keeps
// messages within the limits above and sends only types that exist in `version`; encode never
// produces something decode refuses when that holds.
void encode(const message& m, std::string& out, std::uint8_t version = max_protocol_version);
std::string encode(const message& m, std::uint8_t version = max_protocol_version);

// Size of the encoding without building it.
std::size_t encoded_size(const message& m, std::uint8_t version = max_protocol_version);

// Decodes exactly one message occupying all of `in`, as protocol `version` lays it out.
// Refuses (status_code::rejected, with a reason) unknown types and types newer than `version`,
// truncation, trailing bytes (but for a hello's extension), non-minimal varints, counts or
// lengths beyond the limits or beyond the bytes present, unsorted heads, zero seqs, bucket
// digests that do not match the bitmap, and a hello whose version range is empty or starts at 0.
// An optional type (≥ first_optional_type) is refused like any unknown type: the caller
// decides to ignore it (is_optional).
result<message> decode(std::string_view in, std::uint8_t version = max_protocol_version);

// True for message types a receiver that does not know them ignores.
inline bool is_optional(std::uint8_t type) {
  return type >= first_optional_type;
}

// Varint helpers (exposed for records batching and tests).
std::size_t varint_size(std::uint64_t v);
void put_varint(std::uint64_t v, std::string& out);

}  // namespace zwerm::node::sync
