// Key and value layouts of the store's tables (docs/ARCHITECTURE.md, "Store"). Internal to
// store/, plain C++ so unit tests can pin the layouts byte for byte.
//
// Every key is a one-byte table prefix followed by fixed-width binary fields; integers are
// big-endian so that LevelDB's bytewise order is numeric order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/ids.hpp"
#include "store/record_entry.hpp"
#include "store/store.hpp"

namespace zwerm::store::keys {

using crypto::public_key;

enum table : char {
  records = 'R',         // R id                      -> entry (see encode_entry)
  feeds = 'S',           // S community author seq    -> id
  order = 'O',           // O community lamport author seq -> id
  heads = 'H',           // H community author        -> seq id lamport flags
  buckets = 'B',         // B community bucket        -> 32-byte XOR of feed hashes
  communities = 'C',     // C community               -> feeds(8) records(8)
  forks = 'F',           // F community author seq id -> entry of the conflicting record
  pending = 'P',         // P community author seq id -> entry waiting for its gap
  pending_counts = 'Q',  // Q community author        -> count(4) of P entries of the feed
  meta = 'M',            // M name                    -> value ("schema", "pending")
  peers = 'N',           // N address                 -> opaque info
  views = 'V',           // V key                     -> opaque value (node/'s views)
  rebuild = 'T',         // T community author seq id -> lamport(8); only during repair
};

inline constexpr std::string_view meta_schema = "schema";
inline constexpr std::string_view meta_pending = "pending";

void put_u64(std::string* out, std::uint64_t v);
void put_u32(std::string* out, std::uint32_t v);
std::uint64_t get_u64(std::string_view in);  // requires in.size() >= 8
std::uint32_t get_u32(std::string_view in);  // requires in.size() >= 4

std::string record_key(const record_id& id);
std::string feed_prefix(const community_id& c, const public_key& a);
std::string feed_key(const community_id& c, const public_key& a, std::uint64_t seq);
std::string order_prefix(const community_id& c);
std::string order_key(const community_id& c, std::uint64_t lamport, const public_key& a,
                      std::uint64_t seq);
std::string head_prefix(const community_id& c);
std::string head_key(const community_id& c, const public_key& a);
std::string bucket_prefix(const community_id& c);
std::string bucket_key(const community_id& c, std::uint8_t bucket);
std::string community_key(const community_id& c);
std::string fork_prefix(const community_id& c, const public_key& a);
std::string fork_key(const community_id& c, const public_key& a, std::uint64_t seq,
                     const record_id& id);
std::string pending_prefix(const community_id& c, const public_key& a);
std::string pending_key(const community_id& c, const public_key& a, std::uint64_t seq,
                        const record_id& id);
std::string pending_count_key(const community_id& c, const public_key& a);
std::string meta_key(std::string_view name);
std::string peer_key(std::string_view address);
std::string view_key(std::string_view key);
std::string rebuild_key(const community_id& c, const public_key& a, std::uint64_t seq,
                        const record_id& id);

// Parsed (community, author, seq, id) keys of the F, P and T tables and (community, author,
// seq) of S; false when the key has the wrong length or prefix.
struct feed_key_parts {
  community_id community;
  public_key author;
  std::uint64_t seq = 0;
  record_id id;  // only for keys that carry one
};
bool parse_feed_key(std::string_view key, feed_key_parts* out);     // S
bool parse_feed_id_key(std::string_view key, feed_key_parts* out);  // F, P, T
struct order_key_parts {
  community_id community;
  order_position pos;
};
bool parse_order_key(std::string_view key, order_key_parts* out);
bool parse_head_key(std::string_view key, community_id* community, public_key* author);

// One past the last key with this prefix (for range ends); the prefix must not be all 0xff.
std::string prefix_end(std::string_view prefix);

// Record values: version(1)=1 community(32) author(32) seq(8) lamport(8) has_prev(1) [prev(32)]
// bytes. The id is the key.
std::string encode_entry(const record_entry& e);
void encode_entry(const record_entry& e, std::string* out);  // reuses out's buffer
bool decode_entry(const record_id& id, std::string_view value, record_entry* out);

// Head values: seq(8) id(32) lamport(8) flags(1; bit 0 = forked).
std::string encode_head(const feed_head& h);
bool decode_head(const public_key& author, std::string_view value, feed_head* out);

}  // namespace zwerm::store::keys
