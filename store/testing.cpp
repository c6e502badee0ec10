#include "store/testing.hpp"

#include "store/db.hpp"
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

status write_v1_store(const std::filesystem::path& dir, std::span<const record_entry> records) {
  auto db = open_raw(dir, true);
  if (!db) return db.error();
  leveldb::WriteBatch wb;
  for (const auto& r : records) {
    wb.Put(keys::record_key(r.id), keys::encode_entry(r));
    wb.Put(keys::feed_key(r.community, r.author, r.seq), sl(r.id.view()));
    wb.Put(keys::order_key(r.community, r.lamport, r.author, r.seq), sl(r.id.view()));
    wb.Put(keys::head_key(r.community, r.author),
           keys::encode_head(feed_head{r.author, r.seq, r.id, r.lamport, false}));
  }
  std::string v;
  keys::put_u32(&v, 1);
  wb.Put(keys::meta_key(keys::meta_schema), v);
  return write(**db, wb, dir);
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
  leveldb::WriteBatch wb;
  wb.Delete(keys::record_key(id));
  return write(**db, wb, dir);
}

}  // namespace zwerm::store::testing
