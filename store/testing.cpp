#include "store/testing.hpp"

#include <map>

#include "store/db.hpp"
#include "store/frontier.hpp"
#include "store/keys.hpp"

namespace zwerm::store::testing {

namespace {

result<std::unique_ptr<leveldb::DB>> open_raw(const std::filesystem::path& dir, bool create) {
  leveldb::Options o;
  o.create_if_missing = create;
  std::error_code ec;
  if (create) std::filesystem::create_directories(dir, ec);
  leveldb::DB* db = nullptr;
  auto s = leveldb::DB::Open(o, dir.string(), &db);
  if (!s.ok()) return from_leveldb(s, dir, "open the store");
  return std::unique_ptr<leveldb::DB>(db);
}

status write(leveldb::DB& db, leveldb::WriteBatch& wb, const std::filesystem::path& dir) {
  leveldb::WriteOptions w;
  w.sync = true;
  return from_leveldb(db.Write(w, &wb), dir, "write");
}

}  // namespace

namespace {

// The rows schema 1 wrote (schema 2 writes the same and adds B and C).
void put_v1_rows(leveldb::WriteBatch& wb, std::span<const record_entry> records) {
  for (const auto& r : records) {
    wb.Put(keys::v2_record_key(r.id), keys::encode_entry(r));
    wb.Put(keys::v2_feed_key(r.community, r.author, r.seq), sl(r.id.view()));
    wb.Put(keys::order_key(r.community, r.lamport, r.author, r.seq), sl(r.id.view()));
    wb.Put(keys::head_key(r.community, r.author),
           keys::encode_head(feed_head{r.author, r.seq, r.id, r.lamport, false}));
  }
}

void put_schema(leveldb::WriteBatch& wb, std::uint32_t version) {
  std::string v;
  keys::put_u32(&v, version);
  wb.Put(keys::meta_key(keys::meta_schema), v);
}

}  // namespace

status write_v1_store(const std::filesystem::path& dir, std::span<const record_entry> records) {
  auto db = open_raw(dir, true);
  if (!db) return db.error();
  leveldb::WriteBatch wb;
  put_v1_rows(wb, records);
  put_schema(wb, 1);
  return write(**db, wb, dir);
}

status write_v2_store(const std::filesystem::path& dir, std::span<const record_entry> records) {
  auto db = open_raw(dir, true);
  if (!db) return db.error();
  leveldb::WriteBatch wb;
  put_v1_rows(wb, records);
  std::map<std::pair<community_id, crypto::public_key>, feed_head> heads;
  std::map<community_id, std::uint64_t> counts;
  for (const auto& r : records) {
    heads[{r.community, r.author}] = feed_head{r.author, r.seq, r.id, r.lamport, false};
    ++counts[r.community];
  }
  std::map<community_id, std::array<crypto::digest, 256>> buckets;
  std::map<community_id, std::uint64_t> feeds;
  for (const auto& [f, h] : heads) {
    xor_into(&buckets[f.first][f.second.bytes[0]], feed_hash(h));
    ++feeds[f.first];
  }
  for (const auto& [c, b] : buckets) {
    for (int i = 0; i < 256; ++i) {
      if (!b[i].is_zero())
        wb.Put(keys::bucket_key(c, static_cast<std::uint8_t>(i)), sl(b[i].view()));
    }
    std::string v;
    keys::put_u64(&v, feeds[c]);
    keys::put_u64(&v, counts[c]);
    wb.Put(keys::community_key(c), v);
  }
  put_schema(wb, 2);
  return write(**db, wb, dir);
}

status leave_v2_rows(const std::filesystem::path& dir, std::span<const record_entry> records) {
  auto db = open_raw(dir, false);
  if (!db) return db.error();
  leveldb::WriteBatch wb;
  put_v1_rows(wb, records);
  wb.Put(keys::meta_key(keys::meta_retired), "2");
  return write(**db, wb, dir);
}

result<std::uint64_t> count_rows(const std::filesystem::path& dir, char table) {
  auto db = open_raw(dir, false);
  if (!db) return db.error();
  std::unique_ptr<leveldb::Iterator> it((*db)->NewIterator({}));
  const std::string prefix(1, table);
  std::uint64_t n = 0;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) ++n;
  if (!it->status().ok()) return from_leveldb(it->status(), dir, "count rows");
  return n;
}

status set_schema(const std::filesystem::path& dir, std::uint32_t version) {
  auto db = open_raw(dir, false);
  if (!db) return db.error();
  leveldb::WriteBatch wb;
  std::string v;
  keys::put_u32(&v, version);
  wb.Put(keys::meta_key(keys::meta_schema), v);
  return write(**db, wb, dir);
}

status drop_table(const std::filesystem::path& dir, char table) {
  auto db = open_raw(dir, false);
  if (!db) return db.error();
  leveldb::WriteBatch wb;
  std::unique_ptr<leveldb::Iterator> it((*db)->NewIterator({}));
  const std::string prefix(1, table);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    wb.Delete(it->key());
  }
  return write(**db, wb, dir);
}

status erase_record(const std::filesystem::path& dir, const record_id& id) {
  auto db = open_raw(dir, false);
  if (!db) return db.error();
  std::string at;
  keys::feed_key_parts pos;
  auto s = (*db)->Get({}, keys::id_key(id), &at);
  if (!s.ok()) return from_leveldb(s, dir, "find the record");
  if (!keys::decode_position(at, &pos))
    return {status_code::corruption, "unreadable id index entry"};
  leveldb::WriteBatch wb;
  wb.Delete(keys::record_key(pos.community, pos.author, pos.seq));
  return write(**db, wb, dir);
}

}  // namespace zwerm::store::testing
