// The manager driving net/'s real dialer against three listening nodes on 127.0.0.1: it
// reaches its target of 2 without exceeding it, and after both connected listeners stop and
// come back on the same ports it reconnects to them. This is the wiring zwermd uses
// (see docs/ARCHITECTURE.md, "Peers"), with short backoff times.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_future.hpp>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "net/dialer.hpp"
#include "net/listener.hpp"
#include "node/peers/manager.hpp"
#include "tests/net/io_thread.hpp"

namespace zwerm::node::peers {
namespace {

using namespace std::chrono_literals;
using net::testing::io_thread;

// The listening nodes admit every member and ignore what they are sent.
class admit_all final : public net::authorizer {
 public:
  net::admission authorize(const crypto::network_key&, const crypto::public_key&) override {
    return net::admission::accept;
  }
  bool check_token(const crypto::network_key&, const crypto::public_key&,
                   std::string_view) override {
    return false;
  }
};
class quiet_handler final : public net::session_handler {
 public:
  void on_connected(const net::session_ptr&) override {}
  void on_message(const net::session_ptr&, std::string_view) override {}
  void on_closed(const net::session_ptr&, const net::disconnect_info&) override {}
};

// The daemon's side in small: a manager, a dialer and a timer loop, all on the I/O thread.
class driver final : public net::session_handler, public std::enable_shared_from_this<driver> {
 public:
  driver(net::asio::any_io_executor ex, crypto::key_pair me, crypto::network_key network,
         manager_options options)
      : executor_(ex),
        network_(network),
        manager_(me.pk, options, system_clock_source()),
        dialer_(ex, me, *this),
        timer_(ex) {}

  manager& peers() { return manager_; }
  std::size_t max_seen() const { return max_seen_; }
  std::size_t wakeups() const { return wakeups_; }

  void start() {
    auto self = shared_from_this();
    net::asio::co_spawn(
        executor_, [self] { return self->loop(); }, net::log_exception{"peers test loop"});
  }
  void stop() {
    stopped_ = true;
    timer_.cancel();
    dialer_.stop();
  }

  // --- net::session_handler: sessions this node dialed ---
  void on_connected(const net::session_ptr&) override {}  // reported when dial() returns
  void on_message(const net::session_ptr&, std::string_view) override {}
  void on_closed(const net::session_ptr& s, const net::disconnect_info&) override {
    sessions_.erase(s->id());
    manager_.disconnected(connection_id{s->id()});
    poke();
  }

 private:
  net::awaitable<void> loop() {
    auto self = shared_from_this();
    while (!stopped_) {
      for (dial_request& r : manager_.tick()) {
        net::asio::co_spawn(
            executor_, [self, r] { return self->dial(r); }, net::log_exception{"peers test dial"});
      }
      // Sleep until the manager has something to do: its next backoff or ban end, or an
      // event (poke). At target with nothing pending it sleeps until an event: no polling.
      std::chrono::milliseconds wake = 1h;
      if (auto next = manager_.next_wakeup())
        wake = std::max(*next - system_clock_source().now(), std::chrono::milliseconds(0));
      timer_.expires_after(wake);
      co_await timer_.async_wait(net::use_nothrow);
      ++wakeups_;
    }
  }

  // After every event: wake the loop so it ticks now.
  void poke() { timer_.cancel(); }

  net::awaitable<void> dial(dial_request r) {
    auto self = shared_from_this();
    net::dial_target t{r.where.host, r.where.port, r.key, network_, {}};
    auto s = co_await dialer_.dial(t);
    if (stopped_) co_return;
    poke();  // whatever the outcome, the loop ticks again after this coroutine step
    if (!s.ok()) {
      manager_.dial_failed(r.address, classify_dial_error(s.error().code()));
      co_return;
    }
    const net::session_ptr& session = s.value();
    if (session->is_closed()) {  // it ended before we got here: on_closed found nothing
      manager_.dial_failed(r.address, dial_failure::unreachable);
      co_return;
    }
    const connect_decision d =
        manager_.connected_outbound(connection_id{session->id()}, r.address, session->remote_key());
    if (d.close) {
      if (auto old = sessions_.find(static_cast<std::uint64_t>(*d.close)); old != sessions_.end())
        old->second->close();
    }
    if (!d.keep) {
      session->close();
      co_return;
    }
    sessions_[session->id()] = session;
    max_seen_ = std::max(max_seen_, manager_.connection_count());
  }

  net::asio::any_io_executor executor_;
  crypto::network_key network_;
  manager manager_;
  net::dialer dialer_;
  net::asio::steady_timer timer_;
  bool stopped_ = false;
  std::map<std::uint64_t, net::session_ptr> sessions_;
  std::size_t max_seen_ = 0;
  std::size_t wakeups_ = 0;
};

struct node {
  crypto::key_pair keys = crypto::generate_key_pair();
  quiet_handler handler;
  std::shared_ptr<net::listener> listener;
  std::uint16_t port = 0;
};

class PeersOverNet : public ::testing::Test {
 protected:
  void start(node& n) {
    const net::tcp::endpoint at(net::asio::ip::make_address("127.0.0.1"), n.port);
    auto r = io.run([&] {
      return net::listener::start(io.executor(), at, n.keys, {network}, auth, n.handler);
    });
    ASSERT_TRUE(r.ok()) << r.error().message();
    n.listener = r.value();
    n.port = io.run([&] { return n.listener->local_endpoint().port(); });
  }
  void stop(node& n) {
    io.run([&] { n.listener->stop(); });
    io.run([&] { n.listener.reset(); });
  }
  std::size_t connections() {
    return io.run([&] { return d->peers().connection_count(); });
  }
  std::set<crypto::public_key> connected_keys() {
    return io.run([&] {
      std::set<crypto::public_key> out;
      for (const auto& c : d->peers().connections()) out.insert(c.remote);
      return out;
    });
  }
  bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (pred()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return pred();
  }
  void TearDown() override {
    if (d) io.run([&] { d->stop(); });
    for (auto& n : nodes) {
      if (n.listener) io.run([&] { n.listener->stop(); });
    }
    std::this_thread::sleep_for(100ms);  // goodbyes and aborted coroutines finish
    io.run([&] { d.reset(); });
    for (auto& n : nodes) io.run([&] { n.listener.reset(); });
  }

  io_thread io;
  crypto::network_key network = [] {
    crypto::network_key k;
    k.bytes.fill(7);
    return k;
  }();
  admit_all auth;
  std::array<node, 3> nodes;
  std::shared_ptr<driver> d;
};

TEST_F(PeersOverNet, ReachesTargetTwoOfThreeAndReconnectsAfterListenersRestart) {
  for (auto& n : nodes) start(n);
  manager_options o;
  o.target = 2;
  o.backoff_base = 50ms;
  o.backoff_cap = 300ms;
  o.seed = 11;
  const crypto::key_pair me = crypto::generate_key_pair();
  d = std::make_shared<driver>(io.executor(), me, network, o);
  io.run([&] {
    for (auto& n : nodes) {
      EXPECT_TRUE(d->peers().add_invite("127.0.0.1:" + std::to_string(n.port), n.keys.pk).ok());
    }
    d->start();
  });

  ASSERT_TRUE(wait_for([&] { return connections() == 2; }, 5s));
  std::this_thread::sleep_for(50ms);
  const std::size_t wakeups = io.run([&] { return d->wakeups(); });
  std::this_thread::sleep_for(300ms);  // time enough for a wrongful third dial
  EXPECT_EQ(connections(), 2u);
  EXPECT_EQ(io.run([&] { return d->wakeups(); }), wakeups) << "at target the loop sleeps";
  std::size_t server_sessions = 0;
  for (auto& n : nodes) server_sessions += io.run([&] { return n.listener->session_count(); });
  EXPECT_EQ(server_sessions, 2u) << "no node was dialed beyond the target";

  // Stop both connected listeners: only the third is left, so the manager can hold 1.
  const auto first = connected_keys();
  std::vector<node*> stopped;
  for (auto& n : nodes) {
    if (first.count(n.keys.pk)) stopped.push_back(&n);
  }
  ASSERT_EQ(stopped.size(), 2u);
  for (node* n : stopped) stop(*n);
  node* third = nullptr;
  for (auto& n : nodes) {
    if (!first.count(n.keys.pk)) third = &n;
  }
  ASSERT_TRUE(wait_for([&] { return connected_keys() == std::set{third->keys.pk}; }, 3s));
  std::this_thread::sleep_for(300ms);  // dials to the stopped ports fail and back off
  EXPECT_EQ(connections(), 1u);
  const auto failures = io.run(
      [&] { return d->peers().find("127.0.0.1:" + std::to_string(stopped[0]->port))->failures; });
  EXPECT_GE(failures, 1u) << "the stopped listener's address was retried and failed";

  // The two come back on the same ports: the manager reconnects to one of them.
  for (node* n : stopped) start(*n);
  ASSERT_TRUE(wait_for([&] { return connections() == 2; }, 4s));
  const auto now_keys = connected_keys();
  EXPECT_TRUE(now_keys.count(third->keys.pk));
  EXPECT_TRUE(now_keys.count(stopped[0]->keys.pk) || now_keys.count(stopped[1]->keys.pk));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(connections(), 2u);
  EXPECT_LE(io.run([&] { return d->max_seen(); }), 2u);
}

}  // namespace
}  // namespace zwerm::node::peers
