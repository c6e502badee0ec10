// What one peer may make this node do (docs/PROTOCOL.md §5.11, docs/OPERATIONS.md "Peer
// budgets"): token buckets for messages, bytes and records per second on each session, and a
// score per member key that survives reconnects and decays, in the spirit of gossipsub's peer
// scoring.
//
//   - A session over a bucket is slowed: it is not read until the bucket is back at zero (TCP
//     pushes back on the sender), and its key's score rises by one plus the wait in seconds.
//     Messages read while it is slowed (already buffered) count in the buckets (the next wait
//     is longer) but raise the score only at the next over-budget message after the wait.
//   - A key whose score reaches `disconnect_score` is disconnected (every session of it).
//   - A disconnect leaves the key's score at half the threshold. A key disconnected
//     `ban_after` times without a quiet half-life in between (its score falling below a
//     quarter of the threshold) is banned: the transport's growing bans.
//   - Scores halve every `half_life`.
// Honest catch-up never comes near the buckets: the receiver paces it (the sync window), and a
// catch-up stays far below the byte and record rates.
//
// Pure: no sockets, no timers; the caller passes the time. Threads: one (zwermd's I/O thread).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>

#include "base/bytes.hpp"

namespace zwerm::node {

struct budget_options {
  // Sustained rates and bursts of one session. Defaults: 1,000 messages/s (burst 4,000),
  // 32 MiB/s (burst 64 MiB), 100,000 records/s (burst 200,000).
  double messages_per_s = 1'000;
  double messages_burst = 4'000;
  double bytes_per_s = 32.0 * 1024 * 1024;
  double bytes_burst = 64.0 * 1024 * 1024;
  double records_per_s = 100'000;
  double records_burst = 200'000;
  // Score at which a key is disconnected. Default 8.
  double disconnect_score = 8;
  // Disconnects (while the score stays high) before the address is banned. Default 3.
  std::uint32_t ban_after = 3;
  // Scores halve this often. Default 30 s.
  std::chrono::milliseconds half_life{std::chrono::seconds(30)};
  // Keys remembered at once (memory bound); the lowest score is forgotten first. Default 4,096.
  std::size_t max_keys = 4096;
};

using budget_clock = std::chrono::steady_clock;

// One session's buckets.
class session_budget {
 public:
  session_budget(const budget_options& o, budget_clock::time_point now);
  // Spends one message of `bytes` bytes carrying `records` records. Returns how long the
  // session should not be read (zero: within budget).
  std::chrono::milliseconds spend(std::size_t bytes, std::size_t records,
                                  budget_clock::time_point now);

 private:
  struct bucket {
    double level = 0, rate = 0, burst = 0;
    void refill(double seconds) { level = std::min(burst, level + rate * seconds); }
    // Seconds until the level is back at zero (0 when it is not below).
    double deficit_s() const { return level >= 0 ? 0 : -level / rate; }
  };
  bucket messages_, bytes_, records_;
  budget_clock::time_point last_;
};

enum class budget_verdict {
  ok,          // within budget
  slow,        // over a bucket: pause reading for the returned time
  disconnect,  // the key's score reached disconnect_score
  ban,         // ... and it was disconnected ban_after times: ban its address
};

// The scores of member keys, across their sessions.
class peer_scores {
 public:
  explicit peer_scores(budget_options o = {}) : options_(o) {}
  const budget_options& options() const { return options_; }

  // A session of `key` was over budget at `now`: session_budget::spend asked it to wait
  // `wait`. The score rises by 1 plus the wait in seconds (a flood earns long waits).
  budget_verdict over_budget(const crypto::public_key& key, std::chrono::milliseconds wait,
                             budget_clock::time_point now);
  // A heavy protocol offence that did not end the session by itself (e.g. an answer this node
  // did not ask for): adds `weight` to the score.
  budget_verdict offence(const crypto::public_key& key, double weight,
                         budget_clock::time_point now);
  double score(const crypto::public_key& key, budget_clock::time_point now) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct entry {
    double score = 0;
    std::uint32_t disconnects = 0;
    budget_clock::time_point at{};
  };
  double decayed(const entry& e, budget_clock::time_point now) const;
  budget_verdict add(const crypto::public_key& key, double weight, budget_clock::time_point now);
  void make_room(budget_clock::time_point now);

  budget_options options_;
  std::map<crypto::public_key, entry> entries_;
};

}  // namespace zwerm::node
