// Shared helpers for the net tests: an I/O thread, a recording handler, a scriptable
// authorizer, a listener fixture, and a blocking "raw" client for hostile scripts.
#pragma once

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dirent.h>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_future.hpp>
#include "crypto/box_stream.hpp"
#include "crypto/shs.hpp"
#include "crypto/sign.hpp"

#include "net/asio.hpp"
#include "net/dialer.hpp"
#include "net/listener.hpp"
#include "net/message_codec.hpp"
#include "net/session.hpp"
#include "tests/net/fake_clock.hpp"
#include "tests/net/io_thread.hpp"

namespace zwerm::net::testing {

using namespace std::chrono_literals;
using seconds_d = std::chrono::duration<double>;

// Records every event; optionally echoes each message back.
class recorder final : public session_handler {
 public:
  bool echo = false;
  bool pause_on_connect = false;
  bool forget_closed = false;  // drop our handle when a session closes (as node/ would)

  void on_connected(const session_ptr& s) override {
    if (pause_on_connect) s->pause_reading();
    std::lock_guard lock(m_);
    connected_.push_back(s);
    cv_.notify_all();
  }
  void on_message(const session_ptr& s, std::string_view message) override {
    if (echo) s->send(std::string(message));
    std::lock_guard lock(m_);
    messages_.emplace_back(s->id(), std::string(message));
    cv_.notify_all();
  }
  void on_closed(const session_ptr& s, const disconnect_info& why) override {
    std::lock_guard lock(m_);
    if (forget_closed) std::erase(connected_, s);
    closed_.emplace_back(s->id(), why);
    cv_.notify_all();
  }

  // Waits until pred() (called under the lock) holds; false on timeout.
  bool wait(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, timeout, pred);
  }
  bool wait_connected(std::size_t n, std::chrono::milliseconds timeout = 5s) {
    return wait([&] { return connected_.size() >= n; }, timeout);
  }
  bool wait_messages(std::size_t n, std::chrono::milliseconds timeout = 5s) {
    return wait([&] { return messages_.size() >= n; }, timeout);
  }
  bool wait_closed(std::size_t n, std::chrono::milliseconds timeout = 5s) {
    return wait([&] { return closed_.size() >= n; }, timeout);
  }
  std::vector<session_ptr> connected() {
    std::lock_guard lock(m_);
    return connected_;
  }
  std::vector<std::pair<std::uint64_t, std::string>> messages() {
    std::lock_guard lock(m_);
    return messages_;
  }
  std::vector<std::pair<std::uint64_t, disconnect_info>> closed() {
    std::lock_guard lock(m_);
    return closed_;
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<session_ptr> connected_;
  std::vector<std::pair<std::uint64_t, std::string>> messages_;
  std::vector<std::pair<std::uint64_t, disconnect_info>> closed_;
};

// Admits by a per-key table (default: accept); tokens are checked against one valid token.
class scripted_authorizer final : public authorizer {
 public:
  std::map<crypto::public_key, admission> decisions;
  admission fallback = admission::accept;
  std::string valid_token;
  std::string notice;       // refusal_notice() for admission::notice
  int authorize_calls = 0;  // touched on the I/O thread only; read after waiting
  int token_calls = 0;

  admission authorize(const crypto::network_key&, const crypto::public_key& client) override {
    ++authorize_calls;
    auto it = decisions.find(client);
    return it == decisions.end() ? fallback : it->second;
  }
  bool check_token(const crypto::network_key&, const crypto::public_key&,
                   std::string_view token) override {
    ++token_calls;
    return !valid_token.empty() && token == valid_token;
  }
  std::string refusal_notice(const crypto::network_key&, const crypto::public_key&) override {
    return notice;
  }
};

inline crypto::network_key make_network(std::uint8_t fill) {
  crypto::network_key k;
  k.bytes.fill(fill);
  return k;
}

inline int open_fd_count() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d) != nullptr) ++n;
    closedir(d);
  }
  return n;
}

// A blocking TCP client from a chosen loopback source address, for hostile scripts. Hostile
// clients use 127.0.0.2 and up so that bans of their address leave 127.0.0.1 (the honest
// dialer) unaffected.
class raw_client {
 public:
  raw_client(const tcp::endpoint& server, const std::string& source = "127.0.0.2") : socket_(ioc_) {
    socket_.open(tcp::v4());
    socket_.set_option(tcp::socket::reuse_address(true));
    socket_.bind(tcp::endpoint(asio::ip::make_address(source), 0));
    error_code ec;
    socket_.connect(server, ec);
    connected_ = !ec;
  }
  bool connected() const { return connected_; }
  int fd() { return socket_.native_handle(); }

  bool write(std::string_view bytes) {
    error_code ec;
    asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
    return !ec;
  }
  // Exactly n bytes, or nullopt on EOF, error or timeout.
  std::optional<std::string> read_exact(std::size_t n, std::chrono::milliseconds timeout = 3s) {
    std::string out;
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (out.size() < n) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char buf[4096];
      const ssize_t got = ::recv(fd(), buf, std::min(sizeof buf, n - out.size()), 0);
      if (got <= 0) return std::nullopt;
      out.append(buf, static_cast<std::size_t>(got));
    }
    return out;
  }
  // Waits until the server closes (EOF or reset), discarding data. Returns the seconds it
  // took, or nullopt when the connection is still open after `timeout`. `*data` (if given)
  // counts the bytes received meanwhile.
  std::optional<double> wait_closed(std::chrono::milliseconds timeout,
                                    std::size_t* data = nullptr) {
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char buf[4096];
      const ssize_t got = ::recv(fd(), buf, sizeof buf, 0);
      if (got <= 0) return seconds_d(std::chrono::steady_clock::now() - start).count();
      if (data) *data += static_cast<std::size_t>(got);
    }
  }
  void close() {
    error_code ec;
    socket_.close(ec);
  }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  bool connected_ = false;
};

// A client that runs the real handshake by hand over a raw_client, so tests can misbehave
// after it (tampered boxes, oversize lengths, silence).
struct raw_session {
  crypto::shs_session_keys keys;
  std::optional<crypto::box_stream_sealer> sealer;
  std::optional<crypto::box_stream_opener> opener;

  // Runs msg1..msg4; false when the server refused anywhere.
  bool handshake(raw_client& c, const crypto::network_key& net, const crypto::key_pair& local,
                 const crypto::public_key& server) {
    crypto::shs_client shs(net, local, server);
    const auto m1 = shs.hello();
    if (!c.write(std::string_view(reinterpret_cast<const char*>(m1.data()), m1.size())))
      return false;
    auto m2 = c.read_exact(crypto::shs_msg2_size);
    if (!m2 || !shs.read_server_hello(
                   std::span(reinterpret_cast<const std::uint8_t*>(m2->data()), m2->size())))
      return false;
    const auto m3 = shs.auth();
    if (!c.write(std::string_view(reinterpret_cast<const char*>(m3.data()), m3.size())))
      return false;
    auto m4 = c.read_exact(crypto::shs_msg4_size);
    if (!m4 || !shs.read_server_accept(
                   std::span(reinterpret_cast<const std::uint8_t*>(m4->data()), m4->size())))
      return false;
    keys = shs.session_keys();
    sealer.emplace(keys.encrypt_key, keys.encrypt_nonce);
    opener.emplace(keys.decrypt_key, keys.decrypt_nonce);
    return true;
  }
  // Seals the given plaintext (already framed as messages) into box-stream frames.
  std::string seal(std::string_view plain) {
    std::string out;
    sealer->seal(plain, out);
    return out;
  }
  std::string seal_message(std::string_view payload) {
    std::string plain;
    append_message(plain, payload);
    return seal(plain);
  }
  std::string admission(std::string_view token = {}) {
    return seal_message(encode_admission(token));
  }
};

// A listener on 127.0.0.1 with a recorder and an authorizer, and a dialer for honest clients.
class net_fixture : public ::testing::Test {
 protected:
  void SetUp() override {
    server_keys = crypto::generate_key_pair();
    client_keys = crypto::generate_key_pair();
    options.session.handshake_timeout = 1500ms;
    options.session.admission_timeout = 1000ms;
    options.session.close_timeout = 1000ms;
    server_handler.echo = true;
  }
  void TearDown() override {
    if (dial) io.run([&] { dial->stop(); });
    if (server) io.run([&] { server->stop(); });
    // Let goodbyes and aborted coroutines finish before the objects go away.
    std::this_thread::sleep_for(50ms);
    io.run([&] { dial.reset(); });
    io.run([&] { server.reset(); });
  }

  void start_listener(std::vector<crypto::network_key> networks = {make_network(1)}) {
    auto r = io.run([&] {
      return listener::start(io.executor(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
                             server_keys, networks, auth, server_handler, options, clock);
    });
    ASSERT_TRUE(r.ok()) << r.error().message();
    server = r.value();
    endpoint = io.run([&] { return server->local_endpoint(); });
    dial.emplace(io.executor(), client_keys, client_handler, client_options);
  }

  dial_target target(crypto::network_key net = make_network(1), std::string token = {}) {
    return dial_target{"127.0.0.1", endpoint.port(), server_keys.pk, net, std::move(token)};
  }

  // co_spawn needs a default-constructible result type, hence the optional.
  static awaitable<std::optional<result<session_ptr>>> dial_optional(dialer* d, dial_target t) {
    co_return co_await d->dial(std::move(t));
  }
  result<session_ptr> dial_with(dialer& d, dial_target t) {
    return *io.await([&d, t]() { return dial_optional(&d, t); });
  }
  result<session_ptr> dial_now(dial_target t) { return dial_with(*dial, std::move(t)); }

  // An honest client from 127.0.0.1 connects, sends one message and gets its echo back.
  void expect_honest_client_works(const std::string& label) {
    recorder h;
    std::optional<dialer> d;
    d.emplace(io.executor(), crypto::generate_key_pair(), h, client_options);
    auto s = dial_with(*d, target());
    EXPECT_TRUE(s.ok()) << label << ": " << s.error().message();
    if (s.ok()) {
      const std::string msg = "hello from an honest client (" + label + ")";
      EXPECT_TRUE(io.run([&] { return s.value()->send(msg); }));
      EXPECT_TRUE(h.wait_messages(1)) << label;
      if (!h.messages().empty()) {
        EXPECT_EQ(h.messages()[0].second, msg) << label;
      }
    }
    io.run([&] { d->stop(); });
    if (s.ok()) h.wait_closed(1, 2s);
    // The dialer and our handle go on the I/O thread, where the sessions live.
    io.run([&] {
      d.reset();
      if (s.ok()) s.value().reset();
    });
  }

  std::size_t server_sessions() {
    return io.run([&] { return server->session_count(); });
  }
  listener::counters server_stats() {
    return io.run([&] { return server->stats(); });
  }
  bool banned(const std::string& address) {
    return io.run([&] { return server->bans().is_banned(asio::ip::make_address(address)); });
  }
  // Waits (polling) until the server holds no sessions.
  bool wait_no_sessions(std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (server_sessions() == 0) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
  // Waits (polling) until the server holds at least `n` sessions.
  bool wait_sessions(std::size_t n, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (server_sessions() >= n) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
  // Waits (polling) until pred(server_stats()) holds: for connections the server may not even
  // have accepted yet when the client is done with them.
  bool wait_stats(const std::function<bool(const listener::counters&)>& pred,
                  std::chrono::milliseconds timeout = 2s) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (pred(server_stats())) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  io_thread io;
  fake_clock clock;
  crypto::key_pair server_keys;
  crypto::key_pair client_keys;
  listener_options options;
  session_options client_options;
  recorder server_handler;
  recorder client_handler;
  scripted_authorizer auth;
  std::shared_ptr<listener> server;
  std::optional<dialer> dial;
  tcp::endpoint endpoint;
};

}  // namespace zwerm::net::testing
