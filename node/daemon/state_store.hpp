// Community state on disk: persisted snapshots of each community's replayer, so that zwermd
// starts by decoding one snapshot and replaying only the records after it, instead of
// replaying the whole log (docs/ARCHITECTURE.md, "Views on disk").
//
// Layout. `c` is the community id as 32 raw bytes, integers big-endian.
//   In the store's views table (`V`; keys are opaque to the store):
//     "cstate/" ‖ c ‖ "/m"  -> meta (state_meta_version, see below)
//   In the directory `snapshots` inside the store's directory (LevelDB leaves names it does
//   not know alone), one file per community:
//     <c as 64 lowercase hex digits>-<generation as 16 hex digits>.snapshot -> the snapshot bytes
// Meta (110 bytes): version(1) = 2 ‖ generation(8) ‖ file encoding(4) ‖ file bytes(8) ‖
// applied(8) ‖ has_head(1) ‖ head lamport(8) ‖ head author(32) ‖ head seq(8) ‖ XXH64 of the
// file's bytes(8) ‖ reserved(24, zero). The snapshot bytes are node::community::
// encode_snapshot's (their own version inside); the file holds them as the encoding says:
// 0 as they are (what builds before the encoding field wrote, which left those 4 bytes zero),
// 1 Snappy-compressed (Snappy's raw format; about half the bytes, since a state repeats member
// keys and field text). Another encoding is a snapshot this build cannot use (rebuilt).
// Why a file and not the views table: a snapshot is rewritten whole every persist_interval
// records, and inside LevelDB each rewrite went through its log, a memtable flush and the
// compactions that followed, for all the store's tables (bench_sync_daemon: about 2 µs of CPU
// per caught-up record at 100,000 records, more for larger states). A file is written once.
// A new snapshot is written under generation + 1: the file as `<name>.tmp`, synced, renamed to
// its name and the directory synced; then the meta, in a synced store write; then the previous
// generation's file is removed. The meta always names a complete file; a crash in between
// leaves a file the meta does not name, which restore() and discard() remove. A damaged file
// (its size or XXH64 differs from the meta's) is not used.
//
// Consistency rule (what makes a crash harmless, whoever committed the records):
// a snapshot is written only after the records it describes were committed, and it describes
// every record of the community then in the store (the replayer absorbed them all). At start
// restore() decodes the snapshot, replays the records after its head, and then requires
//   state.applied() == the community's record count in the store (store `C` table).
// A record committed after the snapshot but sorting at or before its head (a late record; a
// crash between commit and the snapshot's erasure; records dropped by repair) breaks that
// equation, and the snapshot is discarded and the state rebuilt from the log. So are a meta
// with an unknown version, missing chunks, and snapshot bytes that do not decode (corruption
// or a newer snapshot version): each with one log line, never an error of the daemon.
//
// When snapshots are written:
//   - after an absorb, when the replayer's persist_due() (every replayer_options::
//     persist_interval applied records, 10,000 by default): in its own synced write right
//     after the batch that crossed the threshold;
//   - by checkpoint() (community_host calls it when it closes) when the state is ahead of the
//     persisted snapshot;
//   - by restore() when it had to replay the whole log (a snapshot plus a tail of
//     persist_interval records or more is left to persist_due(): the start answers first, and
//     the next absorb or the close writes it);
//   - by persist(), which community_host calls after marking a fork (fork proofs change
//     neither the record count nor the head, so the consistency rule cannot see them: the
//     host also re-marks the stored forks after every restore).
// When an absorb reaches at or before the persisted snapshot's head (a rewind), that snapshot
// is stale: absorbed() erases it at once, and the next one is written by the rules above.
//
// Threads: the store's single writer (zwermd's I/O thread), like community_host.
// Ownership: borrows the store, which must outlive this object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/status.hpp"
#include "node/community/replayer.hpp"
#include "node/records/record.hpp"
#include "store/store.hpp"

namespace zwerm::node {

inline constexpr std::uint8_t state_meta_version = 2;

struct state_store_options {
  // Replayer settings; persist_interval decides how often snapshots are written.
  community::replayer_options replayer;
};

// What restore() did, for logs and tests.
struct restore_report {
  bool from_snapshot = false;  // a persisted snapshot was used
  std::string discarded;       // why a persisted snapshot was not used; empty when none was
  std::uint64_t replayed = 0;  // records read from the log (after the snapshot, or all)
  bool persisted = false;      // restore() wrote a fresh snapshot afterwards (full replays)
};

// The persisted snapshot of one community, as this process last wrote or read it.
enum class snapshot_encoding : std::uint32_t { plain = 0, snappy = 1 };

struct persisted_state {
  std::uint64_t generation = 0;
  snapshot_encoding encoding = snapshot_encoding::plain;  // of the file
  std::uint64_t bytes = 0;                                // of the file
  std::uint64_t applied = 0;
  std::optional<community::position> head;
  std::uint64_t checksum = 0;  // crypto::xxh64 of the file's bytes
};

// Keys, file names and meta encoding (exposed for tests and tools).
std::string state_meta_key(const community_id& c);
// The snapshot directory of a store in `store_dir`, and the file of one generation in it.
std::filesystem::path state_snapshot_dir(const std::filesystem::path& store_dir);
std::filesystem::path state_snapshot_file(const std::filesystem::path& store_dir,
                                          const community_id& c, std::uint64_t generation);
std::string encode_state_meta(const persisted_state& m);
// Errors: unsupported (another meta version), corruption (wrong length).
result<persisted_state> decode_state_meta(std::string_view bytes);

// The community's records in the store, in total order, as a replayer's record source.
// Records found in `recent` (when given; it must outlive the source) are visited from there
// instead of read and parsed back: they must be records of the log at those positions.
using recent_records = std::map<community::position, record>;
community::record_source store_record_source(store::store& s, const community_id& c,
                                             const recent_records* recent = nullptr);

class state_store {
 public:
  explicit state_store(store::store& s, state_store_options options = {});

  // A replayer holding every stored record of `c`: from the persisted snapshot and the records
  // after it when that snapshot is valid (see the consistency rule), else from the whole log.
  // Errors: the store's (io_error, corruption of records); never a snapshot's problem.
  result<std::unique_ptr<community::replayer>> restore(const community_id& c,
                                                       restore_report* report = nullptr);

  // Called after every absorb into `rep` (whose records are all committed): erases a snapshot
  // the absorb made stale and writes a new one when persist_due(). Errors: the store's.
  status absorbed(const community_id& c, community::replayer& rep,
                  const community::absorb_result& r);

  // Writes a snapshot when `rep` holds records the persisted one lacks. Errors: the store's.
  status checkpoint(const community_id& c, community::replayer& rep);

  // Writes a snapshot of `rep` now, whatever persist_due() says: after replayer::mark_forked,
  // which changes the state without changing its record count or head (so neither absorbed()
  // nor checkpoint() can see it). Errors: the store's.
  status persist(const community_id& c, community::replayer& rep);

  // Erases the persisted snapshot of `c` (if any). Errors: the store's.
  status discard(const community_id& c);

  std::optional<persisted_state> persisted(const community_id& c) const;
  const state_store_options& options() const { return options_; }

 private:
  status write(const community_id& c, community::replayer& rep);
  result<std::optional<std::string>> load(const community_id& c, std::string* why);
  // Removes the community's snapshot files other than `keep`'s generation (none: all).
  void remove_files(const community_id& c, std::optional<std::uint64_t> keep);

  store::store& store_;
  state_store_options options_;
  std::map<community_id, persisted_state> persisted_;
};

}  // namespace zwerm::node
