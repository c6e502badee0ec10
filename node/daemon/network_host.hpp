// zwermd's network side: one listener for every community the node is in, and per community a
// sync engine over the store, a peer manager and the sessions that connect them
// (docs/ARCHITECTURE.md, "Daemon networking"). Its sources, by job: network_host.cpp (wiring,
// sessions, records), network_host_communities.cpp (each community's engine, peer manager and
// key), network_host_admission.cpp (who may replicate; peer budgets),
// network_host_dial.cpp (dialing and joining), network_host_views.cpp (status and peers),
// network_host_operator.cpp (the operator's peer add, remove, ban and unban).
//
// What it wires:
//   - net::listener on `listen`, serving the network key of every community this node holds;
//     the authorizer answers from the community state through an admission_book (admission.hpp):
//     members and the invitees of open id invites are admitted, a key presenting an open token
//     invite's token is bound to it. Standing is re-checked on every absorbed record and every
//     second; a session whose peer no longer stands is closed, whichever side dialed.
//   - per community: sync::engine over a sync::store_replica, attached to every session of that
//     community. Received records go to one node::ingest_queue shared by all communities
//     (`verify_threads` verifying threads and a writer thread that commits whatever batches are
//     ready as one synced store batch); the I/O thread goes on reading meanwhile. A session with
//     more than the sync window (engine_options::window_bytes) of records waiting there is not
//     read until they are done: the sender feels it as TCP backpressure, memory stays bounded.
//     A feed this node does not hold is admitted only when it begins with the genesis or a join
//     that redeems an invite (feed_authority). Records the engine appends (taken from the
//     replica, take_appended) go to the community_host, which absorbs them coalesced
//     (absorb_soon, on this host's executor) and reports back (on_absorbed: profiles and
//     standing re-read). The member's own writes (on_host_appended) are pushed with
//     records_written; anti-entropy every `anti_entropy_interval`.
//   - per session: a peer budget (peer_budget.hpp); over it the session is slowed, its key's
//     score rises, and the key is disconnected and then banned.
//   - the operator's bans of IP addresses (peer ban, kept in peers.json): held in the listener's
//     ban list and every peer manager; a session from or to a banned address is closed.
//   - per community: peers::manager fed from config `bootstrap`, `peer add`, invite codes,
//     members' profile addresses and peer exchange; it dials only keys that may_dial() allows
//     (active members; the invite's nodes while joining); its dials go through net::dialer.
//   - misbehaviour reported by sync closes the session and bans the peer (for a fork only a
//     log line: honest peers relay fork proofs); every report first has the community_host
//     mark the forks the store now holds (community_host::mark_forks), which ends the forked
//     member's sessions like a leave does.
//
// Threads: everything runs on the daemon's one I/O executor; no member may be called from
// another thread. Received records are verified and committed on the ingest queue's threads;
// their reports come back to the I/O executor (asio::post). The store has two writers then:
// the queue's writer (synced records) and the I/O thread (the member's own records, peer
// books); the store's mutex serializes them.
//
// Ownership: borrows the community_host (and through it the store), which must outlive this
// object. Stop with stop() before the io_context stops running; destroy after it returned.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "base/status.hpp"
#include "net/dialer.hpp"
#include "net/listener.hpp"
#include "node/daemon/admission.hpp"
#include "node/daemon/community_host.hpp"
#include "node/daemon/config.hpp"
#include "node/daemon/invite_code.hpp"
#include "node/daemon/operator_peers.hpp"
#include "node/daemon/peer_budget.hpp"
#include "node/daemon/store_peer_book.hpp"
#include "node/daemon/store_replica.hpp"
#include "node/ingest/deferred_signatures.hpp"
#include "node/ingest/ingest_queue.hpp"
#include "node/peers/manager.hpp"
#include "node/sync/engine.hpp"

namespace zwerm::node {

struct network_options {
  // Where the listener binds. Port 0: the system picks one (bound_address() tells which).
  host_port listen{"0.0.0.0", 7411};
  // The address put into invite codes and shared with peers. Default: the listen address when
  // it names a specific host.
  std::optional<host_port> advertise;
  // Addresses from config `bootstrap` (and `peer add`), "[KEY@]host:port".
  std::vector<std::string> bootstrap;
  // Connections kept per community (peers::manager_options::target). Default 6.
  std::size_t target_peers = 6;
  // false: dial only `bootstrap`, `peer add` and (while joining) invite addresses; addresses
  // from members' profiles and peer exchange are ignored and the peer book is neither read
  // nor written (config `peer_discovery`). Default true.
  bool peer_discovery = true;
  net::listener_options listener;
  net::session_options session;
  sync::engine_options sync;
  // What one peer may make this node do (peer_budget.hpp).
  budget_options budget;
  // How often each community's engine probes a random peer. Default 60 s.
  std::chrono::milliseconds anti_entropy_interval{std::chrono::seconds(60)};
  // Threads verifying received records (the ingest queue's; its writer thread and the I/O
  // thread come on top). Config `verify_threads`. Default 2.
  std::size_t verify_threads = 2;
  // Where the invite token bindings are saved (admission.hpp), so that a token still admits
  // only its first key after a restart. Empty: kept in memory only (tests).
  std::filesystem::path token_bindings_file;
  // Where the operator's `peer add` addresses and bans are saved (operator_peers.hpp). Empty:
  // kept in memory only (tests).
  std::filesystem::path operator_peers_file;
  // The clock admission (invite expiry), the peer managers and their timers read. Not owned;
  // must outlive the host. Default: the machine's.
  const zwerm::clock* clock = &machine_clock();
};

// What a join attempt has seen so far (for `zwerm join`'s error messages).
struct join_progress {
  bool has_invite = false;       // the invite record has reached this node's log
  bool join_written = false;     // this member's join record is written
  record_id join_record;         // its id
  bool joined = false;           // and took effect: this member is active
  std::size_t connected = 0;     // sessions of the community open now
  std::size_t dialing = 0;       // dials in progress
  std::size_t dials_failed = 0;  // dials that failed since the join began
  std::size_t sessions_ended = 0;
  std::size_t refusals = 0;  // dials the server did not admit, sessions it closed
  std::string last_problem;  // the last dial error or session end, for people
};

class network_host final : public net::authorizer, public net::session_handler {
 public:
  network_host(net::asio::any_io_executor executor, community_host& host, network_options options);
  ~network_host() override;
  network_host(const network_host&) = delete;
  network_host& operator=(const network_host&) = delete;

  // Binds the listener and sets up every community the host holds a network key and records
  // for. Errors: io_error (the address cannot be bound), invalid_argument (listen host).
  status start();
  // Closes every session and the listener, stops dials and timers, flushes the peer books.
  // Idempotent.
  void stop();
  bool stopped() const { return stopped_; }

  // The listener's bound address (the actual port when listen used port 0).
  host_port bound_address() const;
  // The listener's counters (accepted connections, refused and failed handshakes, bans); zero
  // before start().
  net::listener::counters listener_stats() const;
  // The address other nodes should dial (advertise, else the bound listen address unless it
  // is 0.0.0.0 / ::).
  std::optional<host_port> own_address() const;

  // The community_host appended a record (called for every record; the daemon routes its
  // on_appended here). Records this node wrote are pushed to peers; a community seen for the
  // first time (just created) is set up. Records from peers are left alone here.
  void on_host_appended(const record& r, community_host::origin from);

  // --- joining ---
  // Registers the community of `code` (network key), adds the code's peers as invite
  // addresses and starts dialing them with the token. Errors: the host's (adopt).
  status begin_join(const invite_code& code);
  join_progress progress(const community_id& community, const record_id& invite) const;
  // A join attempt failed: stop dialing with its token, close the community's sessions, and
  // forget the network key when nothing of the community reached this node (so that a stale
  // token is never presented again, and no member node bans this address for it).
  void end_join(const community_id& community);

  // The node forgets the community (community_host::forget): closes its sessions, stops
  // dialing and drops its token bindings. Call before the host forgets it.
  void forget(const community_id& community);

  // --- operator and views ---
  // Adds "[KEY@]host:port" to the community's config addresses and saves it in the operator's
  // file (it outlives a restart). Errors: invalid_argument; refused when the community already
  // has max_added_peers of them; io_error when the file cannot be written.
  result<peers::address_hint> add_peer(const community_id& community, std::string_view text);
  // Forgets the address of "[KEY@]host:port" (the key is ignored) in the community: every
  // source but config.json's `bootstrap` and a member's profile, which would name it again.
  // Returns the canonical address. Errors: invalid_argument (malformed), not_found (not
  // known), refused (named by `bootstrap` or a profile), io_error (the file).
  result<std::string> remove_peer(const community_id& community, std::string_view text);
  struct ban_outcome {
    std::string ip;          // the ban key
    std::int64_t until_ms;   // when it ends
    std::size_t closed = 0;  // sessions closed by it
  };
  // The operator bans the IP address of `text` (peers::parse_ban_address) for `length`, in
  // every community: open sessions with it close now, its inbound connections are refused at
  // accept, and no address whose host is it is dialed. A later ban replaces an earlier one.
  // Errors: invalid_argument (malformed), refused (this node's own listen or advertise
  // address; more than max_operator_bans), io_error (the file).
  result<ban_outcome> ban_peer(std::string_view text, std::chrono::milliseconds length);
  // Lifts the operator's ban of the IP address of `text` and every automatic ban of it (the
  // listener's and the peer managers'). Returns the IP. Errors: invalid_argument, not_found
  // (no ban of it in force), io_error.
  result<std::string> unban_peer(std::string_view text);
  // The operator's bans in force.
  const std::map<std::string, operator_ban>& operator_bans() const { return operator_.bans; }
  // {"peers": [...connections...], "lag": [...per member...], "sync": [...per community:
  // records_received, records_stored, records_duplicate, bytes_sent, bytes_received (sync
  // messages, without the transport's framing) since start...]} over every community. "lag"
  // holds every member's feed (all; a 10,000-member community's list is about 1.4 MB), only
  // the feeds this node lacks records of (behind), or nothing (none: it reads no member's head).
  enum class lag_rows { all, behind, none };
  nlohmann::json status_json(lag_rows lag = lag_rows::all) const;
  // Connections and known addresses of one community.
  nlohmann::json peers_json(const community_id& community) const;

  // --- net::authorizer ---
  net::admission authorize(const crypto::network_key& network,
                           const crypto::public_key& client) override;
  bool check_token(const crypto::network_key& network, const crypto::public_key& client,
                   std::string_view token) override;
  std::string refusal_notice(const crypto::network_key& network,
                             const crypto::public_key& client) override;

  // --- net::session_handler ---
  void on_connected(const net::session_ptr& s) override;
  void on_message(const net::session_ptr& s, std::string_view message) override;
  void on_closed(const net::session_ptr& s, const net::disconnect_info& why) override;

 private:
  struct community_net;
  struct link;

  community_net* ensure_community(const community_id& id);
  community_net* by_network(const crypto::network_key& key) const;
  community_net* find(const community_id& id) const;
  void update_networks();
  void make_manager(community_net& c);
  // Gives the community's manager the operator's added addresses and bans.
  void apply_operator(community_net& c);
  status save_operator();
  // The operator's ban of `ip`'s IP address in force now, if any.
  const operator_ban* held(const net::asio::ip::address& ip) const;
  void refresh_profiles(community_net& c);
  // This node's member is an active member of the community.
  bool me_active(const community_net& c) const;
  // May this node hold a session with `key` now (admission, or the invite's issuer while
  // joining)? Both directions.
  bool may_replicate(community_net& c, const member_id& key) const;
  // Is `key` an active member in this node's state (not only an invite holder)?
  bool is_member(const community_net& c, const member_id& key) const;
  // Restored from a backup: dial the addresses `zwerm restore` left for the community
  // (network_host_dial.cpp).
  void begin_restore(community_net& c);
  // Restored from a backup: confirms this member's own feed once an active member's node told
  // its head of that feed and the store holds it (network_host_dial.cpp).
  void check_own_feed(community_net& c);
  // community_host::write_guard: refuses a write while a connected peer is known to hold more
  // of this member's feed than the store does.
  status write_guard(const community_id& community) const;
  // Joining: writes this member's join record once (network_host_dial.cpp).
  void write_join(community_net& c);
  // The first message of a session this node dialed is a refusal notice: the node's member was
  // removed (PROTOCOL.md §4.3.2). Remembers it and stops dialing the community.
  void on_refusal(community_net& c, const net::session_ptr& s, std::string_view message);
  // May this node dial `key` (the peer manager's key filter)?
  bool may_dial(const community_net& c, const member_id& key) const;
  // Closes every session of the community whose peer no longer qualifies (may_replicate).
  void recheck_sessions(community_net& c);
  // Saves every community's token bindings (options_.token_bindings_file), logging a failure.
  void save_bindings();
  void start_recheck();
  void schedule_tick(community_net& c);
  void run_tick(const community_id& id);
  void dial_done(const community_id& id, const std::string& address,
                 result<net::session_ptr> outcome);
  void apply(community_net& c, const peers::connect_decision& d, const net::session_ptr& s);
  // The community_host absorbed records from peers into the community's state (its
  // on_absorbed, which the constructor sets): re-reads profiles and re-checks standing.
  void on_absorbed(const community_id& id);
  // A records message of `sid` was reported: reads the connection again if it was paused.
  void on_ingested(community_net& c, sync::session_id sid);
  void on_misbehaviour(community_net& c, sync::session_id sid, const member_id& peer,
                       const sync::misbehaviour& m);
  // The records of the fork proofs the store holds (both records of each proof, checked with
  // verify_fork_proof); with `only_new`, only those not relayed before.
  std::vector<std::string> fork_proofs(community_net& c, bool only_new);
  // Sends fork proofs: new ones to every peer (to == 0), or all of them to one session.
  void relay_forks(community_net& c, sync::session_id to);
  // Charges one received message to the session's budget; slows, disconnects or bans.
  void charge(community_net& c, link& l, std::size_t bytes, std::size_t records);
  // Reads the link when neither the window nor the budget holds it back.
  void update_reading(link& l);
  // Closes every session of `key` in the community; bans the addresses when `ban`.
  void drop_key(community_net& c, const member_id& key, bool ban, const std::string& why);
  void close_sid(community_net& c, sync::session_id sid);
  void start_anti_entropy();
  void start_flush();
  std::string dial_token(const community_net& c) const;
  std::string endpoint_of(const community_net& c, const peers::connection_view& conn) const;
  friend net::awaitable<void> dial_one(network_host* self, community_id id, peers::dial_request req,
                                       net::dial_target target);

  net::asio::any_io_executor executor_;
  community_host& host_;
  network_options options_;
  peers::node_clock_source peers_clock_;  // options_.clock, for the peer managers
  // Declared before ingest_: the queue's jobs use it until the queue is gone.
  std::unique_ptr<deferred_signatures> deferred_;
  std::unique_ptr<ingest_queue> ingest_;
  std::shared_ptr<net::listener> listener_;
  std::unique_ptr<net::dialer> dialer_;
  net::asio::steady_timer anti_entropy_timer_;
  net::asio::steady_timer flush_timer_;    // saves the peer books every 10 s
  net::asio::steady_timer recheck_timer_;  // re-checks admission every second (expiry)
  net::asio::steady_timer absorb_timer_;   // the community host's delayed call (paced absorbs)
  std::map<community_id, std::unique_ptr<community_net>> communities_;
  peer_scores scores_;             // budget scores per member key, across sessions and communities
  token_bindings saved_bindings_;  // as loaded at start, handed to each community's book
  operator_peers operator_;        // the operator's added addresses and bans (peers.json)
  bool stopped_ = false;
  // Posted handlers (ingest reports, standing re-checks) hold a weak reference: none runs after the
  // host is gone.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace zwerm::node
