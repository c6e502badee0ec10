// Schema migrations. A crash during a migration leaves the old version intact: each step
// either fits one synced WriteBatch, or writes its new rows beside the old ones first and
// commits the new version in one synced batch after them (the old rows are deleted after that
// commit, and an interrupted deletion is finished at the next open).
//
//   v1 (first layout): records keyed by id (R), feed index (S), total-order index, heads,
//       forks, pending, pending counts, peers, views, meta.
//   v2: adds the per-bucket frontier digests (B) and the community table (C), derived from
//       the heads and the feed index; before v2 they were computed by scanning all heads.
//   v3: records keyed by feed position (L) with an id index (I) instead of R and S, and an
//       empty value in the total-order index: a feed is one run of rows, so serving it, or
//       replaying in total order, reads each table block once for many records.
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
    prefix_iter it(s, std::string(1, keys::v2_feeds));
    for (; it.valid(); it.next()) {
      if (it.key().size() != 1 + 32 + 32 + 8) {
        return s.corruption("a feed index entry is unreadable (while migrating from schema 1)");
      }
      community_id c;
      community_id::from(it.key().substr(1, 32), &c);
      ++counts[c].second;
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

status v2_to_v3(leveldb::DB& db, const std::filesystem::path& dir, std::uint64_t* unreadable) {
  constexpr std::string_view doing = "migrate from schema 2 to 3";
  // 1. Every R row gets its L and I rows; the R, S and O rows stay as they are.
  {
    chunked_writer w(db, dir, doing);
    std::unique_ptr<leveldb::Iterator> it(db.NewIterator({}));
    const std::string prefix(1, keys::v2_records);
    std::string row;
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      record_id id;
      record_entry e;
      if (it->key().size() != 33 || !record_id::from(sv(it->key()).substr(1), &id) ||
          !keys::decode_entry(id, sv(it->value()), &e)) {
        if (!unreadable) {
          return {status_code::corruption,
                  "the store in " + dir.string() +
                      " is damaged: a record is unreadable (while migrating from schema 2); " +
                      repair_advice(dir)};
        }
        ++*unreadable;
        continue;
      }
      keys::encode_log_row(e, &row);
      w.batch().Put(keys::record_key(e.community, e.author, e.seq), row);
      w.batch().Put(keys::id_key(id), keys::encode_position(e.community, e.author, e.seq));
      if (auto st = w.maybe_flush(); !st.ok()) return st;
    }
    if (!it->status().ok()) return from_leveldb(it->status(), dir, doing);
    if (auto st = w.flush(false); !st.ok()) return st;
  }
  // 2. The new version, and the note that old rows wait to be deleted, in one synced batch.
  leveldb::WriteBatch wb;
  std::string v;
  keys::put_u32(&v, 3);
  wb.Put(keys::meta_key(keys::meta_schema), v);
  wb.Put(keys::meta_key(keys::meta_retired), "2");
  leveldb::WriteOptions sync;
  sync.sync = true;
  if (auto st = from_leveldb(db.Write(sync, &wb), dir, doing); !st.ok()) return st;
  // 3. The old rows go.
  return delete_retired_rows(db, dir);
}

status delete_retired_rows(leveldb::DB& db, const std::filesystem::path& dir) {
  constexpr std::string_view doing = "delete the rows of schema 2";
  chunked_writer w(db, dir, doing);
  std::unique_ptr<leveldb::Iterator> it(db.NewIterator({}));
  for (char t : {keys::v2_records, keys::v2_feeds, keys::v2_rebuild, keys::order}) {
    const std::string prefix(1, t);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      if (t == keys::order) {
        if (!it->value().empty()) w.batch().Put(it->key(), {});  // the id it held is in L
      } else {
        w.batch().Delete(it->key());
      }
      if (auto st = w.maybe_flush(); !st.ok()) return st;
    }
    if (!it->status().ok()) return from_leveldb(it->status(), dir, doing);
  }
  w.batch().Delete(keys::meta_key(keys::meta_retired));
  return w.flush(true);
}

status migrate(store::impl& s, std::uint32_t from) {
  for (std::uint32_t v = from; v < schema_version; ++v) {
    status st;
    switch (v) {
      case 1:
        st = v1_to_v2(s);
        break;
      case 2:
        st = v2_to_v3(*s.db, s.dir, nullptr);
        break;
      default:
        st = {status_code::unsupported, "no migration from schema " + std::to_string(v)};
    }
    if (!st.ok()) return st;
  }
  return {};
}

}  // namespace zwerm::store
