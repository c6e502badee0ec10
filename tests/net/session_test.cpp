// Honest sessions over real TCP on 127.0.0.1: messages of many sizes both ways, packing,
// communities, authorization and invite tokens, keepalives, clean close, backpressure.
#include <gtest/gtest.h>

#include <random>

#include "tests/net/net_fixture.hpp"

namespace zwerm::net::testing {
namespace {

std::string pattern(std::size_t n, std::uint32_t seed) {
  std::string s(n, '\0');
  std::mt19937 rng(seed);
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

using SessionTest = net_fixture;

TEST_F(SessionTest, ExchangesMessagesOfManySizesBothWays) {
  start_listener();
  auto s = dial_now(target());
  ASSERT_TRUE(s.ok()) << s.error().message();
  ASSERT_TRUE(server_handler.wait_connected(1));
  EXPECT_EQ(server_handler.connected()[0]->remote_key(), client_keys.pk);
  EXPECT_EQ(s.value()->remote_key(), server_keys.pk);

  const std::vector<std::size_t> sizes = {1,     2,     3,     4,      5,      100,    299,
                                          300,   4091,  4092,  4095,   4096,   4097,   8192,
                                          65535, 65536, 65537, 300000, 999999, 1 << 20};
  std::vector<std::string> sent;
  for (std::size_t i = 0; i < sizes.size(); ++i) sent.push_back(pattern(sizes[i], i));
  // The server echoes: client -> server and server -> client both carry every size.
  io.run([&] {
    for (auto& m : sent) EXPECT_TRUE(s.value()->send(m));
  });
  ASSERT_TRUE(client_handler.wait_messages(sent.size(), 10s));
  const auto back = client_handler.messages();
  ASSERT_EQ(back.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(back[i].second.size(), sent[i].size()) << i;
    EXPECT_TRUE(back[i].second == sent[i]) << "message " << i << " differs";
  }
  const auto at_server = server_handler.messages();
  ASSERT_EQ(at_server.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) EXPECT_TRUE(at_server[i].second == sent[i]);
}

TEST_F(SessionTest, RefusesMessagesOutsideTheBounds) {
  start_listener();
  auto s = dial_now(target());
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_FALSE(io.run([&] { return s.value()->send(""); }));
  EXPECT_FALSE(io.run([&] { return s.value()->send(std::string((1 << 20) + 1, 'x')); }));
  auto st = io.await([&] { return s.value()->async_send(std::string((1 << 20) + 1, 'x')); });
  EXPECT_EQ(st.code(), status_code::invalid_argument);
  EXPECT_TRUE(io.run([&] { return s.value()->is_open(); }));
}

TEST_F(SessionTest, PacksSmallMessagesIntoFullBodies) {
  server_handler.echo = false;
  start_listener();
  auto s = dial_now(target());
  ASSERT_TRUE(s.ok()) << s.error().message();
  const std::size_t n = 2000, size = 300;
  const auto before = io.run([&] { return s.value()->stats().wire_bytes_sent; });
  io.run([&] {
    for (std::size_t i = 0; i < n; ++i) ASSERT_TRUE(s.value()->send(pattern(size, i)));
  });
  ASSERT_TRUE(server_handler.wait_messages(n));
  const auto wire = io.run([&] { return s.value()->stats().wire_bytes_sent; }) - before;
  const double overhead = static_cast<double>(wire) / static_cast<double>(n * size);
  // 4-byte message header per record and a 34-byte box header per 4096-byte body.
  EXPECT_LT(overhead, 1.03) << wire << " wire bytes for " << n * size << " payload bytes";
}

TEST_F(SessionTest, ServesSeveralCommunitiesOnOneListener) {
  const std::vector<crypto::network_key> nets = {make_network(1), make_network(2), make_network(3)};
  start_listener(nets);
  for (std::size_t i = 0; i < nets.size(); ++i) {
    auto s = dial_now(target(nets[i]));
    ASSERT_TRUE(s.ok()) << s.error().message();
    EXPECT_EQ(s.value()->network(), nets[i]);
    ASSERT_TRUE(server_handler.wait_connected(i + 1));
    EXPECT_EQ(server_handler.connected()[i]->network(), nets[i]);
  }
  // A community the listener does not serve cannot even get msg2.
  auto other = dial_now(target(make_network(9)));
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message().find("msg2"), std::string::npos) << other.error().message();
  EXPECT_TRUE(banned("127.0.0.1"));  // a wrong network key is failed authentication
  io.run([&] { server->bans().forgive(asio::ip::make_address("127.0.0.1")); });
  // And communities can be added while running.
  io.run([&] { server->set_networks({make_network(1), make_network(9)}); });
  auto later = dial_now(target(make_network(9)));
  EXPECT_TRUE(later.ok()) << later.error().message();
}

TEST_F(SessionTest, AuthorizerRejectClosesWithoutMsg4AndDoesNotBan) {
  auth.decisions[client_keys.pk] = admission::reject;
  start_listener();
  const auto start = std::chrono::steady_clock::now();
  auto s = dial_now(target());
  ASSERT_FALSE(s.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_NE(s.error().message().find("msg4"), std::string::npos) << s.error().message();
  EXPECT_EQ(s.error().code(), status_code::rejected);
  EXPECT_TRUE(server_handler.connected().empty());
  EXPECT_EQ(io.run([&] { return auth.authorize_calls; }), 1);
  EXPECT_FALSE(banned("127.0.0.1"));
  EXPECT_TRUE(wait_no_sessions(1s));
  expect_honest_client_works("after a rejected client");
}

TEST_F(SessionTest, ANoticeIsTheOnlyMessageOfARefusedSessionAndCountsAsARefusal) {
  auth.decisions[client_keys.pk] = admission::notice;
  auth.notice = encode_refusal(refusal_reason::removed, std::string(32, 'r'));
  start_listener();
  auto s = dial_now(target());
  // The client saw msg4: its session opened, and the notice is its first message.
  ASSERT_TRUE(s.ok()) << s.error().message();
  io.run([&] { s.value()->send("a message the server drops"); });
  ASSERT_TRUE(client_handler.wait_messages(1));
  std::uint8_t reason = 0;
  std::string_view detail;
  const std::string first = client_handler.messages()[0].second;
  ASSERT_TRUE(decode_refusal(first, &reason, &detail));
  EXPECT_EQ(reason, static_cast<std::uint8_t>(refusal_reason::removed));
  EXPECT_EQ(detail, std::string(32, 'r'));
  // Then a clean close by the server; the server's handler never heard of the session.
  ASSERT_TRUE(client_handler.wait_closed(1));
  EXPECT_EQ(client_handler.closed()[0].second.reason, close_reason::peer_goodbye);
  EXPECT_EQ(client_handler.messages().size(), 1u);
  EXPECT_TRUE(server_handler.connected().empty());
  EXPECT_TRUE(server_handler.messages().empty());
  EXPECT_EQ(io.run([&] { return server->stats().handshakes_refused; }), 1u);
  EXPECT_FALSE(banned("127.0.0.1"));  // a light offence
  expect_honest_client_works("after a client told it is refused");
}

TEST(RefusalNotice, EncodingAndStrictDecoding) {
  EXPECT_EQ(encode_refusal(refusal_reason::removed, "ab"), std::string("\x00\x01"
                                                                       "ab",
                                                                       4));
  std::uint8_t reason = 0;
  std::string_view detail;
  EXPECT_FALSE(decode_refusal(std::string("\x00", 1), &reason, &detail));  // no reason
  EXPECT_FALSE(decode_refusal("\x01\x01", &reason, &detail));  // an admission-like message
  EXPECT_FALSE(decode_refusal(std::string("\x00\x01", 2) + std::string(257, 'x'), &reason,
                              &detail));  // detail over 256 bytes
  ASSERT_TRUE(decode_refusal(std::string("\x00\x07", 2), &reason, &detail));  // unknown reason
  EXPECT_EQ(reason, 7);
  EXPECT_TRUE(detail.empty());
}

TEST_F(SessionTest, DialingWithTheWrongServerKeyIsRejected) {
  start_listener();
  auto t = target();
  t.server = crypto::generate_key_pair().pk;  // not the key of the node at that address
  auto s = dial_now(t);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), status_code::rejected) << s.error().message();
  EXPECT_TRUE(server_handler.connected().empty());
  // To the server this is a msg3 that does not verify: failed authentication.
  EXPECT_TRUE(banned("127.0.0.1"));
}

TEST_F(SessionTest, InviteTokenAdmitsANewcomer) {
  auth.decisions[client_keys.pk] = admission::needs_token;
  auth.valid_token = "one-time-token-bytes";
  start_listener();
  auto s = dial_now(target(make_network(1), "one-time-token-bytes"));
  ASSERT_TRUE(s.ok()) << s.error().message();
  ASSERT_TRUE(server_handler.wait_connected(1));
  EXPECT_EQ(io.run([&] { return auth.token_calls; }), 1);
  io.run([&] { s.value()->send("first record"); });
  ASSERT_TRUE(client_handler.wait_messages(1));
  EXPECT_EQ(client_handler.messages()[0].second, "first record");
}

TEST_F(SessionTest, MissingOrWrongTokenClosedWithinTheDeadline) {
  auth.decisions[client_keys.pk] = admission::needs_token;
  auth.valid_token = "right";
  start_listener();
  int closed_seen = 0;
  for (std::string token : {"", "wrong"}) {
    const auto start = std::chrono::steady_clock::now();
    auto s = dial_now(target(make_network(1), token));
    // The handshake itself succeeds (msg4 is sent); the server then closes.
    ASSERT_TRUE(s.ok()) << s.error().message();
    ASSERT_TRUE(client_handler.wait_closed(++closed_seen, 2s)) << "token '" << token << "'";
    EXPECT_LT(std::chrono::steady_clock::now() - start, options.session.admission_timeout);
    EXPECT_EQ(client_handler.closed().back().second.reason, close_reason::truncated);
    EXPECT_TRUE(server_handler.connected().empty());
    // A refused token is a refused handshake, a light offence: not banned at once (an honest
    // newcomer behind a shared address may hold a used or stolen code) ...
    EXPECT_FALSE(banned("127.0.0.1"));
  }
  // ... but guessing is throttled: past the allowance (3 a minute) the address is banned.
  for (int i = 0; i < 2; ++i) {
    auto s = dial_now(target(make_network(1), "wrong"));
    ASSERT_TRUE(s.ok()) << s.error().message();
    ASSERT_TRUE(client_handler.wait_closed(++closed_seen, 2s));
  }
  EXPECT_TRUE(banned("127.0.0.1"));
}

TEST_F(SessionTest, KeepalivesHoldAnIdleSessionOpen) {
  client_options.keepalive_interval = 100ms;
  client_options.keepalive_timeout = 400ms;
  options.session.keepalive_interval = 100ms;
  options.session.keepalive_timeout = 400ms;
  start_listener();
  auto s = dial_now(target());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(server_handler.wait_connected(1));
  std::this_thread::sleep_for(1200ms);
  EXPECT_TRUE(io.run([&] { return s.value()->is_open(); }));
  const auto stats = io.run([&] { return s.value()->stats(); });
  EXPECT_GE(stats.keepalives_sent, 5u);
  EXPECT_GE(stats.keepalives_received, 5u);
  EXPECT_TRUE(client_handler.closed().empty());
  EXPECT_TRUE(server_handler.messages().empty());  // keepalives are not messages
}

TEST_F(SessionTest, BothSidesAskTheKernelToEndALinkWhoseDataGoesUnacknowledged) {
  // A partition leaves our data unacknowledged: the kernel ends the connection after
  // tcp_user_timeout instead of backing its retransmissions off to tens of seconds, and the
  // peer is redialed on a fresh connection once the network is back.
  client_options.tcp_user_timeout = 7s;
  options.session.tcp_user_timeout = 9s;
  start_listener();
  auto s = dial_now(target());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(server_handler.wait_connected(1));
  EXPECT_EQ(io.run([&] { return s.value()->tcp_user_timeout(); }), 7s);
  const auto server_side = server_handler.connected().at(0);
  EXPECT_EQ(io.run([&] { return server_side->tcp_user_timeout(); }), 9s);
  // The defaults: keepalives every 5 s (well inside the peer's 90 s), a 15 s user timeout.
  EXPECT_EQ(session_options{}.keepalive_interval, 5s);
  EXPECT_EQ(session_options{}.tcp_user_timeout, 15s);
}

TEST_F(SessionTest, CleanCloseDeliversEverythingThenGoodbye) {
  server_handler.echo = false;
  start_listener();
  auto s = dial_now(target());
  ASSERT_TRUE(s.ok());
  io.run([&] {
    for (int i = 0; i < 100; ++i) s.value()->send(pattern(5000, i));
    s.value()->close();
    EXPECT_FALSE(s.value()->send("after close"));
  });
  ASSERT_TRUE(server_handler.wait_closed(1));
  EXPECT_EQ(server_handler.messages().size(), 100u);
  EXPECT_EQ(server_handler.closed()[0].second.reason, close_reason::peer_goodbye);
  ASSERT_TRUE(client_handler.wait_closed(1));
  EXPECT_EQ(client_handler.closed()[0].second.reason, close_reason::local_close);
  EXPECT_TRUE(wait_no_sessions(1s));
}

TEST_F(SessionTest, AsyncSendWaitsForRoomInsteadOfGrowingTheQueue) {
  client_options.send_queue_limit = 64 * 1024;
  server_handler.echo = false;
  server_handler.pause_on_connect = true;  // the server reads nothing until resumed
  start_listener();
  auto s = dial_now(target());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(server_handler.wait_connected(1));
  const int n = 400;  // 400 × 32 KiB = 12.5 MiB: far more than socket buffers hold
  std::atomic<int> queued{0};
  std::atomic<std::size_t> max_queue{0};
  auto sender = std::async(std::launch::async, [&] {
    for (int i = 0; i < n; ++i) {
      auto st = io.await([&, i] { return s.value()->async_send(pattern(32 * 1024, i)); });
      if (!st.ok()) return st;
      ++queued;
      max_queue =
          std::max<std::size_t>(max_queue, io.run([&] { return s.value()->queued_bytes(); }));
    }
    return status{};
  });
  std::this_thread::sleep_for(500ms);
  EXPECT_LT(queued.load(), n);  // blocked by backpressure
  EXPECT_TRUE(io.run([&] { return s.value()->is_open(); }));
  io.run([&] { server_handler.connected()[0]->resume_reading(); });
  ASSERT_TRUE(sender.get().ok());
  ASSERT_TRUE(server_handler.wait_messages(n, 10s));
  EXPECT_LE(max_queue.load(), client_options.send_queue_limit + 32 * 1024 + 4);
}

TEST_F(SessionTest, PeerTooSlowToDrainIsDisconnected) {
  client_options.send_queue_limit = 64 * 1024;
  server_handler.echo = false;
  server_handler.pause_on_connect = true;
  start_listener();
  auto s = dial_now(target());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(server_handler.wait_connected(1));
  // Keep offering until the queue overflows (socket buffers fill first).
  bool refused = false;
  for (int round = 0; round < 200 && !refused; ++round) {
    refused = io.run([&] {
      for (int i = 0; i < 64; ++i)
        if (!s.value()->send(std::string(16 * 1024, 'x'))) return true;
      return false;
    });
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_TRUE(refused);
  ASSERT_TRUE(client_handler.wait_closed(1));
  EXPECT_EQ(client_handler.closed()[0].second.reason, close_reason::send_queue_full);
}

TEST_F(SessionTest, DropPolicyRefusesMessagesButKeepsTheSession) {
  client_options.send_queue_limit = 64 * 1024;
  client_options.on_overflow = overflow_policy::drop;
  server_handler.echo = false;
  server_handler.pause_on_connect = true;
  start_listener();
  auto s = dial_now(target());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(server_handler.wait_connected(1));
  int accepted = 0, dropped = 0;
  for (int round = 0; round < 200 && dropped == 0; ++round) {
    io.run([&] {
      for (int i = 0; i < 64; ++i)
        (s.value()->send(std::string(16 * 1024, 'x')) ? accepted : dropped)++;
    });
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_GT(dropped, 0);
  EXPECT_TRUE(io.run([&] { return s.value()->is_open(); }));
  io.run([&] { server_handler.connected()[0]->resume_reading(); });
  ASSERT_TRUE(server_handler.wait_messages(static_cast<std::size_t>(accepted), 10s));
  EXPECT_EQ(server_handler.messages().size(), static_cast<std::size_t>(accepted));
}

TEST_F(SessionTest, ANodeNeverTalksToItself) {
  start_listener();
  // The dialer refuses before connecting when the expected key is its own.
  recorder h;
  dialer self_dialer(io.executor(), server_keys, h, client_options);
  auto t = target();
  auto s = dial_with(self_dialer, t);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), status_code::invalid_argument);
  // A client that presents the server's own key (expecting some other key would fail the
  // handshake, so it expects itself) is refused by the server too.
  raw_client c(endpoint, "127.0.0.5");
  raw_session rs;
  EXPECT_FALSE(rs.handshake(c, make_network(1), server_keys, server_keys.pk));
  EXPECT_TRUE(c.wait_closed(1s).has_value());
  EXPECT_FALSE(banned("127.0.0.5"));
  EXPECT_TRUE(server_handler.connected().empty());
  io.run([&] { self_dialer.stop(); });
}

TEST_F(SessionTest, ManyAdmittedSessionsFromOneAddressAreNotLimited) {
  // An office behind one address: the per-address limit counts handshakes in progress only.
  options.max_inbound_per_address = 2;
  start_listener();
  std::vector<session_ptr> clients;
  for (int i = 0; i < 8; ++i) {
    auto s = dial_now(target());
    ASSERT_TRUE(s.ok()) << i << ": " << s.error().message();
    clients.push_back(s.value());
    ASSERT_TRUE(server_handler.wait_connected(static_cast<std::size_t>(i + 1)));
  }
  EXPECT_EQ(server_sessions(), 8u);
  EXPECT_EQ(server_stats().refused_limit, 0u);
}

TEST_F(SessionTest, ShutdownClosesEverySessionAndTheListener) {
  options.max_inbound_per_address = 8;  // five clients from 127.0.0.1
  start_listener();
  const int fds_with_listener = open_fd_count();
  std::vector<session_ptr> clients;
  for (int i = 0; i < 5; ++i) {
    auto s = dial_now(target());
    ASSERT_TRUE(s.ok());
    clients.push_back(s.value());
  }
  ASSERT_TRUE(server_handler.wait_connected(5));
  io.run([&] { server->stop(); });
  ASSERT_TRUE(server_handler.wait_closed(5));
  for (auto& [id, why] : server_handler.closed()) EXPECT_EQ(why.reason, close_reason::shutdown);
  ASSERT_TRUE(client_handler.wait_closed(5));
  for (auto& [id, why] : client_handler.closed()) EXPECT_EQ(why.reason, close_reason::peer_goodbye);
  EXPECT_EQ(server_sessions(), 0u);
  auto refused = dial_now(target());
  EXPECT_FALSE(refused.ok());
  clients.clear();
  io.run([&] { dial->stop(); });
  std::this_thread::sleep_for(50ms);
  // Every session socket and the listening socket are gone.
  EXPECT_EQ(open_fd_count(), fds_with_listener - 1);
}

}  // namespace
}  // namespace zwerm::net::testing
