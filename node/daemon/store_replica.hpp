// The replica zwermd gives the sync engine: one community of a store::store.
//
// Reads go straight to the store (frontier and bucket digests, bucket heads, feed cursors).
// ingest() parses and verifies every record (node::parse_record, optionally spread over the
// threads of a node::ingestor), refuses records of another
// community, classifies each against its feed head with node::check_chain so that a peer's
// broken chain (wrong prev, lamport not increasing) is told apart from a local refusal, and
// commits the rest as one store ingest (one synced WriteBatch). Records past a gap go to the
// store's pending area; conflicting records become fork proofs there. A validly signed
// record at head + 1 whose prev is not the head is its author's other side going on (a fork,
// whether or not the proof is held yet): fork_continuation, not stored, not the sender's
// fault; so is a record past a gap whose prev is the highest record refused that way (the
// replica remembers one such record per feed). Records that went on from a refused one but
// came before it (held past a gap: 5a before 4a) are dropped from the store's pending area
// after the commit, and the highest of them becomes the record remembered.
//
// ingest_async(): made with a node::ingest_queue, the replica hands each batch to the queue
// and returns at once; the queue's threads verify it, its writer classifies it against the
// feed heads as the batches before it leave them and commits it (with whatever other batches
// are ready, in one synced WriteBatch), and the report reaches the engine through `post`,
// which must run the function it is given on the engine's thread (zwermd: asio::post to the
// I/O executor). Without a queue ingest_async() is ingest(). The records such a batch
// appended are kept, parsed, until take_appended() collects them, so that the owner can apply
// them to the community state without reading most of them back from the store.
//
// Ownership: borrows the store and the queue, which must outlive this object (queued batches
// own what they need: the replica may go first). Threads: as store::store (reads from any
// thread; ingest from the store's single writer: with a queue, the queue's writer).
// Errors: a non-ok status only when the store fails (io_error, corruption); peer faults are
// per-record outcomes.
#pragma once

#include <functional>
#include <memory>

#include "node/ingest/deferred_signatures.hpp"
#include "node/ingest/ingest.hpp"
#include "node/ingest/ingest_queue.hpp"
#include "node/sync/replica.hpp"
#include "store/store.hpp"

namespace zwerm::node::sync {

class store_replica final : public replica {
 public:
  // `verifier`, when given, parses and verifies each batch on its thread pool
  // (node::ingestor::verify); without it records are verified inline, one after the other.
  // Borrowed like the store.
  store_replica(store::store& s, const community_id& community, node::ingestor* verifier = nullptr);
  // Runs a function on the engine's thread, later (never inside the call).
  using poster = std::function<void(std::function<void()>)>;
  // `deferred`, when given, takes the records the queue accepted on the word of a later record
  // (authentication by chain, PROTOCOL.md §2.11) for the background check of their own
  // signatures; without it the replica checks them itself on the queue's writer thread.
  store_replica(store::store& s, const community_id& community, node::ingest_queue& queue,
                poster post, node::deferred_signatures* deferred = nullptr);

  const community_id& community() const override { return community_; }
  result<crypto::digest> frontier_digest() const override;
  result<std::array<crypto::digest, 256>> bucket_digests() const override;
  result<std::vector<feed_head>> bucket_heads(std::uint8_t bucket) const override;
  result<std::uint64_t> head_seq(const crypto::public_key& author) const override;
  result<std::vector<std::string>> read_feed(const crypto::public_key& author,
                                             std::uint64_t from_seq, std::size_t max_bytes,
                                             std::size_t max_records) const override;
  result<record_key> peek(std::string_view record_bytes) const override;
  result<ingest_report> ingest(const std::vector<std::string>& batch) override;
  void ingest_async(std::vector<std::string> batch, ingest_callback done) override;

  // The records appended for `keys` (which reports named), parsed: those ingest_async kept are
  // taken from the replica's keeping, the others (promoted from the pending area, or appended
  // by ingest()) are read back from the store, a run of consecutive seqs per feed at a time.
  // A record that cannot be read back is logged and left out (the state then lacks it until
  // the next start replays the store).
  std::vector<record> take_appended(const std::vector<record_key>& keys);

  struct kept_records;  // appended records waiting for take_appended (shared with the jobs)
  struct fork_tips;     // per forked feed: the highest record refused as a fork continuation

 private:
  // Whether the held record (author, seq) may not end a served range: its signature was found
  // bad, or is unchecked and fails the check made now.
  bool ends_badly(const crypto::public_key& author, std::uint64_t seq,
                  std::string_view bytes) const;
  // Trims or extends `out` (author's records from from_seq on) so that it ends at a record
  // whose signature holds (see read_feed).
  status end_on_valid_signature(const crypto::public_key& author, std::uint64_t from_seq,
                                std::vector<std::string>& out) const;

  store::store& store_;
  community_id community_;
  node::ingestor* verifier_ = nullptr;
  node::ingest_queue* queue_ = nullptr;
  poster post_;
  node::deferred_signatures* deferred_ = nullptr;
  std::shared_ptr<kept_records> kept_;
  std::shared_ptr<fork_tips> tips_;
};

}  // namespace zwerm::node::sync
