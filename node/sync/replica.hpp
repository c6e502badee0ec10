// What sync needs from a node's copy of one community's log: the abstract replica.
//
// The sync state machine (node/sync/engine.hpp) is written against this interface so that it
// runs without sockets and without LevelDB: tests and simulations use memory_replica, zwermd
// uses store_replica (an adapter over store::store). One replica = one community.
//
// Threads: called only from the thread that drives the engine (zwermd: the I/O executor).
// Errors: read calls return a non-ok status only for local failures (disk, corruption); peer
// faults are never errors here but per-record outcomes of ingest().
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/feed_chain.hpp"
#include "base/status.hpp"

namespace zwerm::node::sync {

// The newest record of one feed (one author in this community; forked: the replica holds a
// fork proof of this feed).
using zwerm::feed_head;

// Author and seq of a record, read from its bytes without verifying anything.
struct record_key {
  crypto::public_key author;
  std::uint64_t seq = 0;
};

enum class ingest_outcome {
  stored,     // appended to the log now
  duplicate,  // already held: nothing changed
  pending,    // past a gap in its feed: held aside until the gap fills
  invalid,    // malformed, bad signature, or not of this community: never stored
  bad_chain,  // at head+1 but prev or lamport wrong, or seq/prev inconsistent: dropped
  forked,     // another record holds this (author, seq): kept as a fork proof only
  dropped,    // refused for a local reason (pending area full): not the sender's fault
  // The record goes on from another record its author signed for seq - 1 (a fork, whether or
  // not this node holds the proof yet): its prev is not this node's record at seq - 1 (or is
  // a record refused the same way before). Not stored, and not the sender's fault: an honest
  // peer that kept the other side relays its continuation.
  fork_continuation,
};
const char* to_string(ingest_outcome o);

struct record_outcome {
  ingest_outcome outcome = ingest_outcome::invalid;
  std::string reason;  // a sentence for every outcome but stored/duplicate/pending
  record_key key;      // valid unless outcome == invalid
};

struct ingest_report {
  std::vector<record_outcome> outcomes;  // one per input record, in input order
  // Every record appended to the log by this call, including ones promoted from the pending
  // area; seq order within each feed.
  std::vector<record_key> appended;
};

class replica {
 public:
  virtual ~replica() = default;

  virtual const community_id& community() const = 0;

  // The frontier digest and the 256 bucket digests, as docs/PROTOCOL.md §5.3 defines them.
  virtual result<crypto::digest> frontier_digest() const = 0;
  virtual result<std::array<crypto::digest, 256>> bucket_digests() const = 0;
  // Heads of the feeds whose author's first byte is `bucket`, ascending by author.
  virtual result<std::vector<feed_head>> bucket_heads(std::uint8_t bucket) const = 0;
  // Seq of the author's newest record in the log (0 when the feed is empty or unknown).
  virtual result<std::uint64_t> head_seq(const crypto::public_key& author) const = 0;

  // Up to `max_bytes` and `max_records` of the author's records from `from_seq` on,
  // consecutive, in seq order; at least one record when the feed holds `from_seq` (even if
  // larger than max_bytes); empty when from_seq is past the head. What is returned is sent as
  // one range, so it ends at a record whose own signature this replica has checked and found
  // valid (PROTOCOL.md §2.11): a replica that stores records on the word of a later record
  // checks the last one first, steps back over one whose held signature is bad, and, when the
  // first record is such a one, goes on past max_bytes and max_records to the next good one
  // (empty when there is none).
  virtual result<std::vector<std::string>> read_feed(const crypto::public_key& author,
                                                     std::uint64_t from_seq, std::size_t max_bytes,
                                                     std::size_t max_records) const = 0;

  // Author and seq from record bytes, without verifying the signature (used to check a
  // peer's ordering before anything is ingested). A rejected status for malformed bytes.
  virtual result<record_key> peek(std::string_view record_bytes) const = 0;

  // Validates, verifies and stores a batch received from a peer, atomically. A non-ok status
  // only for a local failure (nothing stored then); peer faults are outcomes.
  virtual result<ingest_report> ingest(const std::vector<std::string>& batch) = 0;

  // The same as ingest(), but the replica may verify and store the batch later, off the
  // engine's thread (zwermd: node::ingest_queue), so that the engine goes on receiving.
  // `done` gets the report on the engine's thread, never concurrently with an engine call:
  // either inside this call or later from the thread's event loop. Reports of successive
  // calls arrive in call order. When the replica shuts down first, `done` may never run.
  // The default runs ingest() at once.
  using ingest_callback = std::function<void(result<ingest_report>)>;
  virtual void ingest_async(std::vector<std::string> batch, ingest_callback done) {
    done(ingest(batch));
  }
};

}  // namespace zwerm::node::sync
