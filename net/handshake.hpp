// The Secret Handshake v1 exchange over any Asio async stream (a TCP socket in production, a
// broken or scripted stream in tests): reads and writes exactly the four messages, using the
// crypto::shs_client / shs_server state machines. No deadlines here: the owner of the stream
// enforces them by closing it (which fails the pending operation).
//
// Each function returns a handshake_outcome; on failure nothing more has been written and the
// caller closes the stream. Runs on the stream's executor.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>

#include "crypto/shs.hpp"
#include "net/asio.hpp"
#include "net/errors.hpp"
#include "net/handler.hpp"

namespace zwerm::net {

struct handshake_outcome {
  bool ok = false;
  disconnect_info failure;                 // when !ok
  crypto::shs_session_keys keys{};         // when ok
  crypto::network_key network{};           // the community network the handshake used
  admission decision = admission::accept;  // server side: what the authorizer said

  static handshake_outcome fail(close_reason r, std::string op, error_code ec = {},
                                std::string detail = {}) {
    handshake_outcome o;
    o.failure = {r, std::move(op), ec, std::move(detail)};
    return o;
  }
};

// Classifies a failed read or write of a handshake message.
inline handshake_outcome handshake_io_failure(const error_code& ec, std::string op) {
  return handshake_outcome::fail(
      ec == asio::error::eof ? close_reason::truncated : close_reason::io_error, std::move(op), ec);
}

template <class AsyncStream>
awaitable<handshake_outcome> client_handshake(AsyncStream& stream, crypto::network_key network,
                                              crypto::key_pair local, crypto::public_key server) {
  crypto::shs_client shs(network, local, server);
  const auto msg1 = shs.hello();
  if (auto [ec, n] = co_await asio::async_write(stream, asio::buffer(msg1), use_nothrow); ec)
    co_return handshake_io_failure(ec, "sending client hello (msg1)");

  std::array<std::uint8_t, crypto::shs_msg2_size> msg2;
  if (auto [ec, n] = co_await asio::async_read(stream, asio::buffer(msg2), use_nothrow); ec)
    co_return handshake_io_failure(ec, "reading server hello (msg2)");
  if (!shs.read_server_hello(msg2))
    co_return handshake_outcome::fail(close_reason::handshake_failed,
                                      "checking server hello (msg2)", {},
                                      "the server does not hold this community's network key");

  const auto msg3 = shs.auth();
  if (auto [ec, n] = co_await asio::async_write(stream, asio::buffer(msg3), use_nothrow); ec)
    co_return handshake_io_failure(ec, "sending client auth (msg3)");

  std::array<std::uint8_t, crypto::shs_msg4_size> msg4;
  if (auto [ec, n] = co_await asio::async_read(stream, asio::buffer(msg4), use_nothrow); ec) {
    handshake_outcome o = handshake_io_failure(ec, "reading server accept (msg4)");
    if (ec == asio::error::eof) {
      // A server that ends the stream right after msg3 has refused us (SHS gives no reason).
      o.failure.reason = close_reason::unauthorized;
      o.failure.detail =
          "the server closed after our auth: it is not the key we expected, or it does not "
          "admit us to this community";
    }
    co_return o;
  }
  if (!shs.read_server_accept(msg4))
    co_return handshake_outcome::fail(close_reason::handshake_failed,
                                      "checking server accept (msg4)", {},
                                      "the server did not prove the expected key");

  handshake_outcome o;
  o.ok = true;
  o.keys = shs.session_keys();
  o.network = network;
  co_return o;
}

// The default hello hook of server_handshake: does nothing.
struct ignore_hello {
  void operator()() const {}
};

// `decide(const crypto::network_key&, const crypto::public_key& client) -> admission` is
// asked after msg3; on reject nothing more is sent. A client presenting our own key is
// refused as self_connection before decide is asked. `hello_arrived()` is called once all
// 64 bytes of msg1 have been read, before they are checked (the owner moves its deadline
// from the hello deadline to the handshake's).
template <class AsyncStream, class Decide, class HelloHook = ignore_hello>
awaitable<handshake_outcome> server_handshake(AsyncStream& stream,
                                              std::span<const crypto::network_key> networks,
                                              crypto::key_pair local, Decide decide,
                                              HelloHook hello_arrived = {}) {
  crypto::shs_server shs(networks, local);
  std::array<std::uint8_t, crypto::shs_msg1_size> msg1;
  if (auto [ec, n] = co_await asio::async_read(stream, asio::buffer(msg1), use_nothrow); ec)
    co_return handshake_io_failure(ec, "reading client hello (msg1)");
  hello_arrived();
  if (!shs.read_client_hello(msg1))
    co_return handshake_outcome::fail(close_reason::handshake_failed,
                                      "checking client hello (msg1)", {},
                                      "the hello matches none of our communities' network keys");
  const crypto::network_key network = networks[shs.network_index()];

  const auto msg2 = shs.hello();
  if (auto [ec, n] = co_await asio::async_write(stream, asio::buffer(msg2), use_nothrow); ec)
    co_return handshake_io_failure(ec, "sending server hello (msg2)");

  std::array<std::uint8_t, crypto::shs_msg3_size> msg3;
  if (auto [ec, n] = co_await asio::async_read(stream, asio::buffer(msg3), use_nothrow); ec)
    co_return handshake_io_failure(ec, "reading client auth (msg3)");
  if (!shs.read_client_auth(msg3))
    co_return handshake_outcome::fail(close_reason::handshake_failed, "checking client auth (msg3)",
                                      {}, "the client's proof of its key does not verify");
  const crypto::public_key client = shs.client_key();
  if (client == local.pk)
    co_return handshake_outcome::fail(close_reason::self_connection, "checking client auth (msg3)",
                                      {}, "the client presents our own key");

  const admission decision = decide(network, client);
  if (decision == admission::reject)
    co_return handshake_outcome::fail(close_reason::unauthorized, "authorizing the client", {},
                                      "the client's key is not admitted to this community");

  const auto msg4 = shs.accept();
  if (auto [ec, n] = co_await asio::async_write(stream, asio::buffer(msg4), use_nothrow); ec)
    co_return handshake_io_failure(ec, "sending server accept (msg4)");

  handshake_outcome o;
  o.ok = true;
  o.keys = shs.session_keys();
  o.network = network;
  o.decision = decision;
  co_return o;
}

}  // namespace zwerm::net
