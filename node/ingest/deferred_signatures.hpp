// The signatures of records stored on the word of a later record (authentication by chain,
// node/records/chain_auth.hpp, PROTOCOL.md §2.11), checked afterwards at low priority.
//
// The ingest queue's job (zwermd: sync::store_replica) stores each run of vouched records that
// extend their feed together with a range row in the store's views table ("sigq/" community
// author first-seq -> last-seq), in the same synced batch: a restart finds every record whose
// signature is still unchecked. A background thread (SCHED_IDLE on Linux: it runs only when
// nothing else wants the core) reads those records from the store a few hundred at a time,
// checks their signatures, and removes or shortens the row. A signature that does not verify
// is kept as a fact ("sigbad/" community author seq), logged and counted: the payload still
// counts (its author's signature on a later record commits to it), but this node never ends a
// range it serves at that record (node/daemon/store_replica.cpp, read_feed). Nobody is blamed:
// the record id covers the payload only, so the bad bytes may come from any node that relayed
// the record, not only from its author.
//
// Serving asks unchecked()/held_bad() and, for a record still unchecked, checks it on the spot
// and reports it with checked_now().
//
// Threads: every public member is safe from any thread. reserve() before the records' commit,
// then stored() or cancel() after it, from the store's writer (the ingest queue's writer
// thread). The background thread writes to the store (write_views), which other writers then
// wait for (the store's mutex). Ownership: borrows the store, which must outlive this object.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/status.hpp"
#include "node/records/record.hpp"
#include "store/store.hpp"

namespace zwerm::node {

// Consecutive records of one feed whose own signatures are unchecked.
struct deferred_range {
  community_id community;
  member_id author;
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

// The views-table row that keeps `r` across restarts (written in the records' own batch).
store::view_change deferred_row(const deferred_range& r);

struct deferred_signatures_options {
  // Records checked between two writes of the range rows. Default 512.
  std::size_t records_per_step = 512;
  // Run the background thread at the lowest scheduling priority (SCHED_IDLE). Default true.
  bool low_priority = true;
  // Start the background thread. False leaves every range unchecked until check_all() (tests).
  bool background = true;
};

class deferred_signatures {
 public:
  // Loads the ranges and bad-signature facts the store holds. Errors: the store's reads.
  static result<std::unique_ptr<deferred_signatures>> open(store::store& s,
                                                           deferred_signatures_options o = {});
  ~deferred_signatures();
  deferred_signatures(const deferred_signatures&) = delete;
  deferred_signatures& operator=(const deferred_signatures&) = delete;

  // Before the commit that stores these ranges' records and rows: serving treats them as
  // unchecked from now on; the background thread leaves them until stored().
  void reserve(std::span<const deferred_range> ranges);
  // After that commit: hands them to the background thread.
  void stored(std::span<const deferred_range> ranges);
  // After a failed commit: forgets them.
  void cancel(std::span<const deferred_range> ranges);

  // Whether the record's own signature has not been checked yet.
  bool unchecked(const community_id& c, const member_id& author, std::uint64_t seq) const;
  // Whether the record's held signature was found not to verify.
  bool held_bad(const community_id& c, const member_id& author, std::uint64_t seq) const;
  // Serving checked an unchecked record itself; `valid` is the outcome. A bad one counts as
  // held_bad at once (the background thread records it in the store when it gets there).
  void checked_now(const community_id& c, const member_id& author, std::uint64_t seq, bool valid);

  // Records whose signatures wait for the background check (stored or reserved).
  std::uint64_t unchecked_count() const;
  // Held signatures found not to verify since the store was created.
  std::uint64_t bad_count() const;
  // Signatures the background thread checked since this object was made.
  std::uint64_t checked_count() const;

  // Checks every stored range on the calling thread (tests; the background thread must be
  // off). Errors: the store's.
  status check_all();

 private:
  struct state;
  explicit deferred_signatures(std::unique_ptr<state> s);
  std::unique_ptr<state> state_;
};

}  // namespace zwerm::node
