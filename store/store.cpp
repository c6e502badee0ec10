#include "store/store.hpp"

#include <system_error>

#include <leveldb/env.h>

#include "store/db.hpp"
#include "store/frontier.hpp"
#include "store/keys.hpp"

namespace zwerm::store {

namespace {

// LevelDB reports a held LOCK as IOError("lock <dir>/LOCK", ...) from another process (fcntl)
// and from this one ("already held by process").
bool is_lock_error(const leveldb::Status& s) {
  if (!s.IsIOError()) return false;
  const auto text = s.ToString();
  return text.rfind("IO error: lock ", 0) == 0 && text.find("/LOCK") != std::string::npos;
}

leveldb::Env* env_of(const options& opts) {
  return opts.env ? opts.env->leveldb_env() : leveldb::Env::Default();
}

}  // namespace

std::string repair_advice(const std::filesystem::path& dir) {
  if (dir.filename() == "db") {
    return "run `zwermd repair --home " + dir.parent_path().string() + "` to rebuild it";
  }
  return "run `zwermd repair` on the home that holds " + dir.string() + " to rebuild it";
}

status from_leveldb(const leveldb::Status& s, const std::filesystem::path& dir,
                    std::string_view doing) {
  if (s.ok()) return {};
  const std::string detail = s.ToString();
  if (is_lock_error(s)) {
    return {status_code::busy, "another zwermd is using " + dir.string() +
                                   " (its lock file is held); stop it first, or use another "
                                   "--home"};
  }
  if (s.IsCorruption()) {
    return {status_code::corruption, "the store in " + dir.string() + " is damaged (" +
                                         std::string(doing) + ": " + detail + "); " +
                                         repair_advice(dir)};
  }
  if (s.IsNotFound()) {
    return {status_code::not_found,
            "could not " + std::string(doing) + " in " + dir.string() + ": " + detail};
  }
  return {status_code::io_error,
          "could not " + std::string(doing) + " in " + dir.string() + ": " + detail};
}

leveldb_setup::leveldb_setup(const options& opts)
    : cache(leveldb::NewLRUCache(opts.cache_bytes)), filter(leveldb::NewBloomFilterPolicy(10)) {
  ldb.create_if_missing = opts.create_if_missing;
  ldb.paranoid_checks = true;
  ldb.block_cache = cache.get();
  ldb.filter_policy = filter.get();
  ldb.write_buffer_size = opts.write_buffer_bytes;
  ldb.block_size = opts.block_bytes;
  ldb.compression = opts.compress ? leveldb::kSnappyCompression : leveldb::kNoCompression;
  ldb.env = env_of(opts);
}

status db_reader::error() const {
  if (s_.db) return {};
  return {status_code::io_error, s_.reopen_failure};
}

status store::impl::get(const std::string& key, std::string* value, bool* found,
                        const leveldb::Snapshot* snap) const {
  db_reader reader(*this);
  if (auto st = reader.error(); !st.ok()) return st;
  return read(key, value, found, snap);
}

status store::impl::read(const std::string& key, std::string* value, bool* found,
                         const leveldb::Snapshot* snap) const {
  auto s = db->Get(read_options(snap), key, value);
  if (s.IsNotFound()) {
    *found = false;
    return {};
  }
  *found = s.ok();
  return from_leveldb(s, dir, "read");
}

status store::impl::commit(leveldb::WriteBatch& wb, std::string_view doing) {
  leveldb::WriteOptions w;
  w.sync = true;
  const auto ws = db->Write(w, &wb);
  if (ws.ok()) return {};
  write_failed = true;
  write_failure = "the store in " + dir.string() +
                  " stopped accepting writes after a write error (" + ws.ToString() +
                  "); it takes writes again once disk space is free (it tries again every "
                  "second, no restart needed)";
  return {status_code::io_error, "could not " + std::string(doing) + " in " + dir.string() + ": " +
                                     ws.ToString() + "; nothing of this batch was stored"};
}

status store::impl::corruption(std::string what) const {
  return {status_code::corruption,
          "the store in " + dir.string() + " is damaged: " + what + "; " + repair_advice(dir)};
}

prefix_iter::prefix_iter(const store::impl& s, std::string prefix, const std::string& from,
                         const leveldb::Snapshot* snap)
    : reader_(s),
      prefix_(std::move(prefix)),
      it_(s.db ? s.db->NewIterator(s.read_options(snap))
               : leveldb::NewErrorIterator(leveldb::Status::IOError(s.reopen_failure))) {
  it_->Seek(from);
}

bool prefix_iter::valid() const {
  return it_->Valid() && it_->key().starts_with(prefix_);
}
std::string_view prefix_iter::key() const {
  return sv(it_->key());
}
std::string_view prefix_iter::value() const {
  return sv(it_->value());
}

const char* to_string(outcome o) {
  switch (o) {
    case outcome::appended:
      return "appended";
    case outcome::duplicate:
      return "duplicate";
    case outcome::pending:
      return "pending";
    case outcome::dropped:
      return "dropped";
    case outcome::forked:
      return "forked";
  }
  return "unknown";
}

store::store(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
store::~store() = default;

const std::filesystem::path& store::dir() const {
  return impl_->dir;
}

// ---------------------------------------------------------------------------------- writes

status store::compact() {
  std::shared_lock lock(impl_->db_mu);
  if (!impl_->db) return status{status_code::io_error, impl_->reopen_failure};
  impl_->db->CompactRange(nullptr, nullptr);
  return {};
}

result<std::vector<std::pair<std::string, std::uint64_t>>> store::bytes_by_table() const {
  std::shared_lock lock(impl_->db_mu);
  if (!impl_->db) return status{status_code::io_error, impl_->reopen_failure};
  // Keys of the table with prefix `from` up to (not including) prefix `to`.
  const auto size_of = [&](char from, char to) {
    const std::string start(1, from), limit(1, to);
    leveldb::Range range(start, limit);
    std::uint64_t size = 0;
    impl_->db->GetApproximateSizes(&range, 1, &size);
    return size;
  };
  const auto table = [&](keys::table t) { return size_of(t, static_cast<char>(t + 1)); };
  std::vector<std::pair<std::string, std::uint64_t>> out = {
      {"records", table(keys::records)},
      {"id index", table(keys::record_ids)},
      {"order index", table(keys::order)},
      {"views", table(keys::views)},
  };
  std::uint64_t listed = 0;
  for (const auto& [name, size] : out) listed += size;
  const std::uint64_t all = size_of('\0', '\x7f');
  out.emplace_back("other", all > listed ? all - listed : 0);
  return out;
}

status store::write_views(std::span<const view_change> views) {
  std::lock_guard lock(impl_->write_mu);
  if (auto st = impl_->writable(); !st.ok()) return st;
  leveldb::WriteBatch wb;
  for (const auto& c : views) {
    if (c.value) {
      wb.Put(keys::view_key(c.key), *c.value);
    } else {
      wb.Delete(keys::view_key(c.key));
    }
  }
  return impl_->commit(wb, "write views");
}

status store::put_peer(const known_peer& peer) {
  std::lock_guard lock(impl_->write_mu);
  if (auto st = impl_->writable(); !st.ok()) return st;
  leveldb::WriteBatch wb;
  wb.Put(keys::peer_key(peer.address), peer.info);
  return impl_->commit(wb, "save a peer");
}

status store::erase_peer(const std::string& address) {
  std::lock_guard lock(impl_->write_mu);
  if (auto st = impl_->writable(); !st.ok()) return st;
  leveldb::WriteBatch wb;
  wb.Delete(keys::peer_key(address));
  return impl_->commit(wb, "forget a peer");
}

// ---------------------------------------------------------------------------------- reads

result<record_entry> store::get(const record_id& id) const {
  std::string value;
  bool found = false;
  if (auto st = impl_->get(keys::id_key(id), &value, &found); !st.ok()) return st;
  if (!found) return status{status_code::not_found, "no record with this id"};
  keys::feed_key_parts at;
  if (!keys::decode_position(value, &at))
    return impl_->corruption("an id index entry is unreadable");
  if (auto st = impl_->get(keys::record_key(at.community, at.author, at.seq), &value, &found);
      !st.ok()) {
    return st;
  }
  record_entry e;
  if (!found || !keys::decode_log_row(at, value, &e) || e.id != id) {
    return impl_->corruption("the id index points at a missing record");
  }
  return e;
}

result<bool> store::contains(const record_id& id) const {
  std::string value;
  bool found = false;
  if (auto st = impl_->get(keys::id_key(id), &value, &found); !st.ok()) return st;
  return found;
}

result<std::optional<feed_head>> store::head(const community_id& community,
                                             const crypto::public_key& author) const {
  std::string value;
  bool found = false;
  if (auto st = impl_->get(keys::head_key(community, author), &value, &found); !st.ok()) {
    return st;
  }
  if (!found) return std::optional<feed_head>{};
  feed_head h;
  if (!keys::decode_head(author, value, &h)) return impl_->corruption("a feed head is unreadable");
  return std::optional<feed_head>{h};
}

namespace {

result<std::vector<feed_head>> heads_with_prefix(const store::impl& s, const std::string& prefix) {
  std::vector<feed_head> out;
  for (prefix_iter it(s, prefix); it.valid(); it.next()) {
    community_id c;
    crypto::public_key a;
    feed_head h;
    if (!keys::parse_head_key(it.key(), &c, &a) || !keys::decode_head(a, it.value(), &h)) {
      return s.corruption("a feed head is unreadable");
    }
    out.push_back(h);
  }
  return out;
}

}  // namespace

result<std::vector<feed_head>> store::frontier(const community_id& community) const {
  return heads_with_prefix(*impl_, keys::head_prefix(community));
}

result<std::vector<feed_head>> store::bucket_heads(const community_id& community,
                                                   std::uint8_t bucket) const {
  auto prefix = keys::head_prefix(community);
  prefix.push_back(static_cast<char>(bucket));
  return heads_with_prefix(*impl_, prefix);
}

result<std::array<crypto::digest, 256>> store::bucket_digests(const community_id& community) const {
  std::array<crypto::digest, 256> out{};
  const auto prefix = keys::bucket_prefix(community);
  for (prefix_iter it(*impl_, prefix); it.valid(); it.next()) {
    if (it.key().size() != prefix.size() + 1 || it.value().size() != 32) {
      return impl_->corruption("a bucket digest is unreadable");
    }
    crypto::digest::from(it.value(), &out[static_cast<std::uint8_t>(it.key().back())]);
  }
  return out;
}

result<crypto::digest> store::frontier_digest(const community_id& community) const {
  auto buckets = bucket_digests(community);
  if (!buckets) return buckets.error();
  return frontier_digest_of(*buckets);
}

result<std::vector<community_summary>> store::communities() const {
  std::vector<community_summary> out;
  const std::string prefix(1, keys::communities);
  for (prefix_iter it(*impl_, prefix); it.valid(); it.next()) {
    community_summary c;
    if (it.key().size() != 33 || it.value().size() != 16 ||
        !community_id::from(it.key().substr(1), &c.id)) {
      return impl_->corruption("a community entry is unreadable");
    }
    c.feeds = keys::get_u64(it.value());
    c.records = keys::get_u64(it.value().substr(8));
    out.push_back(c);
  }
  return out;
}

result<std::vector<fork_proof>> store::forks(const community_id& community,
                                             const crypto::public_key& author) const {
  std::vector<fork_proof> out;
  for (prefix_iter it(*impl_, keys::fork_prefix(community, author)); it.valid(); it.next()) {
    keys::feed_key_parts k;
    fork_proof p;
    if (!keys::parse_feed_id_key(it.key(), &k) || !keys::decode_entry(k.id, it.value(), &p.other)) {
      return impl_->corruption("a fork proof is unreadable");
    }
    std::string row;
    bool found = false;
    if (auto st = impl_->get(keys::record_key(community, author, k.seq), &row, &found); !st.ok()) {
      return st;
    }
    if (!found || !keys::decode_log_row(k, row, &p.kept)) {
      return impl_->corruption("a fork proof has no record in the log");
    }
    out.push_back(std::move(p));
  }
  return out;
}

result<std::uint64_t> store::pending_count() const {
  std::string value;
  bool found = false;
  if (auto st = impl_->get(keys::meta_key(keys::meta_pending), &value, &found); !st.ok()) {
    return st;
  }
  if (!found) return std::uint64_t{0};
  if (value.size() != 8) return impl_->corruption("its pending counter is unreadable");
  return keys::get_u64(value);
}

result<std::optional<std::string>> store::get_view(const std::string& key) const {
  std::string value;
  bool found = false;
  if (auto st = impl_->get(keys::view_key(key), &value, &found); !st.ok()) return st;
  if (!found) return std::optional<std::string>{};
  return std::optional<std::string>{std::move(value)};
}

result<std::vector<std::pair<std::string, std::string>>> store::scan_views(
    const std::string& prefix) const {
  std::vector<std::pair<std::string, std::string>> out;
  prefix_iter it(*impl_, keys::view_key(prefix));
  for (; it.valid(); it.next()) {
    out.emplace_back(std::string(it.key().substr(1)), std::string(it.value()));
  }
  if (auto st = from_leveldb(it.status(), impl_->dir, "read views"); !st.ok()) return st;
  return out;
}

result<std::vector<known_peer>> store::peers() const {
  std::vector<known_peer> out;
  prefix_iter it(*impl_, keys::peer_key(""));
  for (; it.valid(); it.next()) {
    out.push_back({std::string(it.key().substr(1)), std::string(it.value())});
  }
  if (auto st = from_leveldb(it.status(), impl_->dir, "read peers"); !st.ok()) return st;
  return out;
}

status store::check() const {
  return check_tables(*impl_);
}

// ---------------------------------------------------------------------------------- cursors

namespace {

// Shared by both cursors: an iterator over a table whose keys name records by position,
// read through one snapshot so that the cursor sees one state of the store.
struct table_cursor {
  // Without a database (a reopen failed) the iterator carries the error and load() says so.
  table_cursor(const store::impl& s, std::string prefix, const std::string& from)
      : reader_(s),
        s_(&s),
        snap_(s.db ? s.db->GetSnapshot() : nullptr),
        it_(s, std::move(prefix), from, snap_) {}
  ~table_cursor() {
    if (snap_) s_->db->ReleaseSnapshot(snap_);
  }

  // False at the end of the table's range, and after an error (which error_ then holds).
  bool at_row() {
    if (!error_.ok()) return false;
    if (it_.valid()) return true;
    error_ = from_leveldb(it_.status(), s_->dir, "read the log");
    return false;
  }

  db_reader reader_;  // first: held until the snapshot is released
  const store::impl* s_;
  const leveldb::Snapshot* snap_;
  prefix_iter it_;
  record_entry entry_;
  status error_;
  bool valid_ = false;
};

}  // namespace

// Walks the records table itself: a feed's rows are its records in seq order.
struct feed_cursor::impl : table_cursor {
  using table_cursor::table_cursor;
  bool load() {
    if (!at_row()) return false;
    keys::feed_key_parts k;
    if (!keys::parse_record_key(it_.key(), &k) || !keys::decode_log_row(k, it_.value(), &entry_)) {
      error_ = s_->corruption("a record is unreadable");
      return false;
    }
    return true;
  }
};

// Walks the total-order index, whose keys name each record's feed position.
struct order_cursor::impl : table_cursor {
  using table_cursor::table_cursor;
  // Positions the cursor from the index key alone (the record is read by load()).
  void settle() {
    loaded_ = false;
    valid_ = false;
    if (!at_row()) return;
    keys::order_key_parts parts;
    if (!keys::parse_order_key(it_.key(), &parts)) {
      error_ = s_->corruption("an index entry is unreadable");
      return;
    }
    pos_ = parts.pos;
    community_ = parts.community;
    valid_ = true;
  }
  bool load() {
    const keys::feed_key_parts at{community_, pos_.author, pos_.seq, {}};
    std::string row;
    bool found = false;
    if (auto st = s_->get(keys::record_key(at.community, at.author, at.seq), &row, &found, snap_);
        !st.ok()) {
      error_ = st;
      return false;
    }
    if (!found || !keys::decode_log_row(at, row, &entry_)) {
      error_ = s_->corruption("the total-order index points at a missing record");
      return false;
    }
    return true;
  }
  order_position pos_;
  community_id community_;
  bool loaded_ = false;
};

feed_cursor store::read_feed(const community_id& community, const crypto::public_key& author,
                             std::uint64_t from_seq) const {
  auto p = std::make_unique<feed_cursor::impl>(*impl_, keys::feed_prefix(community, author),
                                               keys::record_key(community, author, from_seq));
  p->valid_ = p->load();
  return feed_cursor(std::move(p));
}

order_cursor store::read_order(const community_id& community, const order_position& from) const {
  auto p = std::make_unique<order_cursor::impl>(
      *impl_, keys::order_prefix(community),
      keys::order_key(community, from.lamport, from.author, from.seq));
  p->settle();
  return order_cursor(std::move(p));
}

feed_cursor::feed_cursor(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
feed_cursor::feed_cursor(feed_cursor&&) noexcept = default;
feed_cursor& feed_cursor::operator=(feed_cursor&&) noexcept = default;
feed_cursor::~feed_cursor() = default;
bool feed_cursor::valid() const {
  return impl_->valid_;
}
const record_entry& feed_cursor::entry() const {
  return impl_->entry_;
}
void feed_cursor::next() {
  impl_->it_.next();
  impl_->valid_ = impl_->load();
}
status feed_cursor::error() const {
  return impl_->error_;
}

order_cursor::order_cursor(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
order_cursor::order_cursor(order_cursor&&) noexcept = default;
order_cursor& order_cursor::operator=(order_cursor&&) noexcept = default;
order_cursor::~order_cursor() = default;
bool order_cursor::valid() const {
  return impl_->valid_;
}
const record_entry* order_cursor::entry() {
  if (!impl_->loaded_) {
    impl_->loaded_ = impl_->load();
    if (!impl_->loaded_) {
      impl_->valid_ = false;
      return nullptr;
    }
  }
  return &impl_->entry_;
}
order_position order_cursor::position() const {
  return impl_->pos_;
}
void order_cursor::next() {
  impl_->it_.next();
  impl_->settle();
}
status order_cursor::error() const {
  return impl_->error_;
}

}  // namespace zwerm::store
