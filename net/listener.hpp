// The inbound side: accepts TCP connections on one endpoint (or streams handed to accept())
// and serves every community whose
// network key it is given (the client's hello selects the community).
//
// Per connection, before any crypto: a banned remote address, or one over the per-address or
// total inbound limit, is closed at once (with a TCP reset). Then a session runs the server
// handshake under the hello and handshake deadlines, asks the authorizer, and reports
// admitted sessions to the handler. What the end of a session holds against its address
// (offence_of, errors.hpp) decides bans: misbehaviour bans at once; abandoned and refused
// handshakes are counted per address and ban once over their allowance (listener_options).
// Failed handshakes are logged here, rate-limited per address class (log_limiter.hpp).
//
// Runs on one executor (the I/O thread); every member must be called there. Create with
// listener::start; the listener keeps itself alive while it accepts. The authorizer and the
// handler must outlive the listener and its sessions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.hpp"
#include "crypto/sign.hpp"
#include "net/asio.hpp"
#include "net/ban_list.hpp"
#include "net/handler.hpp"
#include "net/log_limiter.hpp"
#include "net/offence_counter.hpp"
#include "net/options.hpp"
#include "net/session.hpp"
#include "net/stream.hpp"

namespace zwerm::net {

class listener : public std::enable_shared_from_this<listener> {
 public:
  struct counters {
    std::uint64_t accepted = 0;        // connections accepted by the OS
    std::uint64_t refused_banned = 0;  // closed at accept: address banned
    std::uint64_t refused_limit = 0;   // closed at accept: over max_inbound(_per_address)
    std::uint64_t evicted = 0;  // handshakes closed to make room for a newcomer (max_inbound)
    std::uint64_t handshakes_failed = 0;     // ended before admission (any reason)
    std::uint64_t handshakes_abandoned = 0;  // of those: offence abandoned (EOF, reset, a stall)
    std::uint64_t handshakes_refused = 0;    // of those: offence refused (unauthorized)
    std::uint64_t bans = 0;                  // bans started (an offence during a ban starts none)
    std::uint64_t log_lines_left_out = 0;    // failed-handshake lines the rate limit left out
  };

  // Binds `endpoint` (port 0 picks a free port; see local_endpoint()) and starts accepting.
  // `networks` are the network keys of the communities served. `clock` drives the bans.
  // Fails with io_error when the endpoint cannot be bound.
  static result<std::shared_ptr<listener>> start(
      asio::any_io_executor executor, const tcp::endpoint& endpoint, crypto::key_pair local,
      std::vector<crypto::network_key> networks, authorizer& auth, session_handler& handler,
      listener_options options = {}, const clock& clock = steady_clock_source());

  // A listener that binds nothing: it serves only the streams handed to accept() (in-memory
  // streams in tests and simulations). local_endpoint() is then the default endpoint.
  static std::shared_ptr<listener> create_unbound(asio::any_io_executor executor,
                                                  crypto::key_pair local,
                                                  std::vector<crypto::network_key> networks,
                                                  authorizer& auth, session_handler& handler,
                                                  listener_options options = {},
                                                  const clock& clock = steady_clock_source());
  // Serves a connection made elsewhere (its remote_endpoint() is the address that bans and
  // limits apply to), exactly as an accepted TCP connection: the same refusals, then a server
  // session. Ignored (the stream is closed) once stopped.
  void accept(std::unique_ptr<stream> connection);

  // Replaces the served communities; applies to handshakes that start afterwards.
  void set_networks(std::vector<crypto::network_key> networks);
  tcp::endpoint local_endpoint() const;
  // Stops accepting, aborts handshakes in progress and closes every open session cleanly
  // (goodbye; on_closed reports close_reason::shutdown). Idempotent.
  void stop();

  std::size_t session_count() const { return sessions_.size(); }  // handshaking or open
  const counters& stats() const { return stats_; }
  ban_list& bans() { return bans_; }

  // Public for make_shared; use start().
  listener(asio::any_io_executor executor, crypto::key_pair local,
           std::vector<crypto::network_key> networks, authorizer& auth, session_handler& handler,
           listener_options options, const clock& clock);

 private:
  awaitable<void> accept_loop();
  // The checks before any crypto (bans, limits), then serve().
  void admit_connection(std::unique_ptr<stream> connection, const asio::ip::address& address);
  void serve(std::unique_ptr<stream> connection, const asio::ip::address& address);
  void on_session_end(session& s, const asio::ip::address& address, const disconnect_info& why);
  // Bans `address` for `o` unless it is a light offence within its allowance. Returns a
  // clause for the log line ("banned for 10000 ms"), empty when nothing happened.
  std::string punish(const asio::ip::address& address, offence o);

  asio::any_io_executor executor_;
  tcp::acceptor acceptor_;
  crypto::key_pair local_;
  std::vector<crypto::network_key> networks_;
  authorizer& auth_;
  session_handler& handler_;
  listener_options options_;
  ban_list bans_;
  offence_counter abandoned_;
  offence_counter refused_;
  log_limiter log_limit_;
  bool stopped_ = false;
  struct inbound {
    std::weak_ptr<session> s;
    asio::ip::address address;
    std::chrono::steady_clock::time_point accepted;
  };
  // The time of handshake ages (evict_after): the sessions' clock, the steady clock unless
  // options.session.virtual_time is set.
  time_point session_now() const;
  // Connections still in their handshake from `address`.
  std::size_t half_open_from(const asio::ip::address& address) const;
  // Makes room for a newcomer from `newcomer` when every slot is taken (true when it closed a
  // connection still in its handshake): the oldest handshake of an address holding at least two
  // more handshakes than the newcomer's, else the oldest one older than evict_after.
  bool evict_half_open_for(const asio::ip::address& newcomer);

  std::unordered_map<std::uint64_t, inbound> sessions_;
  counters stats_;
};

}  // namespace zwerm::net
