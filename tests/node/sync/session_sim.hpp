// A deterministic network of sync engines that talk over real net sessions, for simulations.
//
// Each node has a key, a memory_replica (its store: kept across restarts) and, while it runs, a
// process: a sync::engine, a net::listener (unbound) and a net::dialer whose streams are
// in-memory pairs (net/memory_stream.hpp). Sessions do the Secret Handshake, box stream,
// message framing and keepalives as over TCP; their deadlines run on one net::virtual_clock.
// Session events map onto the engine as zwermd maps them (attach on connected, on_message,
// detach on closed; a misbehaving peer's session is closed). One io_context runs on the
// caller's thread with poll_one(); nothing touches a socket, a thread or the machine's clock.
//
// Time: step(tick, budget) runs at most `budget` ready handlers, then moves the virtual clock by
// `tick` (the waits that expire by then complete). A stream delivers at once, so the budget
// is what makes work take time: what is not done within one step is in flight during the
// next, and the faults of the next step meet it there.
//
// Faults: stop_node (the process dies: every stream of the node is closed as the operating
// system closes the sockets of a killed process, data in flight lost; the engine is destroyed,
// the replica kept), start_node (a fresh process over the kept replica), drop (one stream end
// closed with data in flight), partition (the streams between sides freeze, both ways; dials
// across connect to nothing and time out) and heal (they thaw: what waited is delivered).
//
// Determinism: node keys, engine seeds and the order of every handler are functions of the
// seed. The handshakes' ephemeral keys are random, so the bytes on the wire differ between runs;
// their sizes, and so every event and its time, do not. trace_hash() hashes every sync message
// delivered (its plaintext, the virtual time, the receiving and the sending node) and every
// session opened and closed (time, nodes, who dialed, why it closed).
//
// Everything must be called on the caller's thread, between steps.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/sign.hpp"
#include "net/asio.hpp"
#include "net/dialer.hpp"
#include "net/options.hpp"
#include "net/session.hpp"
#include "net/virtual_time.hpp"
#include "node/sync/engine.hpp"
#include "node/sync/memory_replica.hpp"

namespace zwerm::sim {

namespace sync = node::sync;

class session_network {
 public:
  struct options {
    std::uint64_t seed = 1;
    // Session deadlines; virtual_time is set by the network.
    net::session_options session;
    sync::engine_options engine;
    // Changes node n's engine options (the checker's tests make one node unfit). Optional.
    std::function<void(std::size_t n, sync::engine_options&)> tune_engine;
  };

  // Short deadlines for a simulation: a frozen link ends within seconds of virtual time.
  static net::session_options quick_sessions();

  // `nodes` nodes, keys derived from the seed, every replica holding the community's genesis;
  // every node running.
  session_network(const std::string& genesis_bytes, const community_id& community,
                  std::size_t nodes, options opts);
  ~session_network();
  session_network(const session_network&) = delete;
  session_network& operator=(const session_network&) = delete;

  std::size_t size() const { return nodes_.size(); }
  const crypto::key_pair& key(std::size_t n) const;
  const sync::memory_replica& replica(std::size_t n) const;
  bool running(std::size_t n) const;

  // --- topology: node a dials node b for each edge while the edge is down ---
  std::size_t add_edge(std::size_t a, std::size_t b);
  std::size_t edge_count() const { return edges_.size(); }
  // A dial in progress or a session open.
  bool edge_up(std::size_t e) const;
  // Starts a dial of the edge unless it is up or its dialing node is stopped.
  void dial(std::size_t e);

  // --- faults ---
  void stop_node(std::size_t n);
  void start_node(std::size_t n);
  // Stops the node and gives it a replica holding only the genesis: its disk was lost.
  void wipe_node(std::size_t n);
  // Closes one end (chosen by `pick`) of one open stream pair (chosen by `pick` too); false
  // when there is none.
  bool drop(std::uint64_t pick);
  // side[n] is node n's side.
  void partition(std::vector<int> side);
  void heal();
  bool partitioned() const { return !side_.empty(); }

  // --- the members and the engines ---
  // Records node n's member wrote (the node must run).
  void write(std::size_t n, const std::vector<std::string>& records);
  // Every running engine probes one random peer.
  void anti_entropy_round();

  // --- time ---
  void step(std::chrono::microseconds tick, std::size_t budget);
  // Runs every ready handler, and those they make ready, until none is.
  void settle();
  std::uint64_t now_us() const;

  // --- what happened ---
  std::uint64_t delivered() const { return delivered_; }
  std::uint64_t trace_hash() const { return trace_; }
  // Sessions of running nodes that ended for `why` (a killed node's are not counted).
  std::size_t sessions_ended(net::close_reason why) const {
    auto it = ended_.find(why);
    return it == ended_.end() ? 0 : it->second;
  }
  // Sessions open now, over all running nodes.
  std::size_t open_sessions() const;
  // Things an honest network must never do: a peer accused of misbehaviour by an engine, a
  // session closed for misbehaviour, an address banned by a listener. One sentence each.
  //
  // A partition that freezes an inbound handshake after the client's msg1 makes it miss a
  // deadline: a light offence (PROTOCOL.md §4.3.5), no ban, so any such ban is an accusation.
  // Except one ban the protocol keeps: msg1 not complete within the hello deadline bans the
  // client's address, and a partition that freezes a handshake before the server has read
  // all of msg1 makes an honest client miss it. A listener's bans up to the number of its
  // handshakes frozen so are not accusations; bans() counts them all.
  std::vector<std::string> accusations() const;
  // Addresses banned by listeners, over all processes so far.
  std::size_t bans() const;
  // Over the running processes: inbound handshakes a partition froze before the server had
  // read all of msg1, and handshakes the listeners counted as abandoned (an EOF or reset
  // before admission, or a stall after msg1: light offences).
  std::size_t frozen_before_hello() const;
  std::size_t handshakes_abandoned() const;

 private:
  struct process;
  struct node_state;
  struct wire;
  class tracked_stream;
  struct edge {
    std::size_t a, b;
    bool dialing = false;
    std::uint64_t attempt = 0;  // a dial's result counts only while no later one started
    std::weak_ptr<net::session> session;
  };

  std::unique_ptr<net::stream> connect(std::size_t from, const net::dial_target& target);
  void deliver_accept();
  net::awaitable<void> dial_edge(std::size_t e, std::uint64_t attempt, process* p);
  bool reachable(std::size_t a, std::size_t b) const;
  void fresh_replica(std::size_t n);
  void prune_wires();
  void count_bans(const process& p);
  std::optional<std::string> unexplained_bans(const process& p) const;
  void trace_message(std::size_t to, std::size_t from, std::string_view bytes);
  // A session of `node` with `peer` opened (reason: 1 when `node` dialed) or closed (reason:
  // its close_reason).
  void trace_session(std::size_t node, std::size_t peer, bool opened, std::uint64_t reason);
  void mix(const void* data, std::size_t size);
  std::size_t index_of(const crypto::public_key& k) const;

  options opts_;
  community_id community_;
  std::string genesis_;
  crypto::network_key network_{};
  net::virtual_clock clock_;  // before io_: outlives it
  net::asio::io_context io_;
  net::time_point start_;
  std::vector<std::unique_ptr<node_state>> nodes_;
  std::map<crypto::public_key, std::size_t> by_key_;
  std::map<std::string, std::size_t> by_host_;  // a node's listening address
  std::deque<std::pair<std::size_t, std::unique_ptr<net::stream>>> pending_accepts_;
  // Processes that were stopped: their handlers and dialers stay until the end, since sessions
  // that were still ending may call them.
  std::vector<std::unique_ptr<process>> retired_;
  std::vector<edge> edges_;
  std::vector<std::shared_ptr<wire>> wires_;  // in the order they were made
  std::vector<int> side_;                     // empty: no partition
  std::uint16_t next_port_ = 0;
  std::uint64_t delivered_ = 0;
  std::uint64_t trace_ = 14695981039346656037ULL;  // FNV-1a offset basis
  std::vector<std::string> accusations_;
  std::map<net::close_reason, std::size_t> ended_;
  std::size_t bans_ = 0;  // by stopped processes' listeners
};

}  // namespace zwerm::sim
