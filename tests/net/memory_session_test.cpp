// Sessions over in-memory streams in virtual time (tests/net/memory_net.hpp): the full Secret
// Handshake and messages both ways, keepalives and every deadline without real waiting, and
// hostile peers (an end closed mid-handshake, garbage, a stream that stalls). No socket, thread
// or sleep: each test's whole run takes milliseconds of real time however long its virtual time.
#include <gtest/gtest.h>

#include <random>

#include "net/handshake.hpp"
#include "net/listener.hpp"
#include "tests/net/memory_net.hpp"

namespace zwerm::net::testing {
namespace {

std::string pattern(std::size_t n, std::uint32_t seed) {
  std::string s(n, '\0');
  std::mt19937 rng(seed);
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

class MemorySession : public ::testing::Test {
 protected:
  void SetUp() override {
    options.virtual_time = &vio.clock;
    server_handler.echo = true;
    real_start = std::chrono::steady_clock::now();
  }
  void TearDown() override {
    // Virtual time: however long a test ran in it, it took no real waiting.
    EXPECT_LT(std::chrono::steady_clock::now() - real_start, std::chrono::seconds(5));
  }

  // Both sides of an honest session; runs until both are connected.
  void connect_both() {
    server = start_server(vio.executor(), std::move(pair.server_end), options, server_handler, auth,
                          server_keys, network, &server_ended);
    client = start_client(vio.executor(), std::move(pair.client_end), options, client_handler,
                          client_keys, server_keys.pk, network, &client_result);
    ASSERT_TRUE(
        vio.run_until([&] { return client_result && server_handler.connected().size() == 1; },
                      std::chrono::seconds(1)));
    ASSERT_TRUE(client_result->ok()) << client_result->message();
  }

  // The server side alone, the client end left to the test (a raw stream).
  void serve_raw_client() {
    server = start_server(vio.executor(), std::move(pair.server_end), options, server_handler, auth,
                          server_keys, network, &server_ended);
    raw = std::move(pair.client_end);
  }

  // Writes `bytes` into the raw end (all of them, as one async_write).
  void raw_write(std::string bytes) {
    auto kept = std::make_shared<std::string>(std::move(bytes));
    asio::async_write(*raw, asio::buffer(*kept), [kept](error_code, std::size_t) {});
  }

  virtual_io vio;
  session_options options;
  recorder server_handler, client_handler;
  scripted_authorizer auth;
  crypto::key_pair server_keys = crypto::generate_key_pair();
  crypto::key_pair client_keys = crypto::generate_key_pair();
  crypto::network_key network = make_network(1);
  memory_pair pair{vio.executor()};
  std::shared_ptr<session> server, client;
  std::optional<disconnect_info> server_ended;
  std::optional<status> client_result;
  std::unique_ptr<memory_stream> raw;
  std::chrono::steady_clock::time_point real_start;
};

TEST_F(MemorySession, HandshakesAndExchangesMessagesOfManySizesBothWays) {
  connect_both();
  EXPECT_EQ(server->remote_key(), client_keys.pk);
  EXPECT_EQ(client->remote_key(), server_keys.pk);
  EXPECT_EQ(server->network(), network);
  EXPECT_EQ(server->remote_endpoint(), memory_address(1, 40000));
  EXPECT_EQ(client->remote_endpoint(), memory_address(2, 7000));
  EXPECT_EQ(client->tcp_user_timeout(), std::chrono::milliseconds(0));

  const std::vector<std::size_t> sizes = {1,    2,    3,     4,     5,     100,    299,    4095,
                                          4096, 4097, 65535, 65536, 65537, 300000, 999999, 1 << 20};
  std::vector<std::string> sent;
  for (std::size_t i = 0; i < sizes.size(); ++i) sent.push_back(pattern(sizes[i], i));
  for (auto& m : sent) ASSERT_TRUE(client->send(m));
  // The server echoes: both directions carry every size, through the 256 KiB pipes.
  ASSERT_TRUE(vio.run_until([&] { return client_handler.messages().size() == sent.size(); },
                            std::chrono::seconds(1)));
  const auto back = client_handler.messages();
  const auto at_server = server_handler.messages();
  ASSERT_EQ(at_server.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_TRUE(back[i].second == sent[i]) << "message " << i << " differs";
    EXPECT_TRUE(at_server[i].second == sent[i]) << "message " << i << " differs";
  }
  EXPECT_EQ(client->stats().messages_sent, sent.size());
  EXPECT_EQ(server->stats().messages_received, sent.size());

  // A clean close: goodbyes both ways.
  client->close();
  ASSERT_TRUE(vio.run_until([&] { return client->is_closed() && server->is_closed(); },
                            std::chrono::seconds(1)));
  ASSERT_EQ(client_handler.closed().size(), 1u);
  ASSERT_EQ(server_handler.closed().size(), 1u);
  EXPECT_EQ(client_handler.closed()[0].second.reason, close_reason::local_close);
  EXPECT_EQ(server_handler.closed()[0].second.reason, close_reason::peer_goodbye);
}

TEST_F(MemorySession, InviteTokenAdmitsAndAWrongOneIsRefused) {
  auth.fallback = admission::needs_token;
  auth.valid_token = "ticket";
  server = start_server(vio.executor(), std::move(pair.server_end), options, server_handler, auth,
                        server_keys, network, &server_ended);
  client = start_client(vio.executor(), std::move(pair.client_end), options, client_handler,
                        client_keys, server_keys.pk, network, &client_result, "wrong");
  vio.run_for(std::chrono::seconds(1));
  ASSERT_TRUE(server_ended.has_value());
  EXPECT_EQ(server_ended->reason, close_reason::unauthorized);
  EXPECT_TRUE(server_handler.connected().empty());

  memory_pair second(vio.executor());
  std::optional<disconnect_info> ended2;
  std::optional<status> result2;
  auto s2 = start_server(vio.executor(), std::move(second.server_end), options, server_handler,
                         auth, server_keys, network, &ended2);
  auto c2 = start_client(vio.executor(), std::move(second.client_end), options, client_handler,
                         client_keys, server_keys.pk, network, &result2, "ticket");
  ASSERT_TRUE(vio.run_until([&] { return server_handler.connected().size() == 1; }));
  EXPECT_TRUE(s2->is_open());
}

TEST_F(MemorySession, KeepalivesHoldAnIdleSessionAndATimeoutEndsAFrozenOne) {
  connect_both();
  // Ten virtual minutes of silence: keepalives every 5 s keep it up.
  vio.run_for(std::chrono::minutes(10));
  EXPECT_TRUE(client->is_open());
  EXPECT_TRUE(server->is_open());
  EXPECT_GE(client->stats().keepalives_sent, 110u);
  EXPECT_GE(server->stats().keepalives_received, 110u);

  // A partition: nothing moves. Each side gives up after keepalive_timeout (90 s).
  const time_point frozen_at = vio.clock.now();
  pair.client_view->freeze();
  ASSERT_TRUE(vio.run_until([&] { return client->is_closed() && server->is_closed(); },
                            std::chrono::minutes(5)));
  EXPECT_EQ(client->closed_info()->reason, close_reason::keepalive_timeout);
  EXPECT_EQ(server->closed_info()->reason, close_reason::keepalive_timeout);
  const auto after = vio.clock.now() - frozen_at;
  EXPECT_GE(after, options.keepalive_timeout - options.keepalive_interval);
  EXPECT_LE(after, options.keepalive_timeout);
}

TEST_F(MemorySession, PausedReadingIsNotATimeoutAndBackpressureWaits) {
  options.send_queue_limit = 64 * 1024;
  options.on_overflow = overflow_policy::drop;
  connect_both();
  server->pause_reading();
  // The client fills the pipe and its queue (send() refuses at the limit); async_send then
  // waits for room.
  std::size_t queued = 0;
  bool waiting_done = false;
  for (int i = 0; i < 100; ++i) {
    if (!client->send(pattern(16 * 1024, i))) break;
    ++queued;
    vio.settle();
  }
  ASSERT_LT(queued, 100u);
  asio::co_spawn(
      vio.executor(),
      [c = client, m = pattern(60 * 1024, 99), &waiting_done]() -> awaitable<void> {
        const status st = co_await c->async_send(m);
        waiting_done = st.ok();
      },
      asio::detached);
  vio.run_for(std::chrono::minutes(3));  // past keepalive_timeout: paused, not the peer's fault
  EXPECT_TRUE(server->is_open()) << server->closed_info()->describe();
  EXPECT_TRUE(client->is_open()) << client->closed_info()->describe();
  EXPECT_FALSE(waiting_done);
  EXPECT_GT(pair.client_view->unread_by_peer(), 0u);
  server->resume_reading();
  ASSERT_TRUE(vio.run_until([&] { return waiting_done; }, std::chrono::seconds(1)));
  ASSERT_TRUE(vio.run_until([&] { return server_handler.messages().size() == queued + 1; },
                            std::chrono::seconds(1)));
}

TEST_F(MemorySession, CloseTimeoutWhenThePeerNeverAnswersTheGoodbye) {
  connect_both();
  pair.client_view->freeze();
  client->close();
  ASSERT_TRUE(vio.run_until([&] { return client->is_closed(); }, std::chrono::minutes(1)));
  EXPECT_EQ(client->closed_info()->reason, close_reason::close_timeout);
}

// ------------------------------------------------------------------------ hostile peers

TEST_F(MemorySession, ClientThatSaysNothingHitsTheHelloDeadline) {
  serve_raw_client();
  const time_point start = vio.clock.now();
  ASSERT_TRUE(vio.run_until([&] { return server_ended.has_value(); }, std::chrono::minutes(1)));
  EXPECT_EQ(server_ended->reason, close_reason::handshake_timeout);
  EXPECT_TRUE(server_ended->misbehaviour());  // no msg1: a ban (PROTOCOL.md §4.3.5)
  EXPECT_EQ(vio.clock.now() - start, options.hello_timeout);
  EXPECT_TRUE(server_handler.connected().empty());
}

TEST_F(MemorySession, ClientThatStallsAfterItsHelloHitsTheHandshakeDeadline) {
  serve_raw_client();
  crypto::shs_client shs(network, client_keys, server_keys.pk);
  const auto msg1 = shs.hello();
  raw_write(std::string(msg1.begin(), msg1.end()));
  const time_point start = vio.clock.now();
  ASSERT_TRUE(vio.run_until([&] { return server_ended.has_value(); }, std::chrono::minutes(1)));
  EXPECT_EQ(server_ended->reason, close_reason::handshake_stalled);
  EXPECT_FALSE(server_ended->misbehaviour());  // a light offence (PROTOCOL.md §4.3.5)
  EXPECT_EQ(offence_of(server_ended->reason, false), offence::abandoned);
  EXPECT_EQ(vio.clock.now() - start, options.handshake_timeout);
}

TEST_F(MemorySession, ClientThatClosesMidHandshakeIsTruncated) {
  serve_raw_client();
  crypto::shs_client shs(network, client_keys, server_keys.pk);
  const auto msg1 = shs.hello();
  raw_write(std::string(msg1.begin(), msg1.end()));
  vio.settle();
  raw->close();  // after msg2 came back, before msg3
  vio.run_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(server_ended.has_value());
  EXPECT_EQ(server_ended->reason, close_reason::truncated);
  EXPECT_EQ(offence_of(server_ended->reason, false), offence::abandoned);
}

TEST_F(MemorySession, ServerThatClosesMidHandshakeFailsTheDial) {
  client = start_client(vio.executor(), std::move(pair.client_end), options, client_handler,
                        client_keys, server_keys.pk, network, &client_result);
  raw = std::move(pair.server_end);
  vio.settle();  // msg1 is in the raw end
  raw->close();
  vio.run_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(client_result.has_value());
  EXPECT_EQ(client_result->code(), status_code::io_error);
  EXPECT_EQ(client->closed_info()->reason, close_reason::truncated);
  EXPECT_TRUE(client_handler.connected().empty());
}

TEST_F(MemorySession, GarbageHelloFailsTheHandshake) {
  serve_raw_client();
  raw_write(pattern(crypto::shs_msg1_size, 7));
  vio.run_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(server_ended.has_value());
  EXPECT_EQ(server_ended->reason, close_reason::handshake_failed);
  EXPECT_TRUE(server_ended->misbehaviour());
}

TEST_F(MemorySession, GarbageAfterTheHandshakeIsAProtocolViolation) {
  serve_raw_client();
  // A real handshake from the raw end, then bytes that are no box-stream.
  std::optional<handshake_outcome> out;
  asio::co_spawn(
      vio.executor(),
      [r = raw.get(), this, &out]() -> awaitable<void> {
        out = co_await client_handshake(*r, network, client_keys, server_keys.pk);
      },
      asio::detached);
  vio.settle();
  ASSERT_TRUE(out.has_value());
  ASSERT_TRUE(out->ok);
  raw_write(pattern(crypto::box_header_size + 100, 8));
  vio.run_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(server_ended.has_value());
  EXPECT_EQ(server_ended->reason, close_reason::protocol_violation);
  EXPECT_TRUE(server_handler.connected().empty());
}

TEST_F(MemorySession, ClientThatNeverSendsItsAdmissionMessageHitsTheAdmissionDeadline) {
  serve_raw_client();
  std::optional<handshake_outcome> out;
  asio::co_spawn(
      vio.executor(),
      [r = raw.get(), this, &out]() -> awaitable<void> {
        out = co_await client_handshake(*r, network, client_keys, server_keys.pk);
      },
      asio::detached);
  vio.settle();
  ASSERT_TRUE(out && out->ok);
  const time_point start = vio.clock.now();
  ASSERT_TRUE(vio.run_until([&] { return server_ended.has_value(); }, std::chrono::minutes(1)));
  EXPECT_EQ(server_ended->reason, close_reason::handshake_stalled);
  EXPECT_FALSE(server_ended->misbehaviour());  // a light offence (PROTOCOL.md §4.3.5)
  EXPECT_EQ(vio.clock.now() - start, options.admission_timeout);
}

TEST_F(MemorySession, PeerThatStopsReadingFillsTheQueueAndIsDisconnected) {
  options.send_queue_limit = 64 * 1024;
  connect_both();
  pair.client_view->freeze();  // the server's bytes stop arriving; the pipe fills
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    refused = !server->send(pattern(16 * 1024, i));
    vio.settle();
  }
  EXPECT_TRUE(refused);
  EXPECT_TRUE(server->is_closed());
  EXPECT_EQ(server->closed_info()->reason, close_reason::send_queue_full);
}

// The listener over in-memory streams: a misbehaving address is banned, refused before any
// crypto while the ban lasts, and let in again once the virtual clock has passed it.
TEST_F(MemorySession, ListenerBansAGarbageSenderUntilTheVirtualClockPassesTheBan) {
  listener_options lo;
  lo.session = options;
  auto l = listener::create_unbound(vio.executor(), server_keys, {network}, auth, server_handler,
                                    lo, vio.clock);
  const tcp::endpoint hostile = memory_address(5, 40001);
  auto [c1, s1] = memory_stream::make_pair(vio.executor(), hostile, memory_address(2, 7000));
  l->accept(std::move(s1));
  raw = std::move(c1);
  raw_write(pattern(crypto::shs_msg1_size, 11));
  vio.settle();
  EXPECT_EQ(l->stats().bans, 1u);
  EXPECT_TRUE(l->bans().is_banned(hostile.address()));

  auto [c2, s2] = memory_stream::make_pair(vio.executor(), hostile, memory_address(2, 7000));
  l->accept(std::move(s2));
  vio.settle();
  EXPECT_EQ(l->stats().refused_banned, 1u);
  EXPECT_EQ(l->session_count(), 0u);

  vio.run_for(l->bans().banned_until(hostile.address()) - vio.clock.now() +
              std::chrono::milliseconds(1));
  auto [c3, s3] = memory_stream::make_pair(vio.executor(), hostile, memory_address(2, 7000));
  l->accept(std::move(s3));
  client = start_client(vio.executor(), std::move(c3), options, client_handler, client_keys,
                        server_keys.pk, network, &client_result);
  ASSERT_TRUE(vio.run_until([&] { return client_result.has_value(); }, std::chrono::seconds(1)));
  EXPECT_TRUE(client_result->ok()) << client_result->message();
  EXPECT_EQ(server_handler.connected().size(), 1u);
  l->stop();
  vio.run_for(std::chrono::seconds(10));
  EXPECT_TRUE(client->is_closed());
}

// A handshake that stalls after the client's msg1 (a partition that freezes it does this to an
// honest client) is a light offence: the first stalls from an address ban nothing, and an
// honest client from it gets in; the 4th stall within the minute bans it (the hostile case:
// a client that holds slots up to the deadline, again and again). A client that sends no msg1
// at all is still banned at once.
TEST_F(MemorySession, ListenerCountsHandshakesStalledAfterTheHelloAsLightOffences) {
  listener_options lo;
  lo.session = options;
  auto l = listener::create_unbound(vio.executor(), server_keys, {network}, auth, server_handler,
                                    lo, vio.clock);
  const tcp::endpoint staller = memory_address(5, 40001);
  std::vector<std::unique_ptr<memory_stream>> held;  // the client ends, kept open (no EOF)
  std::uint16_t port = 41000;
  auto connect_from = [&](const tcp::endpoint& from) {
    auto [c, s] = memory_stream::make_pair(vio.executor(), tcp::endpoint(from.address(), ++port),
                                           memory_address(2, 7000));
    l->accept(std::move(s));
    return std::move(c);
  };
  // msg1 only, then nothing: the server stalls at its handshake deadline.
  auto stall_after_hello = [&] {
    auto c = connect_from(staller);
    crypto::shs_client shs(network, client_keys, server_keys.pk);
    auto msg1 = std::make_shared<std::string>();
    const auto m = shs.hello();
    msg1->assign(m.begin(), m.end());
    asio::async_write(*c, asio::buffer(*msg1), [msg1](error_code, std::size_t) {});
    held.push_back(std::move(c));
    vio.run_for(options.handshake_timeout + std::chrono::milliseconds(1));
  };
  // The whole handshake, then no admission message: the server stalls at its admission deadline.
  auto stall_before_admission = [&] {
    auto c = connect_from(staller);
    std::optional<handshake_outcome> out;
    asio::co_spawn(
        vio.executor(),
        [r = c.get(), this, &out]() -> awaitable<void> {
          out = co_await client_handshake(*r, network, client_keys, server_keys.pk);
        },
        asio::detached);
    vio.settle();
    ASSERT_TRUE(out && out->ok);
    held.push_back(std::move(c));
    vio.run_for(options.admission_timeout + std::chrono::milliseconds(1));
  };

  stall_after_hello();
  EXPECT_EQ(l->session_count(), 0u);  // closed at the deadline
  EXPECT_EQ(l->stats().handshakes_abandoned, 1u);
  EXPECT_EQ(l->stats().bans, 0u);
  EXPECT_FALSE(l->bans().is_banned(staller.address()));
  // The same address, honest this time: admitted.
  client = start_client(vio.executor(), connect_from(staller), options, client_handler, client_keys,
                        server_keys.pk, network, &client_result);
  ASSERT_TRUE(vio.run_until([&] { return client_result.has_value(); }, std::chrono::seconds(1)));
  EXPECT_TRUE(client_result->ok()) << client_result->message();
  EXPECT_EQ(server_handler.connected().size(), 1u);

  stall_before_admission();
  stall_after_hello();
  EXPECT_EQ(l->stats().handshakes_abandoned, 3u);
  EXPECT_EQ(l->stats().bans, 0u);  // three in the window: within the allowance
  stall_after_hello();             // the fourth within a minute
  EXPECT_EQ(l->stats().handshakes_abandoned, 4u);
  EXPECT_EQ(l->stats().bans, 1u);
  EXPECT_TRUE(l->bans().is_banned(staller.address()));

  // No msg1 at all: banned at the first hello deadline, as before.
  const tcp::endpoint silent = memory_address(6, 40001);
  held.push_back(connect_from(silent));
  vio.run_for(options.hello_timeout + std::chrono::milliseconds(1));
  EXPECT_TRUE(l->bans().is_banned(silent.address()));
  EXPECT_EQ(l->stats().bans, 2u);
  l->stop();
  vio.run_for(std::chrono::seconds(10));
}

}  // namespace
}  // namespace zwerm::net::testing
