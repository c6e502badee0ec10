// The replica zwermd gives the sync engine: one community of a store::store.
//
// Reads go straight to the store (frontier and bucket digests, bucket heads, feed cursors).
// ingest() parses and verifies every record (node::parse_record, optionally spread over the
// threads of a node::ingestor), refuses records of another
// community, classifies each against its feed head with node::check_chain so that a peer's
// broken chain (wrong prev, lamport not increasing) is told apart from a local refusal, and
// commits the rest as one store ingest (one synced WriteBatch). Records past a gap go to the
// store's pending area; conflicting records become fork proofs there.
//
// Ownership: borrows the store, which must outlive this object. Threads: as store::store
// (reads from any thread; ingest from the store's single writer). Errors: a non-ok status
// only when the store fails (io_error, corruption); peer faults are per-record outcomes.
#pragma once

#include "node/ingest.hpp"
#include "node/sync/replica.hpp"
#include "store/store.hpp"

namespace zwerm::node::sync {

class store_replica final : public replica {
 public:
  // `verifier`, when given, parses and verifies each batch on its thread pool
  // (node::ingestor::verify); without it records are verified inline, one after the other.
  // Borrowed like the store.
  store_replica(store::store& s, const crypto::digest& community,
                node::ingestor* verifier = nullptr);

  const crypto::digest& community() const override { return community_; }
  result<crypto::digest> frontier_digest() const override;
  result<std::array<crypto::digest, 256>> bucket_digests() const override;
  result<std::vector<feed_head>> bucket_heads(std::uint8_t bucket) const override;
  result<std::uint64_t> head_seq(const crypto::public_key& author) const override;
  result<std::vector<std::string>> read_feed(const crypto::public_key& author,
                                             std::uint64_t from_seq,
                                             std::size_t max_bytes) const override;
  result<record_key> peek(std::string_view record_bytes) const override;
  result<ingest_report> ingest(const std::vector<std::string>& batch) override;

 private:
  store::store& store_;
  crypto::digest community_;
  node::ingestor* verifier_;
};

}  // namespace zwerm::node::sync
