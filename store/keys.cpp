#include "store/keys.hpp"

#include <cstring>

namespace zwerm::store::keys {

namespace {

std::string start(table t, std::size_t reserve) {
  std::string k;
  k.reserve(reserve);
  k.push_back(static_cast<char>(t));
  return k;
}

template <class T>
void put(std::string* out, const T& fixed) {
  out->append(fixed.view());
}

template <class T>
T take(std::string_view in, std::size_t at) {
  T v;
  std::memcpy(v.data(), in.data() + at, T::size());
  return v;
}

constexpr std::size_t kFeedKey = 1 + 32 + 32 + 8;
constexpr std::size_t kFeedIdKey = kFeedKey + 32;
constexpr std::size_t kOrderKey = 1 + 32 + 8 + 32 + 8;
constexpr std::size_t kHeadKey = 1 + 32 + 32;
constexpr std::size_t kEntryFixed = 1 + 32 + 32 + 8 + 8 + 1;
constexpr std::size_t kLogRowFixed = 1 + 32 + 8 + 1;
constexpr std::size_t kPosition = 32 + 32 + 8;
constexpr std::size_t kHeadValue = 8 + 32 + 8 + 1;

}  // namespace

void put_u64(std::string* out, std::uint64_t v) {
  char b[8];
  for (int i = 7; i >= 0; --i) {
    b[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(b, 8);
}

void put_u32(std::string* out, std::uint32_t v) {
  char b[4];
  for (int i = 3; i >= 0; --i) {
    b[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(b, 4);
}

std::uint64_t get_u64(std::string_view in) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(in[i]);
  return v;
}

std::uint32_t get_u32(std::string_view in) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<std::uint8_t>(in[i]);
  return v;
}

namespace {
std::string position_key(table t, const community_id& c, const public_key& a, std::uint64_t seq) {
  auto k = start(t, kFeedKey);
  put(&k, c);
  put(&k, a);
  put_u64(&k, seq);
  return k;
}
}  // namespace

std::string feed_prefix(const community_id& c, const public_key& a) {
  auto k = start(records, kFeedKey);
  put(&k, c);
  put(&k, a);
  return k;
}

std::string record_key(const community_id& c, const public_key& a, std::uint64_t seq) {
  return position_key(records, c, a, seq);
}

std::string id_key(const record_id& id) {
  auto k = start(record_ids, 33);
  put(&k, id);
  return k;
}

std::string v2_record_key(const record_id& id) {
  auto k = start(v2_records, 33);
  put(&k, id);
  return k;
}

std::string v2_feed_key(const community_id& c, const public_key& a, std::uint64_t seq) {
  return position_key(v2_feeds, c, a, seq);
}

std::string order_prefix(const community_id& c) {
  auto k = start(order, kOrderKey);
  put(&k, c);
  return k;
}

std::string order_key(const community_id& c, std::uint64_t lamport, const public_key& a,
                      std::uint64_t seq) {
  auto k = order_prefix(c);
  put_u64(&k, lamport);
  put(&k, a);
  put_u64(&k, seq);
  return k;
}

std::string head_prefix(const community_id& c) {
  auto k = start(heads, kHeadKey);
  put(&k, c);
  return k;
}

std::string head_key(const community_id& c, const public_key& a) {
  auto k = head_prefix(c);
  put(&k, a);
  return k;
}

std::string bucket_prefix(const community_id& c) {
  auto k = start(buckets, 34);
  put(&k, c);
  return k;
}

std::string bucket_key(const community_id& c, std::uint8_t bucket) {
  auto k = bucket_prefix(c);
  k.push_back(static_cast<char>(bucket));
  return k;
}

std::string community_key(const community_id& c) {
  auto k = start(communities, 33);
  put(&k, c);
  return k;
}

namespace {
std::string feed_id_prefix(table t, const community_id& c, const public_key& a) {
  auto k = start(t, kFeedIdKey);
  put(&k, c);
  put(&k, a);
  return k;
}
std::string feed_id_key(table t, const community_id& c, const public_key& a, std::uint64_t seq,
                        const record_id& id) {
  auto k = feed_id_prefix(t, c, a);
  put_u64(&k, seq);
  put(&k, id);
  return k;
}
}  // namespace

std::string fork_prefix(const community_id& c, const public_key& a) {
  return feed_id_prefix(forks, c, a);
}
std::string fork_key(const community_id& c, const public_key& a, std::uint64_t seq,
                     const record_id& id) {
  return feed_id_key(forks, c, a, seq, id);
}
std::string pending_prefix(const community_id& c, const public_key& a) {
  return feed_id_prefix(pending, c, a);
}
std::string pending_key(const community_id& c, const public_key& a, std::uint64_t seq,
                        const record_id& id) {
  return feed_id_key(pending, c, a, seq, id);
}

std::string pending_count_key(const community_id& c, const public_key& a) {
  auto k = start(pending_counts, kHeadKey);
  put(&k, c);
  put(&k, a);
  return k;
}

std::string meta_key(std::string_view name) {
  auto k = start(meta, 1 + name.size());
  k.append(name);
  return k;
}

std::string peer_key(std::string_view address) {
  auto k = start(peers, 1 + address.size());
  k.append(address);
  return k;
}

std::string view_key(std::string_view key) {
  auto k = start(views, 1 + key.size());
  k.append(key);
  return k;
}

bool parse_record_key(std::string_view key, feed_key_parts* out) {
  if (key.size() != kFeedKey || key[0] != static_cast<char>(records)) return false;
  out->community = take<community_id>(key, 1);
  out->author = take<public_key>(key, 33);
  out->seq = get_u64(key.substr(65));
  return true;
}

bool parse_feed_id_key(std::string_view key, feed_key_parts* out) {
  if (key.size() != kFeedIdKey) return false;
  out->community = take<community_id>(key, 1);
  out->author = take<public_key>(key, 33);
  out->seq = get_u64(key.substr(65));
  out->id = take<record_id>(key, 73);
  return true;
}

bool parse_order_key(std::string_view key, order_key_parts* out) {
  if (key.size() != kOrderKey || key[0] != static_cast<char>(order)) return false;
  out->community = take<community_id>(key, 1);
  out->pos.lamport = get_u64(key.substr(33));
  out->pos.author = take<public_key>(key, 41);
  out->pos.seq = get_u64(key.substr(73));
  return true;
}

bool parse_head_key(std::string_view key, community_id* community, public_key* author) {
  if (key.size() != kHeadKey) return false;
  *community = take<community_id>(key, 1);
  *author = take<public_key>(key, 33);
  return true;
}

std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto& last = end.back();
    if (static_cast<std::uint8_t>(last) != 0xff) {
      last = static_cast<char>(static_cast<std::uint8_t>(last) + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

namespace {

// The end both row layouts share: has_prev(1) [prev(32)] bytes.
void put_prev_and_bytes(std::string* v, const record_entry& e) {
  v->push_back(e.prev ? 1 : 0);
  if (e.prev) put(v, *e.prev);
  v->append(e.bytes);
}

// Reads that end from `at` (the has_prev byte, which the caller's size check covers).
bool take_prev_and_bytes(std::string_view value, std::size_t at, record_entry* out) {
  switch (value[at++]) {
    case 0:
      out->prev.reset();
      break;
    case 1:
      if (value.size() < at + 32) return false;
      out->prev = take<record_id>(value, at);
      at += 32;
      break;
    default:
      return false;
  }
  out->bytes.assign(value.substr(at));
  return true;
}

}  // namespace

void encode_log_row(const record_entry& e, std::string* out) {
  std::string& v = *out;
  v.clear();
  v.reserve(kLogRowFixed + 32 + e.bytes.size());
  v.push_back(1);
  put(&v, e.id);
  put_u64(&v, e.lamport);
  put_prev_and_bytes(&v, e);
}

bool decode_log_row(const feed_key_parts& key, std::string_view value, record_entry* out) {
  if (value.size() < kLogRowFixed || value[0] != 1) return false;
  out->id = take<record_id>(value, 1);
  out->community = key.community;
  out->author = key.author;
  out->seq = key.seq;
  out->lamport = get_u64(value.substr(33));
  return take_prev_and_bytes(value, kLogRowFixed - 1, out);
}

bool log_row_id(std::string_view value, record_id* out) {
  if (value.size() < kLogRowFixed || value[0] != 1) return false;
  *out = take<record_id>(value, 1);
  return true;
}

std::string encode_position(const community_id& c, const public_key& a, std::uint64_t seq) {
  std::string v;
  v.reserve(kPosition);
  put(&v, c);
  put(&v, a);
  put_u64(&v, seq);
  return v;
}

bool decode_position(std::string_view value, feed_key_parts* out) {
  if (value.size() != kPosition) return false;
  out->community = take<community_id>(value, 0);
  out->author = take<public_key>(value, 32);
  out->seq = get_u64(value.substr(64));
  return true;
}

std::string encode_entry(const record_entry& e) {
  std::string v;
  encode_entry(e, &v);
  return v;
}

void encode_entry(const record_entry& e, std::string* out) {
  std::string& v = *out;
  v.clear();
  v.reserve(kEntryFixed + 32 + e.bytes.size());
  v.push_back(1);
  put(&v, e.community);
  put(&v, e.author);
  put_u64(&v, e.seq);
  put_u64(&v, e.lamport);
  put_prev_and_bytes(&v, e);
}

bool decode_entry(const record_id& id, std::string_view value, record_entry* out) {
  if (value.size() < kEntryFixed || value[0] != 1) return false;
  out->id = id;
  out->community = take<community_id>(value, 1);
  out->author = take<public_key>(value, 33);
  out->seq = get_u64(value.substr(65));
  out->lamport = get_u64(value.substr(73));
  return take_prev_and_bytes(value, kEntryFixed - 1, out);
}

std::string encode_head(const feed_head& h) {
  std::string v;
  v.reserve(kHeadValue);
  put_u64(&v, h.seq);
  put(&v, h.id);
  put_u64(&v, h.lamport);
  v.push_back(h.forked ? 1 : 0);
  return v;
}

bool decode_head(const public_key& author, std::string_view value, feed_head* out) {
  if (value.size() != kHeadValue) return false;
  out->author = author;
  out->seq = get_u64(value);
  out->id = take<record_id>(value, 8);
  out->lamport = get_u64(value.substr(40));
  if (static_cast<std::uint8_t>(value[48]) > 1) return false;
  out->forked = value[48] == 1;
  return true;
}

}  // namespace zwerm::store::keys
