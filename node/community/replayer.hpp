// The replayer: order-independent community state over a growing set of records
// (PROTOCOL.md §3.6).
//
// Records reach a node in any order (feed by feed during catch-up). The replayer keeps one
// `state` equal to "every absorbed record applied in total order". A batch whose records all
// lie after the current head is applied directly. A batch reaching earlier rewinds ONCE, to
// the earliest position the batch touches: through the undo journal when it reaches back that
// far, else to the newest in-memory checkpoint (a snapshot) before that position, else to the
// empty state; then it replays, in total order, the records the store already holds from
// there (through `record_source`) merged with the batch.
//
// Forks are a property of the record set, not of arrival order: mark_forked() records that an
// author's records from some seq on have no effect and rewinds when such records were applied.
//
// Persistence (the daemon's job, with the byte helpers here): after each absorb, delete every
// persisted snapshot whose head is at or after `absorb_result::earliest` (it lacks a record
// that sorts before its head), and when persist_due() write persist_snapshot() — both in the
// same store write batch as the records. At start, open() restores the newest persisted
// snapshot and catches up from the store.
//
// Thread-safety: none; one owner drives it (in zwermd the store-writer strand). Views read
// current() on the same strand.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.hpp"
#include "node/community/state.hpp"

namespace zwerm::node::community {

// Return false to stop the iteration early.
using record_visitor = std::function<bool(const record&)>;

// Whether a replay needs the record at `p`: false when it holds that record already (one of
// the batch being absorbed), so the source may skip it without reading it.
using position_filter = std::function<bool(const position& p)>;

// Calls `visit` for every record of the community already absorbed (in the daemon: stored),
// in total order, starting with the first record whose position is strictly after `after`
// (from the very first when nullopt), until the records end or `visit` returns false. Records
// of the batch being absorbed may or may not be included; duplicates are skipped. A source
// that sees a record's position before reading it asks `needed` and leaves out the records it
// refuses; one that does not may ignore it. Errors are passed through (e.g. io_error from the
// store).
using record_source =
    std::function<status(const std::optional<position>& after, const position_filter& needed,
                         const record_visitor& visit)>;

struct replayer_options {
  // Records whose effects can be undone without a checkpoint. Default 100,000 (a late record
  // up to that many positions back costs only the undo and the replay).
  std::size_t journal_limit = 100'000;
  // Applied records between in-memory snapshot checkpoints. Default 200,000.
  std::uint64_t checkpoint_interval = 200'000;
  // In-memory checkpoints kept (the oldest dropped first). Default 3.
  std::size_t max_checkpoints = 3;
  // Applied records between snapshots the daemon should persist (persist_due): the most a
  // start after a crash replays. Default 10,000 (docs/PERFORMANCE.md, "Start with a million
  // records": a tail of 10,000 keeps that start near a clean one, while one snapshot write per
  // 10,000 records stays a modest share of their ingest).
  std::uint64_t persist_interval = 10'000;
};

struct absorb_result {
  // The earliest position the call touched (the first batch record, or the fork point);
  // nullopt when nothing changed. Persisted snapshots with head >= earliest are stale.
  std::optional<position> earliest;
  bool rewound = false;          // records after `earliest` had been applied and were undone
  bool used_checkpoint = false;  // the rewind reached past the journal
  std::uint64_t replayed = 0;    // records applied from the source during the replay
  std::uint64_t applied = 0;     // records applied in total (batch + replayed)
};

class replayer {
 public:
  explicit replayer(const community_id& community, replayer_options options = {});

  // Starts from a persisted snapshot (or empty when `snapshot` is nullopt) and applies every
  // record the source holds after the snapshot's head. Errors: corruption/unsupported from the
  // snapshot (the caller may delete it and open again without one), errors of the source.
  static result<std::unique_ptr<replayer>> open(const community_id& community,
                                                std::optional<std::string_view> snapshot,
                                                const record_source& source,
                                                replayer_options options = {});

  // Absorbs newly validated records (any order, any mix of feeds). Records of other
  // communities are ignored. `source` is only called when the batch reaches before the head.
  result<absorb_result> absorb(std::span<const record> batch, const record_source& source);

  // The author's records from fork.seq on have no effect. fork.lamport must be the smallest
  // lamport among the author's records at that seq (both sides of the fork proof).
  result<absorb_result> mark_forked(const member_id& author, const fork_point& fork,
                                    const record_source& source);

  // What an absorb whose earliest record sits at `p` would replay: 0 when p is after the head
  // (the records are applied on top); the applied records at or after p when the undo journal
  // reaches back that far; else every applied record (an upper bound: the replay starts from a
  // checkpoint or the empty state). Changes nothing.
  std::uint64_t replay_cost(const position& p) const;

  const state& current() const { return *state_; }
  // state::dry_run on the current state: would `r`, applied next, take effect (nullopt), and if
  // not, why.
  std::optional<std::string> dry_run(const record& r) { return state_->dry_run(r); }

  // Snapshot persistence (see the header comment).
  bool persist_due() const;
  std::string persist_snapshot();  // encodes the current state and resets persist_due

  std::size_t checkpoints() const { return checkpoints_.size(); }

 private:
  struct checkpoint {
    std::optional<position> head;
    std::string bytes;
  };
  status rewind_before(const position& p, absorb_result* out);
  status replay(std::vector<const record*>& batch, const record_source& source, absorb_result* out);
  void maybe_checkpoint();

  community_id community_;
  replayer_options options_;
  std::unique_ptr<state> state_;
  std::vector<checkpoint> checkpoints_;  // increasing head
  std::uint64_t last_checkpoint_applied_ = 0;
  std::uint64_t last_persist_applied_ = 0;
  std::size_t last_persist_bytes_ = 0;  // size of the last persist_snapshot(), a reserve hint
};

}  // namespace zwerm::node::community
