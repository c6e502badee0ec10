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
  records = 'L',         // L community author seq    -> log row (see encode_log_row)
  record_ids = 'I',      // I id                      -> community author seq
  order = 'O',           // O community lamport author seq -> empty
  heads = 'H',           // H community author        -> seq id lamport flags
  buckets = 'B',         // B community bucket        -> 32-byte XOR of feed hashes
  communities = 'C',     // C community               -> feeds(8) records(8)
  forks = 'F',           // F community author seq id -> entry of the conflicting record
  pending = 'P',         // P community author seq id -> entry waiting for its gap
  pending_counts = 'Q',  // Q community author        -> count(4) of P entries of the feed
  meta = 'M',            // M name                    -> value ("schema", "pending")
  peers = 'N',           // N address                 -> opaque info
  views = 'V',           // V key                     -> opaque value (node/'s views)
  // Schema 1 and 2 only: records keyed by id, and the feed index. Read by migrations alone.
  v2_records = 'R',  // R id                      -> entry (see encode_entry)
  v2_feeds = 'S',    // S community author seq    -> id
  v2_rebuild = 'T',  // T community author seq id -> lamport(8); left by an interrupted repair
};

inline constexpr std::string_view meta_schema = "schema";
inline constexpr std::string_view meta_pending = "pending";
// Present while rows of an older schema wait to be deleted (after a migration committed).
inline constexpr std::string_view meta_retired = "retired";

void put_u64(std::string* out, std::uint64_t v);
void put_u32(std::string* out, std::uint32_t v);
std::uint64_t get_u64(std::string_view in);  // requires in.size() >= 8
std::uint32_t get_u32(std::string_view in);  // requires in.size() >= 4

// L: a feed's records in seq order. feed_prefix covers the whole feed.
std::string feed_prefix(const community_id& c, const public_key& a);
std::string record_key(const community_id& c, const public_key& a, std::uint64_t seq);
std::string id_key(const record_id& id);
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
// Schema 1 and 2 (migrations and the test writer of old stores only).
std::string v2_record_key(const record_id& id);
std::string v2_feed_key(const community_id& c, const public_key& a, std::uint64_t seq);

// Parsed (community, author, seq, id) keys of the F and P tables and (community, author, seq)
// of L; false when the key has the wrong length or prefix.
struct feed_key_parts {
  community_id community;
  public_key author;
  std::uint64_t seq = 0;
  record_id id;  // only for keys that carry one
};
bool parse_record_key(std::string_view key, feed_key_parts* out);   // L
bool parse_feed_id_key(std::string_view key, feed_key_parts* out);  // F, P
struct order_key_parts {
  community_id community;
  order_position pos;
};
bool parse_order_key(std::string_view key, order_key_parts* out);
bool parse_head_key(std::string_view key, community_id* community, public_key* author);

// One past the last key with this prefix (for range ends); the prefix must not be all 0xff.
std::string prefix_end(std::string_view prefix);

// Log rows (L values): version(1)=1 id(32) lamport(8) has_prev(1) [prev(32)] bytes; the
// community, author and seq are the key.
void encode_log_row(const record_entry& e, std::string* out);  // reuses out's buffer
bool decode_log_row(const feed_key_parts& key, std::string_view value, record_entry* out);
// The id alone, without copying the bytes.
bool log_row_id(std::string_view value, record_id* out);

// Id index values (I): community(32) author(32) seq(8).
std::string encode_position(const community_id& c, const public_key& a, std::uint64_t seq);
bool decode_position(std::string_view value, feed_key_parts* out);

// Whole entries, held apart from the log (F and P values; R values of schema 1 and 2):
// version(1)=1 community(32) author(32) seq(8) lamport(8) has_prev(1) [prev(32)] bytes. The id
// is in the key.
std::string encode_entry(const record_entry& e);
void encode_entry(const record_entry& e, std::string* out);  // reuses out's buffer
bool decode_entry(const record_id& id, std::string_view value, record_entry* out);

// Head values: seq(8) id(32) lamport(8) flags(1; bit 0 = forked).
std::string encode_head(const feed_head& h);
bool decode_head(const public_key& author, std::string_view value, feed_head* out);

}  // namespace zwerm::store::keys
