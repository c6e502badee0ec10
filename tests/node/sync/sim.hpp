// A deterministic in-process network of sync engines for tests, simulations and benchmarks.
//
// Each node has a key, a memory_replica of one community and a sync::engine. Links are pairs
// of in-memory sinks; a sent message is delivered after a seeded random latency, in order per
// direction (as TCP would), by a single event queue in virtual time. Nothing touches sockets
// or clocks, so a run is a function of the seed.
//
// Wire accounting (wire_bytes): each sync message of n bytes costs what net/ puts on the wire
// for it when it is sealed on its own: the message layer's 4-byte length header, and one
// 34-byte box-stream header per 4096 bytes of body (net/message_codec.hpp,
// crypto/box_stream.hpp). net/ may pack several messages into one box, which only lowers that.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "crypto/sign.hpp"
#include "node/records/record_writer.hpp"
#include "node/sync/engine.hpp"
#include "node/sync/memory_replica.hpp"

namespace zwerm::sim {

namespace sync = node::sync;

std::uint64_t wire_bytes(std::size_t message_size);

// A community's genesis plus a way to make more signed records for it.
struct community_maker {
  crypto::key_pair founder;
  node::record genesis;
  // Writes `count` records by a fresh author (seq 1..count), each about `size` bytes.
  std::vector<std::string> feed(std::size_t count, std::size_t size,
                                const crypto::key_pair& author) const;
  static community_maker make();
  // The same with the founder's key derived from `seed` (a run that is a function of it).
  static community_maker make(std::uint64_t seed);
};

// A member's feed that forks at `fork_seq`: side a runs from seq 1 to `last`; side b shares
// seq 1..fork_seq-1 with it and has one record of its own at fork_seq. Bodies: {"side":"b"} and
// {"side":"a"} at the fork, {"n":seq} elsewhere; each written at ts = seq.
struct forked_feed {
  crypto::key_pair key;
  std::vector<node::record> side_a;  // seq 1..last
  node::record b;                    // side b's record at fork_seq
  const node::record& a(std::uint64_t seq) const { return side_a.at(seq - 1); }
  static forked_feed make(const node::record& genesis, std::uint64_t fork_seq, std::uint64_t last);
};

// A key pair derived from (seed, n): the same numbers give the same key in every run.
crypto::key_pair seeded_key(std::uint64_t seed, std::uint64_t n);

// A body padded so the whole record is about `size` bytes.
std::string padded_body(std::size_t size, std::uint64_t n);

// The seed of node `index`'s engine in a run of `seed`, its `starts`-th engine (0: the first;
// a restarted node gets another). Never 0 (which would mean a random seed).
std::uint64_t engine_seed(std::uint64_t seed, std::size_t index, std::uint64_t starts);

// Records a node's member wrote: ingested into its replica (refused records throw), then
// handed to its engine to push. Returns the keys appended.
std::vector<sync::record_key> write_local(sync::memory_replica& replica, sync::engine& engine,
                                          const std::vector<std::string>& records);

struct link_stats {
  std::uint64_t messages = 0;
  std::uint64_t payload_bytes = 0;  // sync message bytes
  std::uint64_t wire = 0;           // with framing (wire_bytes)
};

class network {
 public:
  struct options {
    std::uint64_t seed = 1;
    std::uint64_t latency_min_us = 200;
    std::uint64_t latency_max_us = 2000;
    sync::engine_options engine;
    // Node keys derived from the seed (seeded_key) instead of random ones, so that the run,
    // down to every message's bytes, is a function of the seed.
    bool keys_from_seed = false;
  };

  network(const community_id& community, options opts);
  ~network();

  // A node with an empty replica. Returns its index. `max_version`: the highest protocol
  // version it speaks (an older node's, for tests of two versions).
  std::size_t add_node(std::uint8_t max_version = sync::max_protocol_version);
  // A node whose replica already holds `records` (ingested directly, no sync).
  std::size_t add_node_with(const std::vector<std::string>& records,
                            std::uint8_t max_version = sync::max_protocol_version);

  sync::memory_replica& replica(std::size_t n);
  sync::engine& engine(std::size_t n);
  const crypto::key_pair& key(std::size_t n) const;

  // Node `a` dials node `b`. Returns a link id.
  std::size_t connect(std::size_t a, std::size_t b);
  // Cuts a link: both engines detach, messages in flight are lost.
  void disconnect(std::size_t link);
  // Drops one node's sync state for every link (as a killed process would); its replica stays.
  void kill_node_sessions(std::size_t n);
  bool connected(std::size_t link) const;
  std::size_t link_count() const { return links_.size(); }
  std::pair<std::size_t, std::size_t> link_ends(std::size_t link) const;

  // --- faults (chaos tests) ---
  // Dials like connect(), but refuses (nullopt) when either node is stopped or a partition
  // separates them, as the real network would.
  std::optional<std::size_t> dial(std::size_t a, std::size_t b);
  // Kills a node's process: its links are cut (messages in flight lost) and its engine is
  // destroyed; its replica stays, as a store on disk would. Dials to it are refused.
  void stop_node(std::size_t n);
  // Starts a stopped node again with a fresh engine over the replica it kept.
  void start_node(std::size_t n);
  bool running(std::size_t n) const;
  // Stops the node and replaces its replica with an empty one: the disk was lost.
  void wipe_node(std::size_t n);
  // Splits the nodes: side[n] is node n's side. Links between sides are cut at once and dials
  // across refused until heal().
  void partition(std::vector<int> side);
  void heal();
  bool partitioned() const { return !side_.empty(); }
  bool reachable(std::size_t a, std::size_t b) const;

  // Messages delivered so far, and a hash of each one's time, link, direction and bytes in
  // delivery order: two runs with the same seed must give the same hash.
  std::uint64_t delivered() const { return delivered_; }
  std::uint64_t trace_hash() const { return trace_; }

  // Ingests records at node n as if its member wrote them, and pushes them to its peers.
  void write(std::size_t n, const std::vector<std::string>& records);

  // Delivers messages until none is left or `max_events` were delivered. Returns the number.
  std::uint64_t run(std::uint64_t max_events = UINT64_MAX);
  // Delivers messages until virtual time `until_us`.
  void run_until(std::uint64_t until_us);
  std::uint64_t now_us() const { return now_; }
  // Every running node probes one random peer.
  void anti_entropy_round();

  // Bytes each way of a link, from the dialer's (dir 0) and the listener's (dir 1) side.
  const link_stats& stats(std::size_t link, int dir) const;
  link_stats total() const;

  struct misbehaviour_event {
    std::size_t node;
    crypto::public_key peer;
    sync::misbehaviour what;
  };
  const std::vector<misbehaviour_event>& misbehaviours() const { return bad_; }
  // Called for every record appended at a node (node, author, seq, virtual time).
  std::function<void(std::size_t, const sync::record_key&, std::uint64_t)> on_appended;
  // Inject raw messages into a link as if node `from` had sent them (hostile peer tests).
  void inject(std::size_t link, std::size_t from, std::string message);

 private:
  struct node_state;
  struct link_state;
  struct sink_impl;
  struct event {
    std::uint64_t at;
    std::uint64_t order;
    std::size_t link;
    int dir;  // 0: from dialer to listener
    std::string bytes;
    bool operator>(const event& o) const { return at != o.at ? at > o.at : order > o.order; }
  };

  void send(std::size_t link, int dir, std::string bytes);
  void deliver(const event& e);
  void make_engine(std::size_t index, std::uint8_t max_version);
  void trace(const void* data, std::size_t size);

  community_id community_;
  options opts_;
  std::mt19937_64 rng_;
  std::vector<std::unique_ptr<node_state>> nodes_;
  std::vector<std::unique_ptr<link_state>> links_;
  std::priority_queue<event, std::vector<event>, std::greater<>> events_;
  std::uint64_t now_ = 0;
  std::uint64_t order_ = 0;
  std::vector<misbehaviour_event> bad_;
  std::vector<int> side_;  // empty: no partition
  std::uint64_t delivered_ = 0;
  std::uint64_t trace_ = 14695981039346656037ULL;  // FNV-1a offset basis
};

}  // namespace zwerm::sim
