// The peer manager of one community: which addresses this node knows, which to dial next, and
// what to make of each dial and connection (docs/PROTOCOL.md §5, "Peers").
//
// It does no I/O. The daemon drives it:
//   - address sources in: set_config, add_invite, set_profile(s), learn_from_exchange,
//     mark_self;
//   - tick() returns the dials to start now; next_wakeup() says when to call tick() again;
//   - dial and connection events in: dial_failed, connected_outbound, connected_inbound,
//     disconnected, misbehaved, banned;
//   - restore() / flush() move its state through a peer_persistence.
// Every decision it takes is a function of those calls, the clock and its seeded RNG, so tests
// run without sockets and without sleeping.
//
// Rules (each one tested in tests/node/peers/):
//   - Connections, inbound and outbound together, plus dials in progress, are kept at
//     `target`: tick() starts dials only while below it, picking uniformly at random among the
//     eligible addresses. Eligible: a key is known, it is not our own key, not self, not
//     banned, its backoff has passed, not being dialed, and its key is neither connected nor
//     being dialed through another address.
//   - At most one connection per remote member key. When a second one appears (both nodes
//     dialed each other at once), both nodes keep the connection dialed by the smaller key
//     (bytewise) and close the other; of two in the same direction the newer one is kept.
//   - A dial that fails, or a connection that ends before `stable_after`, counts a failure;
//     the next attempt waits full_jitter(backoff_ceiling(failures)). A connection that lasted
//     `stable_after` resets the count.
//   - misbehaved(member) bans every address expecting that key with a growing ban; banned()
//     applies a ban decided elsewhere (net/). A banned address is not dialed until the ban ends.
//   - hold(ip, until) is the operator's ban of an IP address (address.hpp, parse_ban_address):
//     no address whose host is that IP is dialed before `until`, which no cap shortens (the
//     daemon keeps these bans itself; the manager does not persist them). release(ip) lifts
//     the operator's ban and every automatic ban of those addresses.
//   - Why an address is not connected is kept with it (in memory): the last dial failure or
//     early end, and what earned its ban. known() reports it.
//   - Times are wall-clock and persisted; tick() caps every stored wait at backoff_cap (bans:
//     ban_cap) from now, so a clock set back cannot hold an address back for longer.
//   - An address that turned out to be this node (dial_failed(self), or a connection whose
//     remote key is our own) is marked self and never dialed again.
//   - Peer exchange never overrides: it cannot replace a key named by another source, cannot
//     evict config, invite or profile addresses, is bounded in total (max_exchange) and per
//     message (max_exchange_per_message), and is validated like every address.
//
// Threads: one owner thread (the daemon's I/O thread); not thread-safe. The clock and the
// persistence (when given) must outlive the manager.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/bytes.hpp"
#include "base/status.hpp"
#include "node/peers/address.hpp"
#include "node/peers/clock.hpp"
#include "node/peers/options.hpp"
#include "node/peers/peer_info.hpp"
#include "node/peers/persistence.hpp"

namespace zwerm::node::peers {

using member_id = crypto::public_key;
// The daemon's handle for a connection (net::session::id() fits).
enum class connection_id : std::uint64_t {};
enum class direction { outbound, inbound };

// A dial to start: the daemon hands host, port and key to net::dialer (with the community's
// network key) and reports the outcome with `address`.
struct dial_request {
  std::string address;  // canonical text, the manager's name for the address
  dial_address where;
  member_id key;
};

enum class dial_failure {
  unreachable,  // no connection, or the handshake timed out (net: io_error)
  refused,      // the server failed its proof or did not admit us (net: rejected)
  self,         // the node at the address is this node
  cancelled,    // the dial was aborted because we are stopping: no penalty
};
// Maps net::dialer::dial()'s error codes: rejected → refused; io_error and everything else →
// unreachable. (invalid_argument from the dialer means our own key or an overlong token; the
// manager never asks to dial its own key, so it is a local fault, and backing off keeps it from
// spinning.) Self is never guessed from a code: the daemon reports dial_failure::self when it
// knows, e.g. a connection whose remote key is our own.
dial_failure classify_dial_error(status_code code);

// What to do with a connection just reported.
struct connect_decision {
  bool keep = true;                    // false: close the new connection (duplicate or self)
  std::optional<connection_id> close;  // an existing duplicate to close instead
};

// not_member: the key there is not one this node may replicate with now (the key filter).
enum class peer_state { connected, dialing, ready, backoff, banned, self, no_key, not_member };
const char* to_string(peer_state s);

struct peer_view {
  std::string address;
  peer_info info;
  peer_state state = peer_state::ready;
  time_point held_until{};   // the operator's ban of its IP ends (epoch: none)
  std::string last_problem;  // the last failed dial or early end, for people ("" none)
  std::string ban_reason;    // what earned its latest automatic ban ("" none known)
};

// Texts kept for people (last_problem, ban_reason) are cut to this many bytes.
inline constexpr std::size_t max_note_size = 200;

struct connection_view {
  connection_id id{};
  member_id remote;
  direction dir = direction::inbound;
  std::string address;  // the dialed address (outbound only)
  time_point since{};
};

class manager {
 public:
  // `own` is this node's key (never dialed). `persistence` may be null (nothing is kept).
  manager(member_id own, manager_options options, const clock& c,
          peer_persistence* persistence = nullptr);

  // --- persistence ---
  // Loads the persisted entries. Entries that do not decode are erased and reported as one
  // corruption status; the others are loaded. Call once, before the address sources.
  status restore();
  // Writes the entries that changed since the last flush (erases removed ones). An entry that
  // failed to write stays pending for the next flush. Returns the first error. Each entry is
  // one write (a synced one in the store), so call it periodically and at shutdown rather than
  // after every event; what was not flushed before a crash is only a backoff or two lost.
  status flush();
  bool has_unflushed() const { return !dirty_.empty(); }

  // --- address sources ---
  // Replaces the config addresses (the `bootstrap` list). Invalid entries are skipped and
  // reported (invalid_argument naming the first); the rest are applied.
  status set_config(const std::vector<address_hint>& hints);
  // An address (and the key there) from an invite code.
  status add_invite(std::string_view address, const member_id& key);
  // The address of `member`'s latest profile record (nullopt: it has none). Replaces the
  // member's previous profile address. An invalid address removes the previous one and is
  // reported.
  status set_profile(const member_id& member, std::optional<std::string_view> address);
  // Replaces all profile addresses at once (e.g. after restore, from the community state).
  status set_profiles(const std::vector<std::pair<member_id, std::string>>& addresses);
  // Addresses a connected peer sent (peer exchange). Returns how many new addresses were
  // taken; invalid ones and those beyond the bounds are ignored.
  std::size_t learn_from_exchange(const std::vector<keyed_address>& entries);
  // An address at which this node itself listens (listen / advertise): never dialed. Not
  // persisted; the daemon marks its addresses after each start. Invalid text is ignored.
  void mark_self(std::string_view address);
  // Keys this node may dial and pass on: an address whose key fails the filter is neither
  // dialed nor shared, and peer exchange entries naming such a key are ignored (the daemon:
  // active members of the community, or the invite's issuer while joining). The filter is
  // asked again at every tick and query, so a change of membership needs no call. Default:
  // every key.
  void set_key_filter(std::function<bool(const member_id&)> filter) {
    key_filter_ = std::move(filter);
  }

  // --- dialing ---
  // The dials to start now (each address then counts as dialing until dial_failed or
  // connected_outbound names it).
  std::vector<dial_request> tick();
  // When tick() may next have something to do; nullopt when only an event can change that
  // (target reached, or no address could ever be dialed). A time ≤ now means now.
  std::optional<time_point> next_wakeup() const;

  // --- events ---
  // `detail` says what happened, for people (the dialer's error text).
  void dial_failed(std::string_view address, dial_failure why, std::string_view detail = {});
  // A dial to `address` opened a session with `remote`.
  connect_decision connected_outbound(connection_id id, std::string_view address,
                                      const member_id& remote);
  // A node dialed us and was admitted.
  connect_decision connected_inbound(connection_id id, const member_id& remote);
  // A connection the manager kept has ended (`why`: how, for people). Unknown ids (e.g. ones
  // it told to close) are ignored.
  void disconnected(connection_id id, std::string_view why = {});
  // The node with this key broke the protocol: ban every address that expects it.
  void misbehaved(const member_id& member, std::string_view reason = {});
  // A ban decided elsewhere (e.g. net/'s ban list): not dialed before `until`.
  void banned(std::string_view address, time_point until, std::string_view reason = {});

  // --- the operator ---
  // Bans the IP `ip` (a ban key: parse_ban_address) until `until`, replacing an earlier
  // operator ban of it.
  void hold(const std::string& ip, time_point until);
  // Lifts the operator's ban of `ip` and the automatic bans (and their growth) of every
  // address whose host is `ip`. True when there was any ban to lift.
  bool release(const std::string& ip);
  // The operator's bans in force, by IP.
  const std::map<std::string, time_point>& holds() const { return holds_; }
  // Forgets `address` (canonical) with all its sources. Errors: not_found when unknown.
  status forget(std::string_view address);

  // --- queries ---
  // Addresses to send a peer that asks (the daemon adds its own advertised address): not self,
  // not our key, not banned, and believed reachable: dialed successfully before, or named with
  // a key by a profile, invite or config and not failing, or whose key is connected now. An
  // address only peer exchange named, never confirmed, is not passed on. Most recent success
  // first, then by address; at most max_share.
  std::vector<keyed_address> shareable() const;
  // True when below target with fewer candidate addresses than the target: worth asking
  // connected peers for more (sync::engine::request_peers).
  bool needs_addresses() const;
  std::size_t connection_count() const { return connections_.size(); }
  std::size_t dialing_count() const { return dialing_.size(); }
  bool is_connected(const member_id& member) const { return by_key_.count(member) != 0; }
  const peer_info* find(std::string_view address) const;
  std::vector<peer_view> known() const;
  std::vector<connection_view> connections() const;
  const manager_options& options() const { return options_; }

 private:
  struct connection {
    member_id remote;
    direction dir = direction::inbound;
    std::string address;
    time_point since{};
  };

  // Adds `s` (and the key it names) to the entry of `address`, creating it.
  status add_source(std::string_view address, source s, std::optional<member_id> key);
  void set_source(const std::string& canonical, source s, std::optional<member_id> key);
  void drop_source(const std::string& canonical, source s);
  void claim_profile(const member_id& member, const std::string& canonical);
  void unclaim_profile(const member_id& member);
  void release_profile(const std::string& canonical, const member_id& member);
  void key_changed(peer_info& info);
  bool evict_one_exchange();
  void count_failure(peer_info& info, time_point now);
  connect_decision admit(connection_id id, const member_id& remote, direction dir,
                         std::string address);
  bool key_busy(const member_id& key) const;
  bool dialable_ever(const std::string& address, const peer_info& info) const;
  bool key_allowed(const member_id& key) const { return !key_filter_ || key_filter_(key); }
  void cap_waits(time_point now);
  bool eligible(const std::string& address, const peer_info& info, time_point now) const;
  peer_state state_of(const std::string& address, const peer_info& info, time_point now) const;
  peer_info* lookup(std::string_view address);
  // The operator's ban of the address's host, when one is in force at `now`.
  std::optional<time_point> held(const std::string& address, time_point now) const;
  void note_problem(const std::string& canonical, std::string_view text);
  void erase_entry(std::map<std::string, peer_info>::iterator it);
  void touch(const std::string& canonical) { dirty_.insert(canonical); }

  member_id own_;
  manager_options options_;
  const clock& clock_;
  peer_persistence* persistence_;
  std::mt19937_64 rng_;

  std::map<std::string, peer_info> entries_;
  std::set<std::string> dirty_;  // saved (or erased, when gone from entries_) at flush()
  std::set<std::string> self_addresses_;
  std::function<bool(const member_id&)> key_filter_;
  std::map<member_id, std::string> profile_of_;  // member → canonical address of its profile
  std::map<std::string, std::set<member_id>> claims_;  // the reverse: address → members
  std::unordered_map<connection_id, connection> connections_;
  std::map<member_id, connection_id> by_key_;
  std::map<std::string, member_id> dialing_;  // canonical address → key being dialed
  std::map<std::string, time_point> holds_;   // the operator's bans: IP → until
  struct notes {
    std::string last_problem;
    std::string ban_reason;
  };
  std::map<std::string, notes> notes_;  // canonical address → texts for people
};

}  // namespace zwerm::node::peers
