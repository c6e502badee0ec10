// Opening and reopening the store: LevelDB's open, the check of its table files, the schema
// version, and the reopen after a failed write (docs/ARCHITECTURE.md, "Durability").
#include <charconv>
#include <system_error>

#include "store/db.hpp"
#include "store/keys.hpp"

namespace zwerm::store {

namespace {

// The last 8 bytes of every LevelDB table file (table/format.h, kTableMagicNumber).
constexpr std::uint64_t table_magic = 0xdb4775248b80fb57ull;
constexpr std::size_t table_footer = 48;

// Every table file LevelDB's MANIFEST lists, with its recorded size: parses the
// "leveldb.sstables" property (" NUMBER:SIZE[smallest .. largest]" per file).
std::vector<std::pair<std::uint64_t, std::uint64_t>> listed_tables(leveldb::DB& db) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  std::string text;
  if (!db.GetProperty("leveldb.sstables", &text)) return out;
  std::size_t at = 0;
  while ((at = text.find(':', at)) != std::string::npos) {
    std::size_t start = at;
    while (start > 0 && text[start - 1] >= '0' && text[start - 1] <= '9') --start;
    std::uint64_t number = 0, size = 0;
    auto r1 = std::from_chars(text.data() + start, text.data() + at, number);
    auto r2 = std::from_chars(text.data() + at + 1, text.data() + text.size(), size);
    if (start < at && r1.ec == std::errc() && r2.ec == std::errc() && *r2.ptr == '[') {
      out.emplace_back(number, size);
    }
    at += 1;
  }
  return out;
}

std::string table_name(const std::filesystem::path& dir, std::uint64_t number, const char* ext) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06llu.%s", static_cast<unsigned long long>(number), ext);
  return (dir / buf).string();
}

}  // namespace

// Truncated or overwritten table files are found here, at open, by their size and footer
// magic: cheap (one small read per file) and it turns a later mysterious read error into a
// clear message now. Damage inside a table's blocks is caught by checksums on first read.
status check_table_files(leveldb::DB& db, leveldb::Env* env, const std::filesystem::path& dir) {
  // DB::Open may already have started a compaction, which deletes the tables it merged once
  // its result is installed: a file that is gone and no longer listed was compacted away.
  auto still_listed = [&](std::uint64_t number) {
    for (auto [n, _] : listed_tables(db)) {
      if (n == number) return true;
    }
    return false;
  };
  for (auto [number, size] : listed_tables(db)) {
    std::string name = table_name(dir, number, "ldb");
    if (!env->FileExists(name)) name = table_name(dir, number, "sst");
    std::uint64_t actual = 0;
    auto s = env->GetFileSize(name, &actual);
    if (!s.ok() && !still_listed(number)) continue;
    if (!s.ok()) return from_leveldb(s, dir, "open");
    if (actual != size) {
      return {status_code::corruption, "the store in " + dir.string() + " is damaged: table file " +
                                           name + " has " + std::to_string(actual) +
                                           " bytes but should have " + std::to_string(size) + "; " +
                                           repair_advice(dir)};
    }
    if (size < table_footer) continue;  // LevelDB itself rejects it on first read
    leveldb::RandomAccessFile* file = nullptr;
    s = env->NewRandomAccessFile(name, &file);
    if (!s.ok() && !still_listed(number)) continue;
    if (!s.ok()) return from_leveldb(s, dir, "open");
    std::unique_ptr<leveldb::RandomAccessFile> owned(file);
    char scratch[8];
    leveldb::Slice got;
    s = file->Read(size - 8, 8, &got, scratch);
    if (!s.ok()) return from_leveldb(s, dir, "open");
    std::uint64_t magic = 0;
    for (int i = 7; i >= 0 && got.size() == 8; --i) {
      magic = (magic << 8) | static_cast<std::uint8_t>(got[i]);  // little-endian fixed64
    }
    if (magic != table_magic) {
      return {status_code::corruption, "the store in " + dir.string() + " is damaged: table file " +
                                           name + " does not end in a table footer; " +
                                           repair_advice(dir)};
    }
  }
  return {};
}

status store::impl::writable() {
  if (!write_failed) return {};
  const status failed{status_code::io_error, write_failure};
  const auto now = std::chrono::steady_clock::now();
  if (now - last_reopen < opts.reopen_interval) return failed;
  last_reopen = now;
  if (!room_to_reopen()) return failed;
  std::unique_lock lock(db_mu, std::try_to_lock);
  if (!lock.owns_lock()) return failed;  // a reader is busy: the next write tries again
  db.reset();
  if (auto st = open_db(); !st.ok()) {
    db.reset();
    reopen_failure = "the store in " + dir.string() +
                     " could not be reopened after a write error (" + st.message() +
                     "); it tries again at the next write";
    return {status_code::io_error, reopen_failure};
  }
  write_failed = false;
  write_failure.clear();
  reopen_failure.clear();
  return {};
}

// Reopening writes: LevelDB turns the log it replays into a table and starts a new log and
// manifest. Without room for that the reopen would fail and leave the store without a
// database to read, so it waits until a probe file can be written and synced (and, on the
// real file system, until there is room for the logs' contents and a MiB more).
bool store::impl::room_to_reopen() const {
  leveldb::Env* env = setup.ldb.env;
  if (!opts.env) {
    std::error_code ec;
    std::uintmax_t logs = 0;
    for (const auto& f : std::filesystem::directory_iterator(dir, ec)) {
      if (f.path().extension() == ".log") logs += f.file_size(ec);
    }
    const auto space = std::filesystem::space(dir, ec);
    if (ec || space.available < logs + (1u << 20)) return false;
  }
  const std::string name = (dir / "WRITE-PROBE").string();
  leveldb::WritableFile* raw = nullptr;
  if (!env->NewWritableFile(name, &raw).ok()) return false;
  std::unique_ptr<leveldb::WritableFile> file(raw);
  const std::string block(64 * 1024, '\0');
  const bool ok = file->Append(block).ok() && file->Sync().ok() && file->Close().ok();
  file.reset();
  env->RemoveFile(name);
  return ok;
}

status store::impl::open_db() {
  leveldb::Env* env = setup.ldb.env;
  leveldb::DB* raw = nullptr;
  auto s = leveldb::DB::Open(setup.ldb, dir.string(), &raw);
  if (!s.ok()) return from_leveldb(s, dir, "open the store");
  db.reset(raw);

  if (auto st = check_table_files(*db, env, dir); !st.ok()) return st;

  std::string value;
  bool found = false;
  if (auto st = read(keys::meta_key(keys::meta_schema), &value, &found); !st.ok()) return st;
  if (!found) {
    std::unique_ptr<leveldb::Iterator> it(db->NewIterator(read_options()));
    it->SeekToFirst();
    if (!it->status().ok()) return from_leveldb(it->status(), dir, "open the store");
    if (it->Valid()) return corruption("it holds data but no schema version");
    leveldb::WriteBatch wb;
    std::string v;
    keys::put_u32(&v, schema_version);
    wb.Put(keys::meta_key(keys::meta_schema), v);
    leveldb::WriteOptions w;
    w.sync = true;
    if (auto st = from_leveldb(db->Write(w, &wb), dir, "create the store"); !st.ok()) {
      return st;
    }
  } else {
    if (value.size() != 4) return corruption("its schema version is unreadable");
    const auto version = keys::get_u32(value);
    if (version > schema_version) {
      return {status_code::unsupported,
              "the store in " + dir.string() + " was written by a newer zwerm (schema " +
                  std::to_string(version) + "; this zwermd understands up to schema " +
                  std::to_string(schema_version) +
                  "); run a newer zwermd, or move the directory aside"};
    }
    if (version == 0) return corruption("its schema version is 0");
    if (version < schema_version) {
      // Only at store::open: a reopen finds the version this process wrote.
      if (auto st = migrate(*this, version); !st.ok()) return st;
    }
    // A migration that committed its version but was stopped while deleting old rows.
    if (auto st = read(keys::meta_key(keys::meta_retired), &value, &found); !st.ok()) return st;
    if (found) {
      if (auto st = delete_retired_rows(*db, dir); !st.ok()) return st;
    }
  }

  if (auto st = read(keys::meta_key(keys::meta_pending), &value, &found); !st.ok()) return st;
  if (found) {
    if (value.size() != 8) return corruption("its pending counter is unreadable");
    pending_total = keys::get_u64(value);
  }
  return {};
}

result<std::unique_ptr<store>> store::open(const std::filesystem::path& dir, const options& opts) {
  auto p = std::make_unique<impl>(dir, opts);
  leveldb::Env* env = p->setup.ldb.env;
  if (opts.create_if_missing) {
    // LevelDB creates the last directory itself (through the environment, which may be in
    // memory); on the real file system the parents must exist too.
    if (!opts.env) {
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      if (ec) {
        return status{status_code::io_error,
                      "could not create the store directory " + dir.string() + ": " + ec.message()};
      }
    }
  } else if (!env->FileExists((dir / "CURRENT").string())) {
    return status{status_code::not_found, "there is no store in " + dir.string()};
  }

  if (auto st = p->open_db(); !st.ok()) return st;
  return std::unique_ptr<store>(new store(std::move(p)));
}

}  // namespace zwerm::store
