// The durable replicated log (docs/ARCHITECTURE.md, "Store").
//
// One LevelDB database in <home>/db holds every record of every community this node is in,
// the indexes over them (feed, total order, heads, per-bucket frontier digests), fork proofs,
// records waiting for a feed gap to fill, known peers and the community views that node/
// persists. The store knows bytes, ids and numbers, never JSON: node/ validates and verifies
// records before handing them in as record_entry values.
//
// Threads: `ingest`, `write_views`, `put_peer` and `erase_peer` are writes. Exactly one thread
// at a time should write (in zwermd: the writer thread of node::ingest_queue, and the I/O
// thread for the member's own writes and the peer book); a mutex makes
// accidental concurrent writers wait rather than corrupt anything. Every read may be called from
// any thread at any time, also while a write runs; each read sees the state before or after a
// whole ingest, never half of one. Cursors read from a snapshot taken when they were made.
//
// Errors: every fallible call returns zwerm::status / result<T>. Codes used: io_error (the disk
// refused; the store then refuses writes until it has reopened its database, which a later
// write tries once a second once there is room again: no restart is needed; reads keep
// working, except while a reopen that failed leaves no database to read),
// corruption (damaged files; the message names `zwermd repair --home DIR`), busy (another
// process has the store open), unsupported (written by a newer zwerm), not_found,
// invalid_argument.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.hpp"
#include "base/feed_chain.hpp"
#include "base/ids.hpp"
#include "base/status.hpp"
#include "store/record_entry.hpp"

namespace leveldb {
class Env;
}

namespace zwerm::store {

// The file system the store works through: a test seam (zwerm_store_testing's fault_env fails
// writes on demand; it also offers an in-memory one). zwermd never sets one.
class environment {
 public:
  virtual ~environment() = default;
  // Every file operation of a store opened with this environment goes through this LevelDB
  // Env, which must live as long as this object.
  virtual leveldb::Env* leveldb_env() = 0;
};

// The schema this build writes. Older stores are migrated on open; newer ones are refused.
inline constexpr std::uint32_t schema_version = 3;

struct options {
  // Create an empty store when `dir` holds none. Default true; repair and tools set false.
  bool create_if_missing = true;
  // Records held in the pending area (records past a feed gap) over all feeds. A record that
  // would exceed it is dropped with a reason. Default 65,536.
  std::uint64_t max_pending = 65'536;
  // Records held in the pending area for one feed. Default 1,024.
  std::uint32_t max_pending_per_feed = 1'024;
  // Fork proofs kept per feed; further conflicting records are dropped. Default 16.
  std::uint32_t max_fork_proofs_per_feed = 16;
  // LevelDB block cache in bytes (it fills only as blocks are read). Default 8 MiB.
  std::size_t cache_bytes = 8u << 20;
  // Snappy-compress table blocks. A feed's records lie side by side (the records table is
  // keyed by feed position), and neighbours repeat their community and author (as base64url
  // text in the record) and their JSON field names; a signature, an id or a prev does not
  // compress. With 8 KiB blocks the store after compaction takes about 1.0 (one feed) to 1.15
  // (10,000 short feeds) of the record bytes, against 2.0 uncompressed, at no measurable cost
  // to catch-up: serving a feed or replaying in total order decompresses one block for a run
  // of records (docs/PERFORMANCE.md, "Bytes on disk"). Default true.
  bool compress = true;
  // LevelDB's table block size before compression (Snappy finds repeats only within a
  // block). Default 8 KiB.
  std::size_t block_bytes = 8 * 1024;
  // LevelDB memtable size in bytes (also the most log replayed at open). Memory is taken as
  // records are written (up to twice this while a full memtable is flushed). 32 MiB: about
  // half the flush and compaction CPU per record of 8 MiB, at 100,000 records and at a million
  // (bench_store's BM_store_cpu); replaying a full log at open takes about 0.13 s.
  // Default 32 MiB.
  std::size_t write_buffer_bytes = 32u << 20;
  // After a failed write the store refuses writes until it has reopened its database; each
  // write tries that again at most this often (store::ingest). Default 1 s.
  std::chrono::milliseconds reopen_interval{1000};
  // Test seam: when set, every file operation goes through this environment. Default: the
  // real file system.
  std::shared_ptr<environment> env;
};

// The newest record of one feed (one author in one community; forked: the author signed two
// records for one seq, proofs in forks()).
using zwerm::feed_head;

// A position in a community's total order (lamport, author, seq); iteration starts at the
// first record at or after it. The default position is the very beginning.
struct order_position {
  std::uint64_t lamport = 0;
  crypto::public_key author;
  std::uint64_t seq = 0;

  friend auto operator<=>(const order_position&, const order_position&) = default;
};

// Two records by one author for one (community, seq): `kept` is the one in the log,
// `other` the conflicting one, held only here.
struct fork_proof {
  record_entry kept;
  record_entry other;
};

struct community_summary {
  community_id id;
  std::uint64_t feeds = 0;
  std::uint64_t records = 0;
};

// A change to the views table, applied in the same WriteBatch as the records that cause it.
struct view_change {
  std::string key;
  std::optional<std::string> value;  // nullopt erases the key
};

// How ingest treats one batch.
struct ingest_flags {
  // The caller already computed every id as BLAKE2b-256 of the payload (node::parse_record
  // does), so the store skips recomputing it. Default false: the store checks.
  bool ids_checked = false;
};

struct known_peer {
  std::string address;  // opaque to the store (node/ writes host:port or an invite address)
  std::string info;     // opaque blob owned by the daemon
};

enum class outcome {
  appended,   // now in the log (indexes, head and digests updated)
  duplicate,  // already in the log, or already held as a fork proof: nothing changed
  pending,    // past a gap in its feed: held in the pending area until the gap fills
  dropped,    // refused; `reason` says why (pending bound, wrong prev, lamport, bad seq)
  forked,     // another record holds this (community, author, seq): kept as fork proof
};

const char* to_string(outcome o);

struct record_outcome {
  outcome kind = outcome::dropped;
  std::string reason;  // a sentence for dropped (and for forked); empty otherwise
};

struct ingest_report {
  // One per input record, in input order.
  std::vector<record_outcome> outcomes;
  // Every record this commit appended to the log, including records promoted from the
  // pending area (from this or earlier batches) because their gap filled; in commit order,
  // which is seq order within each feed. node/ updates views and pushes these to peers.
  std::vector<record_entry> appended;
};

// Reads one feed from a sequence number onward, one record at a time (never the whole feed).
class feed_cursor {
 public:
  struct impl;
  explicit feed_cursor(std::unique_ptr<impl> p);
  feed_cursor(feed_cursor&&) noexcept;
  feed_cursor& operator=(feed_cursor&&) noexcept;
  ~feed_cursor();

  // True while positioned at a record; false at the end or after an error (see error()).
  bool valid() const;
  const record_entry& entry() const;  // requires valid()
  void next();
  status error() const;  // ok unless the read failed

 private:
  std::unique_ptr<impl> impl_;
};

// Reads a community's records in total order (lamport, author, seq) from a position onward.
// Moving reads only the total-order index: a record is read when entry() asks for it, so a
// reader that knows some records already (the community replayer) skips them for the cost of
// one index entry each.
class order_cursor {
 public:
  struct impl;
  explicit order_cursor(std::unique_ptr<impl> p);
  order_cursor(order_cursor&&) noexcept;
  order_cursor& operator=(order_cursor&&) noexcept;
  ~order_cursor();

  bool valid() const;               // at an index entry; false at the end and after an error
  order_position position() const;  // from the index entry; requires valid()
  // The record at the cursor, read on the first call there; nullptr when it cannot be read
  // (then valid() is false and error() says why). Requires valid().
  const record_entry* entry();
  void next();
  status error() const;

 private:
  std::unique_ptr<impl> impl_;
};

class store {
 public:
  struct impl;

  // Opens (or creates) the store in `dir` (normally <home>/db). Migrates an older schema.
  // Errors: busy ("another zwermd is using DIR"), unsupported (newer schema), corruption (with
  // the repair command), io_error, not_found (no store and create_if_missing false).
  static result<std::unique_ptr<store>> open(const std::filesystem::path& dir,
                                             const options& opts = {});

  // Rebuilds every index, head, digest, count and the pending state from the records table
  // (after leveldb::RepairDB when the database does not open). The store must not be open.
  // Records whose feed has a gap after the repair move to the pending area; fork proofs that
  // still make sense are kept. Returns a summary sentence for people.
  static result<std::string> repair(const std::filesystem::path& dir, const options& opts = {});

  ~store();
  store(const store&) = delete;
  store& operator=(const store&) = delete;

  const std::filesystem::path& dir() const;

  // --- writes (one writer thread at a time) ---

  // Commits the records and `views` as one synced WriteBatch: records, feed and total-order
  // indexes, heads, bucket digests, community counts, pending and fork tables and the view
  // changes. On error nothing of the batch is stored. Records must have been validated and
  // their signatures verified by the caller; the store checks only chain facts (seq, prev,
  // lamport against the feed) and that `id` is the hash of the payload part of `bytes`
  // (unless flags.ids_checked).
  result<ingest_report> ingest(std::span<const record_entry> records,
                               std::span<const view_change> views = {},
                               const ingest_flags& flags = {});
  // Commits view changes alone (checkpoints, rewinds), synced.
  status write_views(std::span<const view_change> views);
  status put_peer(const known_peer& peer);
  status erase_peer(const std::string& address);
  // Drops every row of `community` (records, feed and total-order indexes, heads, digests,
  // counts, fork proofs, pending records, the peer book's addresses kept under its id) in one
  // synced batch; the views table is node/'s (its keys are opaque here). Returns how many
  // records went. Errors: the store's write errors, corruption.
  result<std::uint64_t> forget_community(const community_id& community);

  // Compacts the whole database now (LevelDB's CompactRange over every key), so that its files
  // hold each live row once: for benchmarks and tools measuring bytes on disk. Errors: the
  // store's read errors (a compaction that fails is LevelDB's background error, reported by
  // the next write).
  status compact();

  // LevelDB's estimate of the bytes each table takes in its files (after compression), by
  // table: "records", "id index", "order index", "views" and "other". For benchmarks and
  // tools; the estimate leaves out rows still in the memtable (compact() first). Errors: the
  // store's read errors.
  result<std::vector<std::pair<std::string, std::uint64_t>>> bytes_by_table() const;

  // --- reads (any thread) ---

  result<record_entry> get(const record_id& id) const;  // not_found when absent
  result<bool> contains(const record_id& id) const;
  result<std::optional<feed_head>> head(const community_id& community,
                                        const crypto::public_key& author) const;
  feed_cursor read_feed(const community_id& community, const crypto::public_key& author,
                        std::uint64_t from_seq) const;
  order_cursor read_order(const community_id& community, const order_position& from = {}) const;

  // All feed heads of a community, sorted by author.
  result<std::vector<feed_head>> frontier(const community_id& community) const;
  // Feed heads whose author's first byte is `bucket`, sorted by author.
  result<std::vector<feed_head>> bucket_heads(const community_id& community,
                                              std::uint8_t bucket) const;
  // The 256 bucket digests (XOR of feed_hash over the bucket's heads; zero when empty) and the
  // frontier digest derived from them (see store/frontier.hpp). Never scans feeds.
  result<std::array<crypto::digest, 256>> bucket_digests(const community_id& community) const;
  result<crypto::digest> frontier_digest(const community_id& community) const;

  result<std::vector<community_summary>> communities() const;
  result<std::vector<fork_proof>> forks(const community_id& community,
                                        const crypto::public_key& author) const;
  // Records held in the pending area (all feeds).
  result<std::uint64_t> pending_count() const;
  // A write, next to the count it changes: drops from the pending area the records of
  // (community, author) that go on from the record (seq, id), which will never be in the log
  // (node/ refused it as the other side of a fork): those at seq + 1 whose prev is id, then
  // those whose prev is one of them, and so on; the pending counts follow, in one synced
  // batch. Returns the dropped records in seq order (none when nothing held goes on from it).
  // Errors: the store's write errors, corruption.
  result<std::vector<record_entry>> drop_pending_after(const community_id& community,
                                                       const crypto::public_key& author,
                                                       std::uint64_t seq, const record_id& id);

  result<std::optional<std::string>> get_view(const std::string& key) const;
  // Every view key starting with `prefix`, in key order.
  result<std::vector<std::pair<std::string, std::string>>> scan_views(
      const std::string& prefix) const;
  result<std::vector<known_peer>> peers() const;

  // Walks every table and checks that each index, head, digest and count agrees with the
  // records table. Ok, or corruption listing the first problems found. Reads everything:
  // for tests and `zwermd repair --check`, not for the hot path.
  status check() const;

 private:
  explicit store(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace zwerm::store
