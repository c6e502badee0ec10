// Internal to store/*.cpp: the state behind store::impl and LevelDB helpers shared by the
// store's source files (open, ingest, reads, check, repair).
#pragma once

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/filter_policy.h>
#include <leveldb/iterator.h>
#include <leveldb/write_batch.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace zwerm::store {

// LevelDB's status as a sentence for people. `doing` says what the store was trying to do
// ("open", "write a batch", ...). A held LOCK becomes busy; corruption names the repair command.
status from_leveldb(const leveldb::Status& s, const std::filesystem::path& dir,
                    std::string_view doing);
// The `zwermd repair --home HOME` advice for a store directory (HOME = dir's parent when the
// directory is called db, as in <home>/db).
std::string repair_advice(const std::filesystem::path& dir);

// The LevelDB options every store open uses, built from store options. Owns cache and filter.
struct leveldb_setup {
  explicit leveldb_setup(const options& opts);
  leveldb::Options ldb;
  std::unique_ptr<leveldb::Cache> cache;
  std::unique_ptr<const leveldb::FilterPolicy> filter;
};

struct store::impl {
  std::filesystem::path dir;
  options opts;
  leveldb_setup setup;
  // Null only after a reopen failed (reads then fail with reopen_failure until one works).
  std::unique_ptr<leveldb::DB> db;
  // Guards `db` against reopen(): every read holds it shared for as long as it uses `db` (a
  // get, an iterator, a snapshot). reopen() takes it exclusively with try_lock only, so it
  // never waits for a reader, and a thread that holds a cursor can still call a write (which
  // then finds the store busy and retries later) without a deadlock. Reads nest (a cursor's
  // get under its iterator's hold): libstdc++'s shared_mutex is a pthread rwlock, which lets a
  // thread take several read locks, and as nobody ever waits for the exclusive lock, nesting
  // cannot deadlock.
  mutable std::shared_mutex db_mu;

  std::mutex write_mu;              // one writer at a time
  std::uint64_t pending_total = 0;  // mirror of M "pending"; guarded by write_mu
  bool write_failed = false;        // guarded by write_mu
  std::string write_failure;        // guarded by write_mu
  std::chrono::steady_clock::time_point last_reopen{};  // guarded by write_mu
  std::string reopen_failure;                           // why `db` is null; guarded by db_mu

  impl(std::filesystem::path d, const options& o) : dir(std::move(d)), opts(o), setup(o) {}

  leveldb::ReadOptions read_options(const leveldb::Snapshot* snap = nullptr) const {
    leveldb::ReadOptions r;
    r.verify_checksums = true;
    r.snapshot = snap;
    return r;
  }
  // Get with NotFound folded into *found.
  status get(const std::string& key, std::string* value, bool* found,
             const leveldb::Snapshot* snap = nullptr) const;
  // The same for a caller that holds db_mu (or store::open) and knows db is not null.
  status read(const std::string& key, std::string* value, bool* found,
              const leveldb::Snapshot* snap = nullptr) const;
  status corruption(std::string what) const;
  // Writes one synced batch; the caller holds write_mu. After a failed write LevelDB cannot
  // tell how much of the log record reached the file and keeps refusing writes itself, so the
  // store marks itself failed (write_failed) until it is reopened; reads keep working.
  status commit(leveldb::WriteBatch& wb, std::string_view doing);
  // Whether a write may go ahead; the caller holds write_mu. After a failed write it reopens
  // the database (at most once a second, and only once a probe file can be written and no
  // reader holds db_mu): LevelDB's recovery keeps every synced batch and drops the torn tail,
  // and writes are taken again without restarting zwermd.
  status writable();
  // Opens `db` (which is null) and reads what the store keeps in memory; the caller holds
  // db_mu exclusively, or is store::open.
  status open_db();
  bool room_to_reopen() const;
};

// A reader's hold on store::impl::db (see db_mu); error() is not ok when there is no
// database to read (a reopen failed), and then nothing may touch db.
class db_reader {
 public:
  explicit db_reader(const store::impl& s) : lock_(s.db_mu), s_(s) {}
  status error() const;

 private:
  std::shared_lock<std::shared_mutex> lock_;
  const store::impl& s_;
};

// Iterates the keys that start with `prefix` from `from` (>= prefix) onward.
class prefix_iter {
 public:
  prefix_iter(const store::impl& s, std::string prefix, const std::string& from,
              const leveldb::Snapshot* snap = nullptr);
  prefix_iter(const store::impl& s, std::string prefix, const leveldb::Snapshot* snap = nullptr)
      : prefix_iter(s, prefix, prefix, snap) {}
  bool valid() const;
  std::string_view key() const;
  std::string_view value() const;
  void next() { it_->Next(); }
  leveldb::Status status() const { return it_->status(); }

 private:
  db_reader reader_;
  std::string prefix_;
  std::unique_ptr<leveldb::Iterator> it_;
};

inline std::string_view sv(const leveldb::Slice& s) {
  return {s.data(), s.size()};
}
inline leveldb::Slice sl(std::string_view s) {
  return {s.data(), s.size()};
}

// Writes in bounded (4 MiB), unsynced batches, for work over whole tables (migrations,
// repair); flush(true) writes the rest and syncs.
class chunked_writer {
 public:
  chunked_writer(leveldb::DB& db, const std::filesystem::path& dir, std::string_view doing)
      : db_(db), dir_(dir), doing_(doing) {}
  leveldb::WriteBatch& batch() { return wb_; }
  status maybe_flush() { return wb_.ApproximateSize() < (4u << 20) ? status{} : flush(false); }
  status flush(bool sync) {
    leveldb::WriteOptions w;
    w.sync = sync;
    auto s = db_.Write(w, &wb_);
    wb_.Clear();
    return from_leveldb(s, dir_, doing_);
  }

 private:
  leveldb::DB& db_;
  const std::filesystem::path& dir_;
  std::string_view doing_;
  leveldb::WriteBatch wb_;
};

// Compares every table file the MANIFEST lists with the file on disk (size, footer magic).
status check_table_files(leveldb::DB& db, leveldb::Env* env, const std::filesystem::path& dir);

// Schema migrations (store/migrate.cpp): brings an open database at `from` up to
// schema_version; a crash on the way leaves version `from` (or a later one) intact.
status migrate(store::impl& s, std::uint32_t from);
// The step from schema 2 (or 1) to 3 on a raw database: records keyed by id become records
// keyed by feed position with an id index. An unreadable record is an error, or, with
// `unreadable` (repair), left behind and counted there.
status v2_to_v3(leveldb::DB& db, const std::filesystem::path& dir, std::uint64_t* unreadable);
// Deletes the rows an older schema left (M "retired" says some wait), then that note.
status delete_retired_rows(leveldb::DB& db, const std::filesystem::path& dir);

// Table checks of the open database (store/check.cpp).
status check_tables(const store::impl& s);

}  // namespace zwerm::store
