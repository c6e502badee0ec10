// Sessions over in-memory streams in virtual time: one io_context run with poll() on the test's
// thread, a virtual_clock that run_for() moves from one timer expiry to the next, and no
// socket, thread or sleep. What happens is a function of what the test does.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "crypto/shs.hpp"
#include "crypto/sign.hpp"
#include "net/memory_stream.hpp"
#include "net/session.hpp"
#include "net/virtual_time.hpp"
#include "tests/net/net_fixture.hpp"

namespace zwerm::net::testing {

inline tcp::endpoint memory_address(std::uint8_t host, std::uint16_t port) {
  return tcp::endpoint(asio::ip::make_address_v4(asio::ip::address_v4::bytes_type{10, 0, 0, host}),
                       port);
}

// An io_context driven by hand and the virtual clock of its sessions.
class virtual_io {
 public:
  virtual_clock clock;  // first: it outlives the io_context, whose end destroys what waits
  asio::io_context io;

  asio::any_io_executor executor() { return io.get_executor(); }
  // Runs every handler that is ready, and those they make ready, until none is.
  std::size_t settle() {
    std::size_t n = 0;
    for (;;) {
      io.restart();
      const std::size_t ran = io.poll();
      if (ran == 0) return n;
      n += ran;
    }
  }
  // Runs for `d` of virtual time: settles, then moves the clock to the next expiry (never
  // past the end), settles again, and so on.
  void run_for(std::chrono::nanoseconds d) {
    const time_point end = clock.now() + d;
    for (;;) {
      settle();
      const auto next = clock.next_expiry();
      if (!next || *next > end) break;
      clock.advance_to(*next);
    }
    clock.advance_to(end);
    settle();
  }
  // Runs until pred() holds (checked after each settle) or `limit` of virtual time passed.
  template <class Pred>
  bool run_until(Pred pred, std::chrono::nanoseconds limit = std::chrono::seconds(60)) {
    const time_point end = clock.now() + limit;
    for (;;) {
      settle();
      if (pred()) return true;
      const auto next = clock.next_expiry();
      if (!next || *next > end) return false;
      clock.advance_to(*next);
    }
  }
};

// One stream pair and, on demand, a session on either end.
struct memory_pair {
  std::unique_ptr<memory_stream> client_end;
  std::unique_ptr<memory_stream> server_end;
  memory_stream* client_view = nullptr;  // the ends, after a session took them
  memory_stream* server_view = nullptr;

  memory_pair(asio::any_io_executor ex, std::size_t capacity = memory_stream::default_capacity) {
    auto [c, s] =
        memory_stream::make_pair(ex, memory_address(1, 40000), memory_address(2, 7000), capacity);
    client_end = std::move(c);
    server_end = std::move(s);
    client_view = client_end.get();
    server_view = server_end.get();
  }
};

// Starts the server side of a session over `end`; `ended` receives how it ended (also for a
// session that never reached the handler).
inline std::shared_ptr<session> start_server(asio::any_io_executor ex, std::unique_ptr<stream> end,
                                             const session_options& options,
                                             session_handler& handler, authorizer& auth,
                                             crypto::key_pair keys, crypto::network_key network,
                                             std::optional<disconnect_info>* ended) {
  auto s = std::make_shared<session>(std::move(end), session::side::server, options, handler);
  s->set_finish_hook([ended](session&, const disconnect_info& why) { *ended = why; });
  asio::co_spawn(
      ex,
      [s, keys, network, a = &auth] {
        return s->run_server(std::vector<crypto::network_key>{network}, keys, a);
      },
      session::end_on_exception{s, "server session"});
  return s;
}

inline awaitable<void> run_client_into(std::shared_ptr<session> s, crypto::key_pair keys,
                                       crypto::public_key server, crypto::network_key network,
                                       std::string token, std::optional<status>* result) {
  *result = co_await s->run_client("10.0.0.2", 7000, server, network, keys, std::move(token));
}

// Starts the client side of a session over `end`; `result` receives run_client's status.
inline std::shared_ptr<session> start_client(asio::any_io_executor ex, std::unique_ptr<stream> end,
                                             const session_options& options,
                                             session_handler& handler, crypto::key_pair keys,
                                             crypto::public_key server, crypto::network_key network,
                                             std::optional<status>* result,
                                             std::string token = {}) {
  auto s = std::make_shared<session>(std::move(end), session::side::client, options, handler);
  asio::co_spawn(
      ex,
      [s, keys, server, network, result, token] {
        return run_client_into(s, keys, server, network, token, result);
      },
      session::end_on_exception{s, "client session"});
  return s;
}

}  // namespace zwerm::net::testing
