// Asynchronous ingest of received records: parse + verify on worker threads, commit on one
// writer thread, results handed back through each job (docs/ARCHITECTURE.md,
// "Store"; docs/PERFORMANCE.md, "Catch-up between two daemons").
//
// A submitter (zwermd's I/O thread) hands in jobs, each a batch of record bytes from one source
// (one sync `records` message), and goes on at once: submit() never blocks and never runs
// signature checks on the caller. `verify_threads` workers run parse_record() over the queued
// jobs in chunks of a few records, oldest job first; with authentication by chain (the
// default), without the signature, and then one signature per run of chained records of a feed
// (node/records/chain_auth.hpp). The writer takes the verified jobs at the
// front of the queue, in submission order, as many as are ready (up to max_commit_records
// records), lets each job choose its entries (ingest_job::prepare, which sees the feed heads as
// the jobs before it in the same commit leave them), commits them all as one synced store
// batch, and reports to each job (ingest_job::committed). So while one commit waits for its
// sync, the next jobs are being verified, and when jobs queue up behind a slow disk they share
// one sync.
//
// Bounds: the queue itself does not limit what is submitted; the submitter does (zwermd: each
// sync session's unacknowledged records are bounded by the sender's window, and a session with
// more than that waiting here stops being read until its jobs are done). queued_records()
// tells how much waits.
//
// Threads: submit() and queued_records() from any thread. prepare() and committed() run on the
// writer thread, which is the store's writer for the queue's life (other writers, e.g. the
// member's own writes on the I/O thread, wait on the store's mutex). Jobs must be
// self-contained (own or share what they touch): the queue may outlive their submitter.
// Destruction stops the workers and the writer; jobs not yet committed are dropped without a
// call to committed() (nothing of them was stored; a sync peer sends them again).
//
// Ownership: borrows the store, which must outlive the queue. crypto::init() must have run.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/status.hpp"
#include "node/records/record.hpp"
#include "node/records/record_chain.hpp"
#include "node/records/record_error.hpp"
#include "store/store.hpp"

namespace zwerm::node {

struct ingest_queue_options {
  // Threads that parse and verify records. The writer thread comes on top. Default 1.
  std::size_t verify_threads = 1;
  // Most records in one store commit when several verified jobs wait (a single job larger
  // than this still commits whole). Default 4,096.
  std::size_t max_commit_records = 4096;
  // Authentication by chain (node/records/chain_auth.hpp, PROTOCOL.md §2.11): the verify
  // threads parse every record, then check one signature per run of chained records of a feed
  // in the job; the other records reach prepare() marked signature_vouched, their own
  // signatures unchecked. False: every signature is checked before prepare(). Default true.
  bool chain_authentication = true;
};

// The entries of one store commit, gathered from consecutive jobs on the writer thread.
class commit_batch {
 public:
  explicit commit_batch(store::store& s) : store_(s) {}

  // The feed's head as it will be once the entries added so far are in: the store's head
  // until add() moved it. nullopt for an empty feed. Errors: the store's (io_error, corruption).
  result<std::optional<feed_head>> head(const community_id& community,
                                        const crypto::public_key& author);
  // Whether the store holds a record with this id. Errors: the store's.
  result<bool> contains(const record_id& id) const { return store_.contains(id); }
  // Queues `e` for the commit; `new_head` is the head its feed has after it (when it extends
  // the feed; pass nullopt for entries the store decides on: duplicates, gaps, conflicts).
  // Returns the entry's index in entries() (its outcome's index in the store's report).
  std::size_t add(store::record_entry e, std::optional<feed_head> new_head);

  const std::vector<store::record_entry>& entries() const { return entries_; }

  // Queues a change of the views table for the same commit (with at least one entry).
  void add_view(store::view_change v) { views_.push_back(std::move(v)); }
  const std::vector<store::view_change>& views() const { return views_; }

 private:
  store::store& store_;
  std::vector<store::record_entry> entries_;
  std::vector<store::view_change> views_;
  std::map<std::pair<community_id, crypto::public_key>, std::optional<feed_head>> heads_;
};

// One batch of record bytes from one source, with what to do with it. Subclassed by the owner.
class ingest_job {
 public:
  explicit ingest_job(std::vector<std::string> raw) : raw_(std::move(raw)) {}
  virtual ~ingest_job() = default;
  ingest_job(const ingest_job&) = delete;
  ingest_job& operator=(const ingest_job&) = delete;

  const std::vector<std::string>& raw() const { return raw_; }

  // Writer thread, in submission order: `verified` holds parse_record's result for every raw
  // record, in order. Adds the entries to commit to `batch`. A non-ok status aborts this
  // job alone (committed() gets it and no outcomes).
  virtual status prepare(std::vector<record_result<record>> verified, commit_batch& batch) = 0;

  // Writer thread, after the commit of the batch prepare() added to: `outcomes` are the
  // store's outcomes of this job's entries, in the order prepare() added them; `appended`
  // the records the commit appended that belong to this job (its own, and records promoted
  // from the pending area, which go to the last job of the commit), in commit order. On a
  // store error (or a failed prepare), `st` tells it and the spans are empty.
  virtual void committed(const status& st, std::span<const store::record_outcome> outcomes,
                         std::vector<store::record_entry> appended) = 0;

 private:
  std::vector<std::string> raw_;
};

class ingest_queue {
 public:
  ingest_queue(store::store& s, ingest_queue_options opts = {});
  ~ingest_queue();
  ingest_queue(const ingest_queue&) = delete;
  ingest_queue& operator=(const ingest_queue&) = delete;

  // Queues a job; returns at once. Jobs are committed, and their committed() called, in
  // submission order.
  void submit(std::unique_ptr<ingest_job> job);
  // Records submitted and not yet committed.
  std::size_t queued_records() const;
  // Blocks until every job submitted so far has been committed and reported (tests).
  void drain();

  std::size_t verify_threads() const;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace zwerm::node
