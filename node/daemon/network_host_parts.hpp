// network_host's private parts, shared by its source files (network_host.cpp: wiring,
// sessions and records; network_host_admission.cpp: who may replicate, and peer budgets;
// network_host_dial.cpp: dialing and joining; network_host_views.cpp: status and peers).
// Not for other users.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "node/daemon/network_host.hpp"

namespace zwerm::node {

namespace asio = net::asio;

// Outgoing sync messages of one session. The engine never learns about net/.
class session_sink final : public sync::message_sink {
 public:
  explicit session_sink(const net::session_ptr& s) : s_(s) {}
  void send(std::string message) override {
    // A full send queue closes the session (overflow_policy::disconnect): a peer that does not
    // drain what it asked for is dropped rather than buffered without bound.
    if (auto s = s_.lock()) s->send(std::move(message));
  }

 private:
  std::weak_ptr<net::session> s_;
};

struct network_host::link {
  net::session_ptr session;
  sync::session_id sid = 0;
  std::unique_ptr<session_sink> sink;
  bool managed = false;  // the peer manager kept it (reported disconnected on close)
  bool paused = false;   // not read: too many of its records wait in the ingest queue
  bool slowed = false;   // not read: over its budget until slow_timer fires
  std::optional<session_budget> budget;
  std::shared_ptr<asio::steady_timer> slow_timer;
};

struct network_host::community_net {
  community_net(asio::any_io_executor ex, const community_id& c, const crypto::network_key& k)
      : id(c), key(k), tick_timer(ex) {}

  community_id id;
  crypto::network_key key;
  std::unique_ptr<sync::store_replica> replica;
  std::unique_ptr<sync::engine> engine;
  std::unique_ptr<peers::store_peer_book> book;
  std::unique_ptr<peers::manager> manager;
  std::vector<peers::address_hint> config_hints;  // bootstrap, then the operator's peer add
  std::set<std::string> bootstrap_addresses;      // the canonical addresses from `bootstrap`
  std::map<std::uint64_t, link> links;            // by net::session::id()
  asio::steady_timer tick_timer;
  bool tick_posted = false;
  std::uint32_t periods_since_peers_request = 0;  // anti-entropy periods
  // Joining: the raw invite token presented in every dial until this member is active.
  std::string join_token;
  // Joining (until this member is active): the keys the invite code names, the only
  // non-members this node dials and keeps sessions with.
  bool joining = false;
  std::set<member_id> invite_keys;
  // Restored from a backup (community_host::own_feed_unconfirmed): the keys of the addresses
  // the backup (or `zwerm restore --peer`) and config `bootstrap` name, dialed and kept while
  // this node does not know yet who the community's members are; until the own feed is
  // confirmed (check_own_feed).
  bool restoring = false;
  std::set<member_id> restore_keys;
  // Joining: this member's join is written (once, when the first invite node's hello
  // arrives) from the invite code's record id and lamport; the member nodes serve a newcomer
  // nothing of the log until the join took effect (PROTOCOL.md §5.13).
  record_id join_invite;
  std::uint64_t join_invite_lamport = 0;
  bool join_written = false;
  record_id join_record;
  // A member node refused this node's member as removed (a refusal notice naming the removal
  // record): it dials nobody in the community until a member's node admits it again or it
  // joins again. Kept in memory only.
  struct removal_notice {
    member_id by;
    record_id record;
  };
  std::optional<removal_notice> told_removed;
  // Who may hold a session now (token bindings).
  admission_book admission;
  // Fork proofs relayed to every peer already: (author, seq, id of the record not in the log).
  std::set<std::tuple<member_id, std::uint64_t, record_id>> relayed_proofs;
  join_progress join;
  // Records received from peers by sessions already ended (since start; zwerm status).
  std::uint64_t ended_received = 0, ended_stored = 0, ended_duplicate = 0;
  std::uint64_t ended_bytes_sent = 0, ended_bytes_received = 0;
};

}  // namespace zwerm::node
