// A replica of one community held in memory: real records (node::parse_record verifies every
// signature, node::check_chain applies the chain rules), digests kept up to date on every
// append like the store's. For tests, simulations and benchmarks of the sync protocol; zwermd
// uses store_replica.
//
// Threads: one thread at a time. Errors: never fails locally (all outcomes are per record).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "node/records/record.hpp"
#include "node/sync/digest.hpp"
#include "node/sync/replica.hpp"

namespace zwerm::node::sync {

struct memory_replica_options {
  // Records held past feed gaps, over all feeds; more are dropped. Default 65,536.
  std::size_t max_pending = 65'536;
  // Records held past a gap in one feed. Default 1,024.
  std::size_t max_pending_per_feed = 1'024;
};

class memory_replica final : public replica {
 public:
  explicit memory_replica(const community_id& community, memory_replica_options opts = {});

  const community_id& community() const override { return community_; }
  result<crypto::digest> frontier_digest() const override;
  result<bucket_digest_array> bucket_digests() const override;
  result<std::vector<feed_head>> bucket_heads(std::uint8_t bucket) const override;
  result<std::uint64_t> head_seq(const crypto::public_key& author) const override;
  result<std::vector<std::string>> read_feed(const crypto::public_key& author,
                                             std::uint64_t from_seq, std::size_t max_bytes,
                                             std::size_t max_records) const override;
  result<record_key> peek(std::string_view record_bytes) const override;
  result<ingest_report> ingest(const std::vector<std::string>& batch) override;

  // --- for tests ---
  std::size_t record_count() const { return records_; }
  std::size_t feed_count() const { return feeds_.size(); }
  std::size_t pending_count() const { return pending_; }
  std::size_t fork_proofs() const { return fork_proofs_; }
  // Times records were appended to the log (a record appended twice would count twice).
  std::uint64_t appends() const { return appends_; }
  // Every record's bytes, feed by feed (author order), in seq order.
  std::vector<std::string> all_records() const;
  bool forked(const crypto::public_key& author) const;
  // The smallest seq at which a fork proof of the author's feed is held (0: none).
  std::uint64_t fork_seq(const crypto::public_key& author) const;

 private:
  struct stored {
    std::string bytes;
    record_id id;
    std::uint64_t lamport = 0;
  };
  struct feed {
    std::vector<stored> log;                                  // log[i] has seq i+1
    std::map<std::uint64_t, node::record> pending;            // verified, waiting for the gap
    std::vector<std::pair<std::string, std::string>> proofs;  // fork proofs (kept, other)
    bool forked = false;
    std::uint64_t fork_seq = 0;  // smallest seq among the proofs
    // The highest record refused as a fork continuation (ingest_outcome::fork_continuation),
    // seq and id: a record past a gap whose prev is this one continues the other side too.
    std::optional<std::pair<std::uint64_t, record_id>> continuation;
  };

  record_outcome ingest_one(const std::string& bytes, std::vector<record_key>& appended);
  void append(feed& f, const node::record& r, std::vector<record_key>& appended);
  // Drops the pending records that go on from f.continuation (seq + 1 with that prev, and so
  // on), moving the continuation to the last one dropped: they can never join the log.
  void drop_continued(feed& f);
  void toggle_head_hash(const crypto::public_key& author, const feed& f);

  community_id community_;
  memory_replica_options opts_;
  std::map<crypto::public_key, feed> feeds_;
  bucket_digest_array buckets_{};
  mutable std::optional<crypto::digest> frontier_;  // cached; reset on every change
  std::size_t records_ = 0;
  std::size_t pending_ = 0;
  std::size_t fork_proofs_ = 0;
  std::uint64_t appends_ = 0;
};

}  // namespace zwerm::node::sync
