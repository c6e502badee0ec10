// Community state on disk: persisted snapshots of each community's replayer, so that zwermd
// starts by decoding one snapshot and replaying only the records after it, instead of
// replaying the whole log (DESIGN.md §6; docs/ARCHITECTURE.md, "Views on disk").
//
// Layout, in the store's views table (`V`; keys are opaque to the store). `c` is the
// community id as 32 raw bytes, integers big-endian:
//   "cstate/" ‖ c ‖ "/m"                        -> meta (state_meta_version, see below)
//   "cstate/" ‖ c ‖ "/d" ‖ generation(8) ‖ i(4)  -> chunk i of the snapshot bytes
// Meta (110 bytes): version(1) = 1 ‖ generation(8) ‖ chunks(4) ‖ total bytes(8) ‖
// applied(8) ‖ has_head(1) ‖ head lamport(8) ‖ head author(32) ‖ head seq(8) ‖ reserved(32,
// zero). The snapshot bytes are node::community::encode_snapshot's (their own version inside).
// A new snapshot is written under generation + 1: every chunk but the last in a synced store
// write of its own (so that LevelDB moves them from its log to tables as they come, instead of
// replaying one huge batch at the next open), then the last chunk, the meta and the erasure of
// the previous generation's chunks in one synced write: the meta always names a complete set
// of chunks. Chunks of an interrupted write are named by no meta: restore() erases them (one
// lookup of the next generation's first chunk when there are none), discard() too.
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
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "crypto/status.hpp"
#include "node/community/replayer.hpp"
#include "node/record.hpp"
#include "store/store.hpp"

namespace zwerm::node {

inline constexpr std::uint8_t state_meta_version = 1;

struct state_store_options {
  // Replayer settings; persist_interval decides how often snapshots are written.
  community::replayer_options replayer;
  // Snapshot bytes per stored value. Default 4 MiB.
  std::size_t chunk_bytes = 4u << 20;
};

// What restore() did, for logs and tests.
struct restore_report {
  bool from_snapshot = false;  // a persisted snapshot was used
  std::string discarded;       // why a persisted snapshot was not used; empty when none was
  std::uint64_t replayed = 0;  // records read from the log (after the snapshot, or all)
  bool persisted = false;      // restore() wrote a fresh snapshot afterwards (full replays)
};

// The persisted snapshot of one community, as this process last wrote or read it.
struct persisted_state {
  std::uint64_t generation = 0;
  std::uint32_t chunks = 0;
  std::uint64_t bytes = 0;
  std::uint64_t applied = 0;
  std::optional<community::position> head;
};

// Keys and meta encoding (exposed for tests and tools).
std::string state_meta_key(const community_id& c);
std::string state_chunk_key(const community_id& c, std::uint64_t generation, std::uint32_t i);
std::string encode_state_meta(const persisted_state& m);
// Errors: unsupported (another meta version), corruption (wrong length).
result<persisted_state> decode_state_meta(std::string_view bytes);

// The community's records in the store, in total order, as a replayer's record source.
community::record_source store_record_source(store::store& s, const community_id& c);

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
  status erase_unnamed(const community_id& c, std::uint64_t generation);

  store::store& store_;
  state_store_options options_;
  std::map<community_id, persisted_state> persisted_;
};

}  // namespace zwerm::node
