// Hostile clients on 127.0.0.1 (from source addresses 127.0.0.2 and up, so that bans of the
// attacker leave the honest dialer on 127.0.0.1 alone). Each attack must be refused within
// its deadline, and an honest client must complete during and after it.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "tests/net/net_fixture.hpp"

namespace zwerm::net::testing {
namespace {

using hostile_test = net_fixture;

std::string as_string(const auto& arr) {
  return std::string(reinterpret_cast<const char*>(arr.data()), arr.size());
}

// Deadline plus scheduling slack for "closed within the deadline".
constexpr auto slack = 700ms;

TEST_F(hostile_test, WrongNetworkKeyGetsNoServerHello) {
  start_listener();
  raw_client c(endpoint, "127.0.0.2");
  crypto::shs_client shs(make_network(7), client_keys, server_keys.pk);
  ASSERT_TRUE(c.write(as_string(shs.hello())));
  std::size_t received = 0;
  auto closed = c.wait_closed(options.session.handshake_timeout + slack, &received);
  ASSERT_TRUE(closed.has_value());
  EXPECT_LT(*closed, 0.5);  // refused at once, not at the deadline
  EXPECT_EQ(received, 0u);  // not even msg2
  EXPECT_TRUE(banned("127.0.0.2"));
  expect_honest_client_works("after a wrong network key");
}

TEST_F(hostile_test, RandomBytesAreRefused) {
  start_listener();
  std::mt19937 rng(42);
  std::string junk(200, '\0');
  for (auto& ch : junk) ch = static_cast<char>(rng());
  raw_client c(endpoint, "127.0.0.2");
  ASSERT_TRUE(c.write(junk));
  std::size_t received = 0;
  auto closed = c.wait_closed(options.session.handshake_timeout + slack, &received);
  ASSERT_TRUE(closed.has_value());
  EXPECT_LT(*closed, 0.5);
  EXPECT_EQ(received, 0u);
  EXPECT_TRUE(banned("127.0.0.2"));
  expect_honest_client_works("after random bytes");
}

// The client's part of the handshake, cut at `cut` bytes of (msg1 ‖ msg3).
struct cut_client {
  raw_client c;
  std::size_t cut;
  bool ok = true;
  cut_client(const tcp::endpoint& ep, const std::string& source, std::size_t cut_at,
             const crypto::key_pair& keys, const crypto::public_key& server)
      : c(ep, source), cut(cut_at) {
    crypto::shs_client shs(make_network(1), keys, server);
    const std::string m1 = as_string(shs.hello());
    ok = c.write(m1.substr(0, std::min(cut, m1.size())));
    if (!ok || cut <= m1.size()) return;
    auto m2 = c.read_exact(crypto::shs_msg2_size);
    ok = m2 && shs.read_server_hello(
                   std::span(reinterpret_cast<const std::uint8_t*>(m2->data()), m2->size()));
    if (!ok) return;
    const std::string m3 = as_string(shs.auth());
    ok = c.write(m3.substr(0, cut - m1.size()));
  }
};

TEST_F(hostile_test, TruncatedHandshakeAtEveryMessageBoundary) {
  start_listener();
  const std::size_t m1 = crypto::shs_msg1_size, m3 = crypto::shs_msg3_size;
  const std::vector<std::size_t> cuts = {0, 1, m1 - 1, m1, m1 + 1, m1 + m3 - 1};
  // Cut and hang up: closed at once, as an ordinary truncated connection (no ban).
  for (std::size_t cut : cuts) {
    cut_client cc(endpoint, "127.0.0.2", cut, client_keys, server_keys.pk);
    ASSERT_TRUE(cc.ok) << cut;
    cc.c.close();
  }
  EXPECT_TRUE(wait_no_sessions(1s));
  EXPECT_FALSE(banned("127.0.0.2"));
  // Cut and stay silent: closed at the handshake deadline, and banned.
  std::vector<std::unique_ptr<cut_client>> silent;
  for (std::size_t cut : cuts)
    silent.push_back(
        std::make_unique<cut_client>(endpoint, "127.0.0.3", cut, client_keys, server_keys.pk));
  expect_honest_client_works("during silent truncated handshakes");
  for (auto& cc : silent) {
    ASSERT_TRUE(cc->ok) << cc->cut;
    auto closed = cc->c.wait_closed(options.session.handshake_timeout + slack);
    EXPECT_TRUE(closed.has_value()) << "cut at " << cc->cut << " still open after the deadline";
  }
  EXPECT_TRUE(banned("127.0.0.3"));
  EXPECT_TRUE(wait_no_sessions(1s));
  expect_honest_client_works("after truncated handshakes");
}

TEST_F(hostile_test, ReplayedClientHelloNeverGetsMsg4) {
  start_listener();
  // An earlier, genuine session whose msg1 and msg3 an eavesdropper recorded.
  std::string msg1, msg3;
  {
    raw_client c(endpoint, "127.0.0.1");
    crypto::shs_client shs(make_network(1), client_keys, server_keys.pk);
    msg1 = as_string(shs.hello());
    ASSERT_TRUE(c.write(msg1));
    auto m2 = c.read_exact(crypto::shs_msg2_size);
    ASSERT_TRUE(m2);
    ASSERT_TRUE(shs.read_server_hello(
        std::span(reinterpret_cast<const std::uint8_t*>(m2->data()), m2->size())));
    msg3 = as_string(shs.auth());
    ASSERT_TRUE(c.write(msg3));
    auto m4 = c.read_exact(crypto::shs_msg4_size);
    ASSERT_TRUE(m4);  // the genuine client got in
  }
  // Replay msg1 and msg3: the server answers msg1 (it cannot tell), but msg3 was made for
  // another server ephemeral key and fails.
  {
    raw_client c(endpoint, "127.0.0.2");
    ASSERT_TRUE(c.write(msg1));
    EXPECT_TRUE(c.read_exact(crypto::shs_msg2_size).has_value());
    ASSERT_TRUE(c.write(msg3));
    std::size_t received = 0;
    auto closed = c.wait_closed(options.session.handshake_timeout + slack, &received);
    ASSERT_TRUE(closed.has_value());
    EXPECT_LT(*closed, 0.5);
    EXPECT_EQ(received, 0u);  // no msg4
  }
  EXPECT_TRUE(banned("127.0.0.2"));
  // Replay msg1 only and wait: closed at the handshake deadline, never msg4.
  {
    raw_client c(endpoint, "127.0.0.4");
    ASSERT_TRUE(c.write(msg1));
    EXPECT_TRUE(c.read_exact(crypto::shs_msg2_size).has_value());
    expect_honest_client_works("during a replay");
    std::size_t received = 0;
    auto closed = c.wait_closed(options.session.handshake_timeout + slack, &received);
    ASSERT_TRUE(closed.has_value());
    EXPECT_EQ(received, 0u);
  }
  EXPECT_TRUE(server_handler.connected().size() <= 2u);  // only the honest ones
  expect_honest_client_works("after a replay");
}

// Completes a genuine handshake and admission, then runs `attack` on the open stream.
void after_admission(const crypto::key_pair& keys, const crypto::public_key& server, raw_client& c,
                     raw_session& rs) {
  ASSERT_TRUE(rs.handshake(c, make_network(1), keys, server));
  ASSERT_TRUE(c.write(rs.admission()));
}

TEST_F(hostile_test, TamperedBoxIsAProtocolViolation) {
  start_listener();
  for (const bool in_header : {false, true}) {
    const std::string source = in_header ? "127.0.0.2" : "127.0.0.3";
    raw_client c(endpoint, source);
    raw_session rs;
    after_admission(client_keys, server_keys.pk, c, rs);
    ASSERT_TRUE(server_handler.wait_connected(in_header ? 2 : 1));
    std::string frame = rs.seal_message("a record that will be tampered with");
    frame[in_header ? 5 : crypto::box_header_size + 3] ^= 0x01;
    ASSERT_TRUE(c.write(frame));
    auto closed = c.wait_closed(2s);
    ASSERT_TRUE(closed.has_value());
    EXPECT_LT(*closed, 0.5);
    EXPECT_TRUE(banned(source));
  }
  ASSERT_TRUE(server_handler.wait_closed(2));
  for (auto& [id, why] : server_handler.closed())
    EXPECT_EQ(why.reason, close_reason::protocol_violation) << why.describe();
  EXPECT_TRUE(server_handler.messages().empty());
  expect_honest_client_works("after tampered boxes");
}

TEST_F(hostile_test, OversizedMessageLengthIsRefusedBeforeAllocating) {
  start_listener();
  raw_client c(endpoint, "127.0.0.2");
  raw_session rs;
  after_admission(client_keys, server_keys.pk, c, rs);
  ASSERT_TRUE(server_handler.wait_connected(1));
  // A header announcing 4 GiB - 1, with only a few payload bytes behind it.
  ASSERT_TRUE(
      c.write(rs.seal(std::string("\xff\xff\xff\xff"
                                  "abc",
                                  7))));
  auto closed = c.wait_closed(2s);
  ASSERT_TRUE(closed.has_value());
  EXPECT_LT(*closed, 0.5);
  ASSERT_TRUE(server_handler.wait_closed(1));
  const auto why = server_handler.closed()[0].second;
  EXPECT_EQ(why.reason, close_reason::protocol_violation);
  EXPECT_NE(why.detail.find("over the limit"), std::string::npos) << why.describe();
  EXPECT_TRUE(banned("127.0.0.2"));
  expect_honest_client_works("after an oversized length");
}

TEST_F(hostile_test, SilentAfterHandshakeIsClosedAtTheAdmissionDeadline) {
  start_listener();
  raw_client c(endpoint, "127.0.0.2");
  raw_session rs;
  ASSERT_TRUE(rs.handshake(c, make_network(1), client_keys, server_keys.pk));
  auto closed = c.wait_closed(options.session.admission_timeout + slack);
  ASSERT_TRUE(closed.has_value());
  EXPECT_GT(*closed, 0.5);
  EXPECT_TRUE(server_handler.connected().empty());
  EXPECT_TRUE(banned("127.0.0.2"));
}

TEST_F(hostile_test, SilentPeerIsDroppedAfterTheKeepaliveTimeout) {
  options.session.keepalive_interval = 100ms;
  options.session.keepalive_timeout = 500ms;
  start_listener();
  raw_client c(endpoint, "127.0.0.2");
  raw_session rs;
  after_admission(client_keys, server_keys.pk, c, rs);
  ASSERT_TRUE(server_handler.wait_connected(1));
  std::size_t received = 0;  // the server's keepalives arrive meanwhile
  auto closed = c.wait_closed(2s, &received);
  ASSERT_TRUE(closed.has_value());
  EXPECT_GT(*closed, 0.3);
  EXPECT_GT(received, 0u);
  ASSERT_TRUE(server_handler.wait_closed(1));
  EXPECT_EQ(server_handler.closed()[0].second.reason, close_reason::keepalive_timeout);
  EXPECT_FALSE(banned("127.0.0.2"));  // silence after a good handshake is not misbehaviour
}

TEST_F(hostile_test, EofWithoutGoodbyeIsReportedAsTruncated) {
  server_handler.echo = false;  // an unread echo would turn our close into a reset
  start_listener();
  raw_client c(endpoint, "127.0.0.2");
  raw_session rs;
  after_admission(client_keys, server_keys.pk, c, rs);
  ASSERT_TRUE(c.write(rs.seal_message("last words")));
  ASSERT_TRUE(server_handler.wait_messages(1));
  c.close();
  ASSERT_TRUE(server_handler.wait_closed(1));
  EXPECT_EQ(server_handler.closed()[0].second.reason, close_reason::truncated);
  EXPECT_FALSE(banned("127.0.0.2"));
}

TEST_F(hostile_test, SlowClientSendingOneByteASecondIsClosedAtTheHandshakeDeadline) {
  start_listener();
  raw_client c(endpoint, "127.0.0.2");
  crypto::shs_client shs(make_network(1), client_keys, server_keys.pk);
  const std::string m1 = as_string(shs.hello());
  const auto start = std::chrono::steady_clock::now();
  std::optional<double> closed;
  for (std::size_t i = 0; i < m1.size() && !closed; ++i) {
    if (!c.write(m1.substr(i, 1))) break;
    closed = c.wait_closed(1s);  // one byte a second, watching for the close meanwhile
  }
  const double elapsed = seconds_d(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(closed.has_value());
  EXPECT_LT(elapsed, seconds_d(options.session.handshake_timeout + slack).count());
  EXPECT_GE(elapsed, seconds_d(options.session.handshake_timeout).count() - 0.1);
  EXPECT_TRUE(banned("127.0.0.2"));
  expect_honest_client_works("after a slow client");
}

TEST_F(hostile_test, FiveHundredConnectionsAtOnce) {
  options.max_inbound = 64;
  options.max_inbound_per_address = 8;
  start_listener();
  expect_honest_client_works("before the flood");
  const int fds_before = open_fd_count();
  {
    std::vector<std::unique_ptr<raw_client>> flood;
    for (int i = 0; i < 500; ++i)
      flood.push_back(std::make_unique<raw_client>(endpoint, "127.0.0.2"));
    expect_honest_client_works("during the flood");
    // All but the per-address limit are reset at once; the rest fall at the deadline.
    int closed_fast = 0, closed_at_deadline = 0;
    for (auto& c : flood) {
      auto closed = c->wait_closed(options.session.handshake_timeout + slack);
      ASSERT_TRUE(closed.has_value());
      (*closed < 0.3 ? closed_fast : closed_at_deadline)++;
    }
    EXPECT_GE(closed_fast, 500 - 8);
    EXPECT_LE(server_stats().refused_limit + server_stats().refused_banned, 500u);
    EXPECT_GE(server_stats().refused_limit, 492u - 8u);
  }
  EXPECT_TRUE(wait_no_sessions(1s));
  std::this_thread::sleep_for(100ms);
  EXPECT_LE(open_fd_count(), fds_before);
  expect_honest_client_works("after the flood");
}

TEST_F(hostile_test, TotalInboundLimitHoldsAgainstManyAddresses) {
  options.max_inbound = 32;
  start_listener();
  std::vector<std::unique_ptr<raw_client>> flood;
  for (int i = 0; i < 100; ++i)
    flood.push_back(std::make_unique<raw_client>(
        endpoint, "127.0.1." + std::to_string(1 + i / 2)));  // 2 per address, 50 addresses
  std::this_thread::sleep_for(200ms);
  EXPECT_LE(server_sessions(), 32u);
  int reset = 0;
  for (auto& c : flood)
    if (auto closed = c->wait_closed(options.session.handshake_timeout + slack); closed) reset++;
  EXPECT_EQ(reset, 100);
  EXPECT_EQ(server_stats().refused_limit, 100u - 32u);
  EXPECT_TRUE(wait_no_sessions(1s));
  expect_honest_client_works("after filling the total limit");
}

TEST_F(hostile_test, BannedAddressIsClosedAtAcceptWithGrowingBackoff) {
  options.bans.first_ban = 10s;
  start_listener();
  auto offend = [&] {
    raw_client c(endpoint, "127.0.0.2");
    ASSERT_TRUE(c.write(std::string(64, 'x')));  // a bad msg1
    ASSERT_TRUE(c.wait_closed(2s).has_value());
  };
  offend();
  ASSERT_TRUE(banned("127.0.0.2"));
  const auto until1 =
      io.run([&] { return server->bans().banned_until(asio::ip::make_address("127.0.0.2")); });
  EXPECT_EQ(until1 - clock.now(), 10s);
  // While banned: closed at accept, before any crypto (an honest msg1 gets no answer).
  {
    raw_client c(endpoint, "127.0.0.2");
    crypto::shs_client shs(make_network(1), client_keys, server_keys.pk);
    c.write(as_string(shs.hello()));
    std::size_t received = 0;
    auto closed = c.wait_closed(2s, &received);
    ASSERT_TRUE(closed.has_value());
    EXPECT_LT(*closed, 0.3);
    EXPECT_EQ(received, 0u);
    EXPECT_GE(server_stats().refused_banned, 1u);
  }
  expect_honest_client_works("while another address is banned");
  // The ban lapses; the same address can handshake again.
  clock.advance(10s);
  EXPECT_FALSE(banned("127.0.0.2"));
  {
    raw_client c(endpoint, "127.0.0.2");
    raw_session rs;
    EXPECT_TRUE(rs.handshake(c, make_network(1), client_keys, server_keys.pk));
  }
  // A second offence bans for twice as long.
  offend();
  const auto until2 =
      io.run([&] { return server->bans().banned_until(asio::ip::make_address("127.0.0.2")); });
  EXPECT_EQ(until2 - clock.now(), 20s);
}

}  // namespace
}  // namespace zwerm::net::testing

namespace zwerm::net::testing {
namespace {

long resident_kib() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long kib = -1;
  while (std::fgets(line, sizeof line, f))
    if (std::sscanf(line, "VmRSS: %ld kB", &kib) == 1) break;
  std::fclose(f);
  return kib;
}

// ZWERM_SOAK=1: a minute of mixed attacks from many addresses while honest clients keep
// talking; descriptors and sessions return to baseline and memory stays bounded.
TEST_F(hostile_test, SoakMixedAttacksKeepResourcesBounded) {
  if (std::getenv("ZWERM_SOAK") == nullptr) GTEST_SKIP() << "set ZWERM_SOAK=1 to run";
  options.max_inbound = 128;
  server_handler.forget_closed = true;
  start_listener();
  expect_honest_client_works("soak warm-up");
  const int fds_before = open_fd_count();
  const long rss_before = resident_kib();
  std::mt19937 rng(2026);
  const auto end = std::chrono::steady_clock::now() + 60s;
  int round = 0;
  while (std::chrono::steady_clock::now() < end) {
    ++round;
    const std::string source =
        "127.0." + std::to_string(2 + rng() % 200) + "." + std::to_string(1 + rng() % 250);
    std::vector<std::unique_ptr<raw_client>> attackers;
    for (int i = 0; i < 20; ++i) {
      auto c = std::make_unique<raw_client>(endpoint, source);
      switch (rng() % 4) {
        case 0: {  // random bytes
          std::string junk(1 + rng() % 300, '\0');
          for (auto& ch : junk) ch = static_cast<char>(rng());
          c->write(junk);
          break;
        }
        case 1: {  // a wrong network key
          crypto::shs_client shs(make_network(99), client_keys, server_keys.pk);
          c->write(as_string(shs.hello()));
          break;
        }
        case 2: {  // a tampered box after a genuine handshake
          raw_session rs;
          if (rs.handshake(*c, make_network(1), client_keys, server_keys.pk)) {
            std::string frame = rs.admission() + rs.seal_message("x");
            frame.back() ^= 1;
            c->write(frame);
          }
          break;
        }
        default:  // connect and say nothing
          break;
      }
      attackers.push_back(std::move(c));
    }
    expect_honest_client_works("soak round " + std::to_string(round));
    attackers.clear();  // hang up
  }
  ASSERT_TRUE(wait_no_sessions(options.session.handshake_timeout + slack));
  std::this_thread::sleep_for(100ms);
  EXPECT_LE(open_fd_count(), fds_before);
  const long rss_after = resident_kib();
#if !defined(__SANITIZE_ADDRESS__)  // AddressSanitizer's quarantine holds freed memory on purpose
  EXPECT_LT(rss_after - rss_before, 32 * 1024) << rss_before << " KiB -> " << rss_after << " KiB";
#endif
  std::printf("soak: %d rounds, RSS %ld -> %ld KiB, %llu bans\n", round, rss_before, rss_after,
              static_cast<unsigned long long>(server_stats().bans));
}

}  // namespace
}  // namespace zwerm::net::testing
