// Schema migrations. Each step brings the database up one version inside one synced
// WriteBatch, so a crash during a migration leaves the old version intact.
//
//   v1 (first layout): records, feed index, total-order index, heads, forks, pending,
//       pending counts, peers, views, meta.
//   v2: adds the per-bucket frontier digests (B) and the community table (C), derived from
//       the heads and the feed index; before v2 they were computed by scanning all heads.
#include <map>

#include "store/db.hpp"
#include "store/frontier.hpp"
#include "store/keys.hpp"

namespace zwerm::store {

namespace {

status v1_to_v2(store::impl& s) {
  leveldb::WriteBatch wb;
  std::map<community_id, std::array<crypto::digest, 256>> buckets;
  std::map<community_id, std::pair<std::uint64_t, std::uint64_t>> counts;  // feeds, records
  {
    prefix_iter it(s, std::string(1, keys::heads));
    for (; it.valid(); it.next()) {
      community_id c;
      crypto::public_key a;
      feed_head h;
      if (!keys::parse_head_key(it.key(), &c, &a) || !keys::decode_head(a, it.value(), &h)) {
        return s.corruption("a feed head is unreadable (while migrating from schema 1)");
      }
      xor_into(&buckets[c][a.bytes[0]], feed_hash(h));
      ++counts[c].first;
    }
    if (auto st = from_leveldb(it.status(), s.dir, "migrate from schema 1"); !st.ok()) return st;
  }
  {
    prefix_iter it(s, std::string(1, keys::feeds));
    for (; it.valid(); it.next()) {
      keys::feed_key_parts k;
      if (!keys::parse_feed_key(it.key(), &k)) {
        return s.corruption("a feed index entry is unreadable (while migrating from schema 1)");
      }
      ++counts[k.community].second;
    }
    if (auto st = from_leveldb(it.status(), s.dir, "migrate from schema 1"); !st.ok()) return st;
  }
  for (const auto& [c, b] : buckets) {
    for (int i = 0; i < 256; ++i) {
      if (!b[i].is_zero())
        wb.Put(keys::bucket_key(c, static_cast<std::uint8_t>(i)), sl(b[i].view()));
    }
  }
  for (const auto& [c, n] : counts) {
    std::string v;
    keys::put_u64(&v, n.first);
    keys::put_u64(&v, n.second);
    wb.Put(keys::community_key(c), v);
  }
  std::string v;
  keys::put_u32(&v, 2);
  wb.Put(keys::meta_key(keys::meta_schema), v);
  leveldb::WriteOptions w;
  w.sync = true;
  return from_leveldb(s.db->Write(w, &wb), s.dir, "migrate from schema 1 to 2");
}

}  // namespace

status migrate(store::impl& s, std::uint32_t from) {
  for (std::uint32_t v = from; v < schema_version; ++v) {
    status st;
    switch (v) {
      case 1:
        st = v1_to_v2(s);
        break;
      default:
        st = {status_code::unsupported, "no migration from schema " + std::to_string(v)};
    }
    if (!st.ok()) return st;
  }
  return {};
}

}  // namespace zwerm::store
