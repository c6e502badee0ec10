// The ingest pipeline: received record bytes -> parse, validate and verify on a small thread
// pool -> one commit through the store's single writer (docs/ARCHITECTURE.md,
// "Store").
//
// parse_record() (node/records/record_parse.hpp) does the per-record work: size, strict JSON
// subset, field rules, BLAKE2b id, Ed25519 signature. Those are independent per record, so an
// ingestor spreads them over `verify_threads` threads (the calling thread included; 1 = everything
// inline). The records that pass are handed, in input order, to store::ingest, which applies
// the chain rules against the stored feeds (prev, lamport, gaps, forks) and commits records,
// indexes, heads, digests and the caller's view changes as one synced WriteBatch.
//
// Threads: an ingestor owns its worker threads (started in the constructor, joined in the
// destructor). ingest_bytes / ingest_records must be called by one thread at a time: the
// store's writer (in zwermd, the thread that owns writes to the store). The workers only run
// parse_record() on the records of the call in progress; the call returns when its commit is
// done. crypto::init() must have run once in the process.
//
// Ownership: borrows the store, which must outlive the ingestor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/status.hpp"
#include "node/ingest/stored_record.hpp"  // to_entry, for callers that commit records
#include "node/records/record.hpp"
#include "node/records/record_error.hpp"
#include "store/store.hpp"

namespace zwerm::node {

struct ingest_options {
  // Threads that parse and verify records, the calling thread included. 1 = inline on the
  // caller; 2 suits this project's 2-core machines. Default 1.
  std::size_t verify_threads = 1;
};

// What became of one input record.
struct ingest_item {
  // Set when parse_record refused the bytes (malformed, bad signature, ...): nothing was stored
  // and the sender deserves a misbehaviour mark.
  std::optional<rejection> rejected;
  // The store's outcome when the record parsed and verified (appended, duplicate, pending,
  // dropped with a reason, forked).
  store::record_outcome stored;
};

struct ingest_result {
  std::vector<ingest_item> items;  // one per input, in input order
  // Every record the commit appended to the log (those of this call and any pending records
  // from earlier calls whose gap filled), in commit order: what views and live push consume.
  std::vector<record> appended;
};

class ingestor {
 public:
  ingestor(store::store& s, ingest_options opts = {});
  ~ingestor();
  ingestor(const ingestor&) = delete;
  ingestor& operator=(const ingestor&) = delete;

  // Parses and verifies `raw` (each element payload ‖ signature) on the pool, then commits the
  // valid ones and `views` in one store batch. Errors: the store's (io_error, corruption); the
  // refusal of single records is reported per item, never as an error.
  result<ingest_result> ingest_bytes(std::span<const std::string> raw,
                                     std::span<const store::view_change> views = {});

  // Commits records that were already parsed and verified (e.g. written by this node).
  result<ingest_result> ingest_records(std::span<const record> records,
                                       std::span<const store::view_change> views = {});

  // Only the parallel parse+verify step, for callers that commit elsewhere.
  std::vector<record_result<record>> verify(std::span<const std::string> raw);

  std::size_t verify_threads() const;

 private:
  class pool;
  store::store& store_;
  std::unique_ptr<pool> pool_;
};

// Overlaps verification with commits. submit() parses and verifies a batch on the calling
// thread (with the ingestor's pool) and queues it; the pipeline's own writer thread commits
// queued batches in submission order. While the writer waits for a commit's sync, the next
// batch is already being verified, so the disk's latency and the store's work hide behind
// the signature checks.
//
// Threads: submit() and drain() from one producer thread at a time. The writer thread is the
// store's single writer while the pipeline lives: nothing else may write to the store then.
// `on_commit(batch number, result)` runs on the writer thread after each commit, in order;
// batch numbers start at 1 and are those submit() returned. A store error is passed to the
// handler for that batch and the pipeline goes on with the next (the store refuses further
// writes after a disk error, so each later batch reports the same error).
class ingest_pipeline {
 public:
  using commit_handler = std::function<void(std::uint64_t batch, result<ingest_result> r)>;

  // max_queued: verified batches that may wait for the writer before submit() blocks (2).
  ingest_pipeline(store::store& s, ingest_options opts, commit_handler on_commit,
                  std::size_t max_queued = 2);
  // Commits everything still queued, then stops the writer.
  ~ingest_pipeline();
  ingest_pipeline(const ingest_pipeline&) = delete;
  ingest_pipeline& operator=(const ingest_pipeline&) = delete;

  // Verifies `raw` now, then queues it with `views`; blocks while max_queued batches wait.
  // Returns the batch number.
  std::uint64_t submit(std::span<const std::string> raw,
                       std::vector<store::view_change> views = {});
  // Returns once every submitted batch has been committed and its handler has returned.
  void drain();

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace zwerm::node
