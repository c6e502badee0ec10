// The four address sources: validation, key priority, the peer-exchange bounds, profile
// updates, config replacement, and communities kept apart.
#include <gtest/gtest.h>

#include "node/peers/manager.hpp"
#include "tests/node/peers/fakes.hpp"

namespace zwerm::node::peers {
namespace {

using namespace testing;

class SourcesTest : public ::testing::Test {
 protected:
  fake_clock clock;
  member_id own = key(100);
};

std::size_t exchange_only(const manager& m) {
  std::size_t n = 0;
  for (const auto& v : m.known()) n += v.info.only(source::exchange) ? 1 : 0;
  return n;
}

TEST_F(SourcesTest, InvalidAddressesAreRefusedWithAReason) {
  manager m(own, test_options(), clock);
  status st = m.add_invite("nonsense", key(1));
  EXPECT_EQ(st.code(), status_code::invalid_argument);
  EXPECT_NE(st.message().find("nonsense"), std::string::npos);
  st = m.set_config({{"10.0.0.1:7411", std::nullopt}, {"10.0.0.2:0", std::nullopt}});
  EXPECT_FALSE(st.ok()) << "a bad config entry is reported";
  EXPECT_NE(m.find("10.0.0.1:7411"), nullptr) << "and the good ones are still applied";
  EXPECT_FALSE(m.set_profile(key(2), "host-without-port").ok());
  EXPECT_EQ(m.known().size(), 1u);
}

TEST_F(SourcesTest, ADialNeedsAKeyAndTheMostTrustedSourceNamesIt) {
  manager m(own, test_options(), clock);
  ASSERT_TRUE(m.set_config({{"Node.Example:7411", std::nullopt}}).ok());
  EXPECT_TRUE(m.tick().empty()) << "no key: the handshake cannot be run";
  EXPECT_EQ(m.known().at(0).state, peer_state::no_key);

  ASSERT_TRUE(m.add_invite("node.example:7411", key(1)).ok());  // same address, other case
  ASSERT_EQ(m.known().size(), 1u);
  EXPECT_EQ(m.find("node.example:7411")->key(), key(1));
  ASSERT_TRUE(m.set_profile(key(2), "node.example:7411").ok());
  EXPECT_EQ(m.find("node.example:7411")->key(), key(2)) << "a signed profile outranks an invite";
  auto d = m.tick();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].key, key(2));
  EXPECT_EQ(d[0].where.host, "node.example");
  EXPECT_EQ(d[0].where.port, 7411);
}

TEST_F(SourcesTest, PeerExchangeNeverOverridesAKeyFromAnotherSource) {
  manager m(own, test_options(), clock);
  ASSERT_TRUE(m.add_invite(addr(1), key(1)).ok());
  EXPECT_EQ(m.learn_from_exchange({{key(66), addr(1)}}), 0u);
  EXPECT_EQ(m.find(addr(1))->key(), key(1));
  EXPECT_FALSE(m.find(addr(1))->has(source::exchange));

  // An exchange-only address keeps the first key it was given.
  EXPECT_EQ(m.learn_from_exchange({{key(2), addr(2)}}), 1u);
  EXPECT_EQ(m.learn_from_exchange({{key(67), addr(2)}}), 0u);
  EXPECT_EQ(m.find(addr(2))->key(), key(2));
  // A trusted source arriving later takes over the key.
  ASSERT_TRUE(m.add_invite(addr(2), key(3)).ok());
  EXPECT_EQ(m.find(addr(2))->key(), key(3));
}

TEST_F(SourcesTest, PeerExchangeMayFillAMissingKeyAndLosesItWhenRefused) {
  manager m(own, test_options(1), clock);
  ASSERT_TRUE(m.set_config({{addr(1), std::nullopt}}).ok());
  EXPECT_EQ(m.learn_from_exchange({{key(5), addr(1)}}), 1u);
  auto d = m.tick();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].key, key(5));
  m.dial_failed(addr(1), dial_failure::refused);
  const peer_info* info = m.find(addr(1));
  ASSERT_NE(info, nullptr) << "the config address stays";
  EXPECT_FALSE(info->key()) << "the exchanged key that failed the handshake is forgotten";
  EXPECT_FALSE(info->has(source::exchange));
}

TEST_F(SourcesTest, PeerExchangeIsValidatedAndBounded) {
  manager_options o = test_options();
  o.max_exchange = 5;
  o.max_exchange_per_message = 3;
  manager m(own, o, clock);
  ASSERT_TRUE(m.set_config({{addr(1), key(1)}, {addr(2), key(2)}}).ok());
  ASSERT_TRUE(m.add_invite(addr(3), key(3)).ok());
  ASSERT_TRUE(m.set_profile(key(4), addr(4)).ok());

  // Junk and our own key are ignored and do not use up the per-message bound.
  EXPECT_EQ(m.learn_from_exchange({{key(20), "no-port"},
                                   {key(21), "0.0.0.0:1"},
                                   {key(22), "x:0"},
                                   {own, addr(99)},
                                   {key(23), addr(23)}}),
            1u);
  EXPECT_EQ(m.find(addr(99)), nullptr);

  std::vector<keyed_address> many;
  for (int i = 30; i < 60; ++i) many.push_back({key(static_cast<std::uint8_t>(i)), addr(i)});
  EXPECT_EQ(m.learn_from_exchange(many), 3u) << "at most max_exchange_per_message per message";
  for (int round = 0; round < 10; ++round) (void)m.learn_from_exchange(many);
  EXPECT_EQ(exchange_only(m), 5u) << "at most max_exchange exchange-only addresses";
  for (int i = 1; i <= 4; ++i) EXPECT_NE(m.find(addr(i)), nullptr) << "trusted " << i << " kept";
  EXPECT_EQ(m.known().size(), 9u);
}

TEST_F(SourcesTest, EvictionTakesTheFailingExchangeAddressAndSparesConnectedOnes) {
  manager_options o = test_options(2);
  o.max_exchange = 2;
  manager m(own, o, clock);
  ASSERT_EQ(m.learn_from_exchange({{key(1), addr(1)}, {key(2), addr(2)}}), 2u);
  auto d = m.tick();
  ASSERT_EQ(d.size(), 2u);
  // addr(1) connects; addr(2) fails.
  ASSERT_TRUE(m.connected_outbound(connection_id{1}, addr(1), key(1)).keep);
  m.dial_failed(addr(2), dial_failure::unreachable);
  EXPECT_EQ(m.learn_from_exchange({{key(3), addr(3)}}), 1u);
  EXPECT_NE(m.find(addr(1)), nullptr);
  EXPECT_EQ(m.find(addr(2)), nullptr) << "the failing one was evicted";
  EXPECT_NE(m.find(addr(3)), nullptr);
  // addr(3) is being dialed and addr(1) is connected: nothing can be evicted now.
  ASSERT_EQ(m.tick().size(), 1u);
  EXPECT_EQ(m.learn_from_exchange({{key(4), addr(4)}}), 0u);
}

TEST_F(SourcesTest, AProfileMovesWithItsMemberAndLatestWins) {
  manager m(own, test_options(), clock);
  ASSERT_TRUE(m.set_profile(key(1), addr(1)).ok());
  EXPECT_EQ(m.find(addr(1))->key(), key(1));
  ASSERT_TRUE(m.set_profile(key(1), addr(2)).ok());
  EXPECT_EQ(m.find(addr(1)), nullptr) << "the old address came only from that profile";
  EXPECT_EQ(m.find(addr(2))->key(), key(1));

  // Two members claim one address: the latest wins the key; when it moves away the other's
  // claim remains.
  ASSERT_TRUE(m.set_profile(key(2), addr(2)).ok());
  EXPECT_EQ(m.find(addr(2))->key(), key(2));
  ASSERT_TRUE(m.set_profile(key(2), std::nullopt).ok());
  ASSERT_NE(m.find(addr(2)), nullptr);
  EXPECT_EQ(m.find(addr(2))->key(), key(1));

  // An address also given by an invite survives the profile's move, with the invite's key.
  ASSERT_TRUE(m.add_invite(addr(2), key(9)).ok());
  ASSERT_TRUE(m.set_profile(key(1), addr(3)).ok());
  EXPECT_EQ(m.find(addr(2))->key(), key(9));
  EXPECT_FALSE(m.find(addr(2))->has(source::profile));

  // set_profiles replaces them all.
  ASSERT_TRUE(m.set_profiles({{key(5), addr(5)}}).ok());
  EXPECT_EQ(m.find(addr(3)), nullptr);
  EXPECT_EQ(m.find(addr(5))->key(), key(5));
}

TEST_F(SourcesTest, SetConfigReplacesTheBootstrapList) {
  manager m(own, test_options(), clock);
  ASSERT_TRUE(m.set_config({{addr(1), key(1)}, {addr(2), key(2)}}).ok());
  ASSERT_TRUE(m.add_invite(addr(2), key(2)).ok());
  ASSERT_TRUE(m.set_config({{addr(3), key(3)}}).ok());
  EXPECT_EQ(m.find(addr(1)), nullptr);
  ASSERT_NE(m.find(addr(2)), nullptr) << "still known from the invite";
  EXPECT_FALSE(m.find(addr(2))->has(source::config));
  EXPECT_NE(m.find(addr(3)), nullptr);
}

TEST_F(SourcesTest, ANewKeyForAnAddressStartsItsBackoffAfresh) {
  manager m(own, test_options(1), clock);
  ASSERT_TRUE(m.set_config({{addr(1), key(1)}}).ok());
  for (int i = 0; i < 5; ++i) {
    auto d = m.tick();
    ASSERT_EQ(d.size(), 1u);
    m.dial_failed(addr(1), dial_failure::refused);
    clock.advance(1h);
  }
  EXPECT_EQ(m.find(addr(1))->failures, 5u);
  ASSERT_TRUE(m.set_profile(key(2), addr(1)).ok());
  EXPECT_EQ(m.find(addr(1))->failures, 0u);
  EXPECT_EQ(m.tick().size(), 1u);
}

// One manager per community: the same address in two communities is two independent entries.
TEST_F(SourcesTest, SeveralCommunitiesKeepTheirPeersApart) {
  manager a(own, test_options(2, 1), clock), b(own, test_options(2, 2), clock);
  ASSERT_TRUE(a.add_invite(addr(1), key(1)).ok());
  ASSERT_TRUE(b.add_invite(addr(1), key(1)).ok());
  ASSERT_TRUE(a.add_invite(addr(2), key(2)).ok());
  EXPECT_EQ(b.learn_from_exchange({{key(3), addr(3)}}), 1u);

  auto da = a.tick(), db = b.tick();
  ASSERT_EQ(da.size(), 2u);
  ASSERT_EQ(db.size(), 2u);
  // Community A's session to addr(1) fails and its node misbehaves there; B's connects.
  a.dial_failed(addr(1), dial_failure::unreachable);
  a.misbehaved(key(1));
  ASSERT_TRUE(b.connected_outbound(connection_id{7}, addr(1), key(1)).keep);
  EXPECT_EQ(a.find(addr(1))->failures, 1u);
  EXPECT_GT(a.find(addr(1))->ban_until, clock.now());
  EXPECT_EQ(b.find(addr(1))->failures, 0u);
  EXPECT_EQ(b.find(addr(1))->ban_until, time_point{});
  EXPECT_FALSE(a.is_connected(key(1)));
  EXPECT_TRUE(b.is_connected(key(1)));
  EXPECT_EQ(a.find(addr(3)), nullptr) << "B's exchanged address is not A's";
  EXPECT_EQ(b.find(addr(2)), nullptr);
}

}  // namespace
}  // namespace zwerm::node::peers
