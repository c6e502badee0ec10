// The manager's dialing rules: target, random choice, backoff, bans, self, one connection per
// key. No sockets: dials are answered by hand and time is a fake clock.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "node/peers/backoff.hpp"
#include "node/peers/manager.hpp"
#include "tests/node/peers/fakes.hpp"

namespace zwerm::node::peers {
namespace {

using namespace testing;

class ManagerTest : public ::testing::Test {
 protected:
  // `n` invite addresses addr(1..n), each with its own key key(1..n). Our key is key(100).
  void add_invites(manager& m, int n) {
    for (int i = 1; i <= n; ++i) ASSERT_TRUE(m.add_invite(addr(i), key(i)).ok());
  }
  connection_id next_id() { return connection_id{++ids_}; }

  fake_clock clock;
  member_id own = key(100);
  std::uint64_t ids_ = 0;
};

TEST_F(ManagerTest, ReachesTheTargetAndNeverExceedsIt) {
  manager m(own, test_options(3), clock);
  add_invites(m, 10);
  auto dials = m.tick();
  ASSERT_EQ(dials.size(), 3u);
  EXPECT_EQ(m.dialing_count(), 3u);
  EXPECT_TRUE(m.tick().empty()) << "dials in progress count toward the target";
  EXPECT_FALSE(m.next_wakeup()) << "at target only an event can change anything";

  for (const auto& d : dials) {
    EXPECT_EQ(d.where.text(), d.address);
    EXPECT_TRUE(m.connected_outbound(next_id(), d.address, d.key).keep);
  }
  EXPECT_EQ(m.connection_count(), 3u);
  EXPECT_EQ(m.dialing_count(), 0u);
  clock.advance(1h);
  EXPECT_TRUE(m.tick().empty());

  // One connection drops: exactly one replacement.
  const auto first = m.connections().front();
  m.disconnected(first.id);
  auto again = m.tick();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_TRUE(m.tick().empty());
}

TEST_F(ManagerTest, InboundConnectionsCountTowardTheTarget) {
  manager m(own, test_options(3), clock);
  add_invites(m, 10);
  EXPECT_TRUE(m.connected_inbound(next_id(), key(50)).keep);
  EXPECT_TRUE(m.connected_inbound(next_id(), key(51)).keep);
  EXPECT_EQ(m.tick().size(), 1u);
  EXPECT_TRUE(m.connected_inbound(next_id(), key(52)).keep);  // beyond target: still accepted
  EXPECT_EQ(m.connection_count(), 3u);
  EXPECT_TRUE(m.tick().empty());
}

TEST_F(ManagerTest, RandomChoiceSpreadsAcrossCandidates) {
  manager m(own, test_options(1, 1234), clock);
  add_invites(m, 8);
  std::map<std::string, int> picks;
  constexpr int rounds = 1600;
  for (int r = 0; r < rounds; ++r) {
    auto d = m.tick();
    ASSERT_EQ(d.size(), 1u);
    ++picks[d[0].address];
    m.dial_failed(d[0].address, dial_failure::cancelled);  // no penalty: all stay eligible
  }
  ASSERT_EQ(picks.size(), 8u);
  for (const auto& [a, n] : picks) {
    EXPECT_GT(n, rounds / 8 - 80) << a;  // 200 expected each; sd ≈ 13
    EXPECT_LT(n, rounds / 8 + 80) << a;
  }
}

TEST_F(ManagerTest, TheSeedFixesTheChoicesAndDifferentSeedsDiffer) {
  auto sequence = [&](std::uint64_t seed) {
    fake_clock c;
    manager m(own, test_options(1, seed), c);
    add_invites(m, 8);
    std::vector<std::string> seq;
    for (int r = 0; r < 30; ++r) {
      auto d = m.tick();
      seq.push_back(d.at(0).address);
      m.dial_failed(d[0].address, dial_failure::cancelled);
    }
    return seq;
  };
  EXPECT_EQ(sequence(5), sequence(5));
  EXPECT_NE(sequence(5), sequence(6));
}

TEST_F(ManagerTest, BackoffGrowsWithFailuresIsJitteredAndCapped) {
  manager_options o = test_options(1);
  o.backoff_base = 1s;
  o.backoff_cap = 30s;
  manager m(own, o, clock);
  ASSERT_TRUE(m.add_invite(addr(1), key(1)).ok());
  milliseconds longest{0};
  for (std::uint32_t n = 1; n <= 12; ++n) {
    auto d = m.tick();
    ASSERT_EQ(d.size(), 1u) << "attempt " << n;
    m.dial_failed(d[0].address, dial_failure::unreachable);
    const peer_info* info = m.find(addr(1));
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->failures, n);
    const milliseconds wait = info->next_attempt - clock.now();
    EXPECT_GE(wait, 0ms);
    EXPECT_LE(wait, backoff_ceiling(n, o.backoff_base, o.backoff_cap)) << "failure " << n;
    EXPECT_LE(wait, o.backoff_cap);
    longest = std::max(longest, wait);
    ASSERT_TRUE(m.next_wakeup());
    EXPECT_EQ(*m.next_wakeup(), info->next_attempt);
    if (wait > 0ms) {
      clock.advance(wait - 1ms);
      EXPECT_TRUE(m.tick().empty()) << "dialed before its backoff ended";
      clock.advance(1ms);
    }
  }
  EXPECT_GT(longest, 4s) << "twelve failures should have waited longer than the first ones";
}

TEST_F(ManagerTest, AStableConnectionResetsFailuresAndAShortOneCountsAsOne) {
  manager_options o = test_options(1);
  o.stable_after = 60s;
  o.backoff_base = 1s;
  manager m(own, o, clock);
  ASSERT_TRUE(m.add_invite(addr(1), key(1)).ok());
  for (int i = 0; i < 3; ++i) {
    auto d = m.tick();
    ASSERT_EQ(d.size(), 1u);
    m.dial_failed(d[0].address, dial_failure::unreachable);
    clock.advance(10min);
  }
  EXPECT_EQ(m.find(addr(1))->failures, 3u);

  auto d = m.tick();
  ASSERT_EQ(d.size(), 1u);
  auto id = next_id();
  ASSERT_TRUE(m.connected_outbound(id, d[0].address, key(1)).keep);
  EXPECT_EQ(m.find(addr(1))->last_success, clock.now());
  clock.advance(5s);
  m.disconnected(id);  // accepted and dropped at once: a failure
  EXPECT_EQ(m.find(addr(1))->failures, 4u);

  clock.advance(10min);
  d = m.tick();
  ASSERT_EQ(d.size(), 1u);
  id = next_id();
  ASSERT_TRUE(m.connected_outbound(id, d[0].address, key(1)).keep);
  clock.advance(2min);
  m.disconnected(id);
  EXPECT_EQ(m.find(addr(1))->failures, 0u);
  EXPECT_LE(m.find(addr(1))->next_attempt - clock.now(), o.backoff_base);
}

TEST_F(ManagerTest, MisbehaviourBansEveryAddressOfTheKeyWithGrowingBans) {
  manager_options o = test_options(2);
  o.ban_base = 1min;
  o.ban_cap = 1h;
  manager m(own, o, clock);
  ASSERT_TRUE(m.add_invite(addr(1), key(1)).ok());
  ASSERT_TRUE(m.set_profile(key(1), addr(2)).ok());  // the same node under a second address
  m.misbehaved(key(1));
  EXPECT_EQ(m.find(addr(1))->ban_until, clock.now() + 1min);
  EXPECT_EQ(m.find(addr(2))->ban_until, clock.now() + 1min);
  EXPECT_TRUE(m.tick().empty());
  EXPECT_EQ(m.next_wakeup(), clock.now() + 1min);
  clock.advance(59s);
  EXPECT_TRUE(m.tick().empty());
  clock.advance(1s);
  auto d = m.tick();
  ASSERT_EQ(d.size(), 1u) << "the ban ended; one key is dialed through one address";
  m.dial_failed(d[0].address, dial_failure::cancelled);

  m.misbehaved(key(1));
  EXPECT_EQ(m.find(addr(1))->ban_until, clock.now() + 2min);
  for (int i = 0; i < 10; ++i) m.misbehaved(key(1));
  EXPECT_EQ(m.find(addr(1))->ban_until, clock.now() + 1h);
  EXPECT_EQ(m.find(addr(1))->misbehaviours, 12u);
  for (const auto& v : m.known()) EXPECT_EQ(v.state, peer_state::banned);
}

TEST_F(ManagerTest, BansFromNetAreHonouredAndExpire) {
  manager m(own, test_options(1), clock);
  ASSERT_TRUE(m.add_invite(addr(1), key(1)).ok());
  m.banned("10.0.0.1:7411", clock.now() + 30s);
  m.banned("10.0.0.1:7411", clock.now() + 10s);  // a shorter ban never shortens one in force
  EXPECT_TRUE(m.tick().empty());
  clock.advance(29s);
  EXPECT_TRUE(m.tick().empty());
  clock.advance(1s);
  EXPECT_EQ(m.tick().size(), 1u);
}

// The clock is wall time (it is persisted). Set back by a day, it must not hold addresses back
// for a day: no wait exceeds backoff_cap (or ban_cap for bans) from the current time.
TEST_F(ManagerTest, AWallClockSetBackDelaysNoLongerThanTheCaps) {
  manager_options o = test_options(2);
  o.backoff_cap = 30s;
  o.ban_cap = 5min;
  manager m(own, o, clock);
  add_invites(m, 2);
  for (int i = 0; i < 8; ++i) {
    for (const auto& d : m.tick()) m.dial_failed(d.address, dial_failure::unreachable);
    clock.advance(1min);
  }
  m.misbehaved(key(2));
  m.banned(addr(1), clock.now() + 1000h);
  EXPECT_LE(m.find(addr(1))->ban_until, clock.now() + 5min) << "a ban is stored capped";
  clock.set_back(24h);
  EXPECT_TRUE(m.tick().empty());
  ASSERT_TRUE(m.next_wakeup());
  EXPECT_LE(*m.next_wakeup(), clock.now() + 5min);
  clock.advance(5min);
  EXPECT_EQ(m.tick().size(), 2u);
}

// A node started with its clock a day behind the one its peer book was written under (or
// whose clock is set back while it runs) dials its peers at once: their backoffs, a day in its
// future, mean nothing. Found by scripts/faults' clock-skew scenario after a long churn.
TEST_F(ManagerTest, BackoffsFromAClockThatWasAheadAreDueAtOnce) {
  manager_options o = test_options(2);
  o.backoff_cap = 30s;
  manager m(own, o, clock);
  add_invites(m, 2);
  for (const auto& d : m.tick()) m.dial_failed(d.address, dial_failure::unreachable);
  EXPECT_TRUE(m.tick().empty()) << "both back off";
  clock.set_back(24h);
  EXPECT_EQ(m.tick().size(), 2u);
}

TEST_F(ManagerTest, AnAddressThatIsThisNodeIsNeverDialedAgain) {
  manager m(own, test_options(6), clock);
  add_invites(m, 3);
  ASSERT_TRUE(m.add_invite(addr(4), own).ok());  // our own key: never dialed at all
  m.mark_self(addr(3));                          // our listen address
  auto d = m.tick();
  ASSERT_EQ(d.size(), 2u);
  const auto dialed = addresses(d);
  std::set<std::string> got(dialed.begin(), dialed.end());
  EXPECT_EQ(got, (std::set<std::string>{addr(1), addr(2)}));

  // addr(1) turns out to be us (net reported a self-connection); addr(2) answers with our key.
  m.dial_failed(addr(1), dial_failure::self);
  EXPECT_FALSE(m.connected_outbound(next_id(), addr(2), own).keep);
  EXPECT_TRUE(m.find(addr(1))->self);
  EXPECT_TRUE(m.find(addr(2))->self);
  for (int i = 0; i < 20; ++i) {
    clock.advance(1h);
    EXPECT_TRUE(m.tick().empty());
  }
  EXPECT_FALSE(m.next_wakeup());
  EXPECT_FALSE(m.connected_inbound(next_id(), own).keep);
}

TEST_F(ManagerTest, DialErrorsAreClassifiedWithoutGuessingSelf) {
  EXPECT_EQ(classify_dial_error(status_code::rejected), dial_failure::refused);
  EXPECT_EQ(classify_dial_error(status_code::io_error), dial_failure::unreachable);
  EXPECT_EQ(classify_dial_error(status_code::invalid_argument), dial_failure::unreachable);
  // Both back off; neither marks the address self.
  manager m(own, test_options(1), clock);
  add_invites(m, 1);
  for (status_code c : {status_code::rejected, status_code::invalid_argument}) {
    clock.advance(1h);
    auto d = m.tick();
    ASSERT_EQ(d.size(), 1u);
    m.dial_failed(d[0].address, classify_dial_error(c));
    EXPECT_FALSE(m.find(addr(1))->self);
    EXPECT_GT(m.find(addr(1))->failures, 0u);
  }
}

TEST_F(ManagerTest, OneKeyIsDialedThroughOneAddressAtATime) {
  manager m(own, test_options(6), clock);
  for (int i = 1; i <= 4; ++i) ASSERT_TRUE(m.add_invite(addr(i), key(7)).ok());
  auto d = m.tick();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_TRUE(m.tick().empty());
  ASSERT_TRUE(m.connected_outbound(next_id(), d[0].address, key(7)).keep);
  clock.advance(1h);
  EXPECT_TRUE(m.tick().empty());
  // A key connected inbound is not dialed either.
  ASSERT_TRUE(m.add_invite(addr(9), key(9)).ok());
  ASSERT_TRUE(m.connected_inbound(next_id(), key(9)).keep);
  EXPECT_TRUE(m.tick().empty());
}

// Two nodes dial each other at the same moment: each ends up with an outbound and an inbound
// connection to the other. Whatever order the events arrive in, both keep the same one.
TEST_F(ManagerTest, SimultaneousDialsKeepTheSameConnectionOnBothSides) {
  const member_id a = key(10), b = key(20);  // a < b: the connection a dialed survives
  for (int order = 0; order < 2; ++order) {
    manager ma(a, test_options(), clock), mb(b, test_options(), clock);
    ASSERT_TRUE(ma.add_invite("10.0.0.20:1", b).ok());
    ASSERT_TRUE(mb.add_invite("10.0.0.10:1", a).ok());
    ASSERT_EQ(ma.tick().size(), 1u);
    ASSERT_EQ(mb.tick().size(), 1u);
    const connection_id ab{1}, ba{2};  // ab: dialed by a; ba: dialed by b
    std::set<std::uint64_t> kept_a, kept_b;
    auto apply = [](std::set<std::uint64_t>& kept, connection_id id, connect_decision d) {
      if (d.keep) kept.insert(static_cast<std::uint64_t>(id));
      if (d.close) kept.erase(static_cast<std::uint64_t>(*d.close));
    };
    if (order == 0) {
      apply(kept_a, ab, ma.connected_outbound(ab, "10.0.0.20:1", b));
      apply(kept_a, ba, ma.connected_inbound(ba, b));
      apply(kept_b, ab, mb.connected_inbound(ab, a));
      apply(kept_b, ba, mb.connected_outbound(ba, "10.0.0.10:1", a));
    } else {
      apply(kept_a, ba, ma.connected_inbound(ba, b));
      apply(kept_a, ab, ma.connected_outbound(ab, "10.0.0.20:1", b));
      apply(kept_b, ba, mb.connected_outbound(ba, "10.0.0.10:1", a));
      apply(kept_b, ab, mb.connected_inbound(ab, a));
    }
    EXPECT_EQ(kept_a, std::set<std::uint64_t>{1}) << "order " << order;
    EXPECT_EQ(kept_b, std::set<std::uint64_t>{1}) << "order " << order;
    EXPECT_EQ(ma.connection_count(), 1u);
    EXPECT_EQ(mb.connection_count(), 1u);
  }
}

TEST_F(ManagerTest, ANewInboundFromAConnectedKeyReplacesTheOldOne) {
  manager m(own, test_options(), clock);
  const connection_id first{1}, second{2};
  ASSERT_TRUE(m.connected_inbound(first, key(3)).keep);
  auto d = m.connected_inbound(second, key(3));
  EXPECT_TRUE(d.keep);
  ASSERT_TRUE(d.close);
  EXPECT_EQ(*d.close, first);
  m.disconnected(first);  // the old one's close is reported later: ignored
  EXPECT_EQ(m.connection_count(), 1u);
  EXPECT_TRUE(m.is_connected(key(3)));
}

TEST_F(ManagerTest, SharesWhatItBelievesReachableAndNeverUnconfirmedExchangeAddresses) {
  manager m(own, test_options(3), clock);
  add_invites(m, 3);
  ASSERT_TRUE(m.add_invite(addr(7), own).ok());
  ASSERT_EQ(m.learn_from_exchange({{key(5), addr(5)}, {key(6), addr(6)}}), 2u);
  auto listed = [&] {
    std::vector<std::string> out;
    for (const auto& p : m.shareable()) {
      out.push_back(p.address);
      EXPECT_EQ(p.key, m.find(p.address)->key());
    }
    return out;
  };
  EXPECT_EQ(listed(), (std::vector<std::string>{addr(1), addr(2), addr(3)}))
      << "trusted sources with keys; not our own key, not what exchange alone said";

  m.dial_failed(addr(3), dial_failure::unreachable);  // failing: not passed on
  ASSERT_TRUE(m.connected_outbound(connection_id{1}, addr(5), key(5)).keep);  // worked
  ASSERT_TRUE(m.connected_inbound(connection_id{2}, key(6)).keep);  // its node is connected
  EXPECT_EQ(listed(), (std::vector<std::string>{addr(5), addr(1), addr(2), addr(6)}));
  m.misbehaved(key(1));
  EXPECT_EQ(listed(), (std::vector<std::string>{addr(5), addr(2), addr(6)})) << "banned";

  manager_options small = test_options(3);
  small.max_share = 2;
  manager limited(own, small, clock);
  add_invites(limited, 5);
  EXPECT_EQ(limited.shareable().size(), 2u);
}

TEST_F(ManagerTest, AsksForAddressesOnlyWhenShortOfCandidates) {
  manager m(own, test_options(3), clock);
  add_invites(m, 4);
  EXPECT_FALSE(m.needs_addresses());  // 4 candidates for a target of 3
  auto d = m.tick();
  ASSERT_EQ(d.size(), 3u);
  ASSERT_TRUE(m.connected_outbound(connection_id{1}, d[0].address, d[0].key).keep);
  ASSERT_TRUE(m.connected_outbound(connection_id{2}, d[1].address, d[1].key).keep);
  m.dial_failed(d[2].address, dial_failure::unreachable);
  // Two connected, two candidates left for one more slot: 2 < target.
  EXPECT_TRUE(m.needs_addresses());
  ASSERT_TRUE(m.connected_inbound(connection_id{3}, key(50)).keep);
  EXPECT_FALSE(m.needs_addresses()) << "at target";
}

}  // namespace
}  // namespace zwerm::node::peers
