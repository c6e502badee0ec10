// The operator's side of the peer manager: bans of IP addresses (hold, release), forgetting an
// address, and the reasons it keeps for people. No sockets; a fake clock.
#include <gtest/gtest.h>

#include <string>

#include "node/peers/address.hpp"
#include "node/peers/manager.hpp"
#include "tests/node/peers/fakes.hpp"

namespace zwerm::node::peers {
namespace {

using namespace testing;

const peer_view* view_of(const std::vector<peer_view>& views, const std::string& address) {
  for (const auto& v : views) {
    if (v.address == address) return &v;
  }
  return nullptr;
}

TEST(BanAddress, AcceptsTheFormsOfOneIpAddressAndIgnoresThePort) {
  EXPECT_EQ(*parse_ban_address("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(*parse_ban_address("192.0.2.7:7411"), "192.0.2.7");
  EXPECT_EQ(*parse_ban_address("2001:DB8:0::1"), "2001:db8::1");
  EXPECT_EQ(*parse_ban_address("[2001:db8::1]"), "2001:db8::1");
  EXPECT_EQ(*parse_ban_address("[2001:db8::1]:7411"), "2001:db8::1");
  EXPECT_EQ(*parse_ban_address("::ffff:192.0.2.7"), "::ffff:192.0.2.7")
      << "a mapped address is its own key, as in the listener (PROTOCOL.md §4.3.6)";
  // Two addresses of one /64 are two bans.
  EXPECT_NE(*parse_ban_address("2001:db8::1"), *parse_ban_address("2001:db8::2"));
}

TEST(BanAddress, RefusesEverythingElseWithAReason) {
  const std::string huge(10'000, '1');
  for (const std::string& bad : std::vector<std::string>{"",
                                                         "example.org",
                                                         "example.org:7411",
                                                         "192.0.2",
                                                         "192.0.2.256",
                                                         "192.0.2.7:0",
                                                         "192.0.2.7:65536",
                                                         "192.0.2.7:x",
                                                         "192.0.2.7:",
                                                         "[192.0.2.7]",
                                                         "[2001:db8::1",
                                                         "[2001:db8::1]x",
                                                         "[2001:db8::1]:",
                                                         "fe80::1%eth0",
                                                         "0.0.0.0",
                                                         "::",
                                                         "[::]:7411",
                                                         "-1",
                                                         "192.0.2.7 ",
                                                         " 192.0.2.7",
                                                         "1.2.3.4/24",
                                                         huge}) {
    auto r = parse_ban_address(bad);
    EXPECT_FALSE(r.ok()) << "'" << bad << "' was accepted as " << (r.ok() ? *r : "");
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), status_code::invalid_argument);
      EXPECT_LT(r.error().message().size(), 200u) << "the text quoted back is bounded";
    }
  }
}

TEST(BanAddress, TheHostOfADialAddressHasABanKeyOnlyWhenItIsAnIpAddress) {
  EXPECT_EQ(ban_key_of_host("10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(ban_key_of_host("2001:db8:0:0::1"), "2001:db8::1");
  EXPECT_EQ(ban_key_of_host("node.example.org"), std::nullopt);
}

class OperatorTest : public ::testing::Test {
 protected:
  fake_clock clock;
  member_id own = key(100);
};

TEST_F(OperatorTest, AHeldAddressIsNotDialedUntilTheHoldEndsEvenBeyondTheBanCap) {
  manager_options o = test_options(2);
  o.ban_cap = 1h;
  manager m(own, o, clock);
  ASSERT_TRUE(m.add_invite(addr(1), key(1)).ok());
  ASSERT_TRUE(m.add_invite("10.0.0.1:9000", key(2)).ok());  // another port, same IP
  m.hold("10.0.0.1", clock.now() + 48h);
  EXPECT_TRUE(m.tick().empty()) << "every port of the IP is held";
  EXPECT_EQ(m.next_wakeup(), clock.now() + 48h) << "not capped at ban_cap: the operator said so";
  for (const auto& v : m.known()) {
    EXPECT_EQ(v.state, peer_state::banned);
    EXPECT_EQ(v.held_until, clock.now() + 48h);
  }
  EXPECT_TRUE(m.shareable().empty()) << "a held address is not passed on either";
  clock.advance(48h);
  EXPECT_EQ(m.tick().size(), 2u);
}

TEST_F(OperatorTest, ReleaseLiftsTheHoldAndTheAutomaticBansAndTheirGrowth) {
  manager m(own, test_options(2), clock);
  ASSERT_TRUE(m.add_invite(addr(1), key(1)).ok());
  ASSERT_TRUE(m.add_invite(addr(2), key(2)).ok());
  m.misbehaved(key(1), "invalid_record: a bad signature");
  m.misbehaved(key(1));
  m.misbehaved(key(2));
  m.hold("10.0.0.1", clock.now() + 1h);
  EXPECT_TRUE(m.tick().empty());

  EXPECT_TRUE(m.release("10.0.0.1"));
  EXPECT_EQ(m.find(addr(1))->ban_until, time_point{});
  EXPECT_EQ(m.find(addr(1))->misbehaviours, 0u) << "the next offence starts the ban afresh";
  EXPECT_GT(m.find(addr(2))->ban_until, clock.now()) << "another IP keeps its ban";
  auto dials = m.tick();
  ASSERT_EQ(dials.size(), 1u);
  EXPECT_EQ(dials[0].address, addr(1));
  EXPECT_TRUE(m.has_unflushed()) << "the lifted ban is persisted at the next flush";

  EXPECT_FALSE(m.release("10.0.0.1")) << "nothing left to lift";
  EXPECT_FALSE(m.release("10.0.0.9")) << "never banned";
}

TEST_F(OperatorTest, AnEndedHoldIsNotReportedAsLifted) {
  manager m(own, test_options(1), clock);
  ASSERT_TRUE(m.add_invite(addr(1), key(1)).ok());
  m.hold("10.0.0.1", clock.now() + 1min);
  clock.advance(2min);
  EXPECT_FALSE(m.release("10.0.0.1"));
}

TEST_F(OperatorTest, ForgetRemovesEverySourceAndIsPersisted) {
  memory_book book;
  {
    manager m(own, test_options(1), clock, &book);
    ASSERT_TRUE(m.set_config({{addr(1), key(1)}}).ok());
    ASSERT_TRUE(m.add_invite(addr(1), key(1)).ok());
    ASSERT_TRUE(m.flush().ok());
    ASSERT_EQ(book.entries.count(addr(1)), 1u);
    EXPECT_TRUE(m.forget(addr(1)).ok());
    EXPECT_EQ(m.find(addr(1)), nullptr);
    EXPECT_TRUE(m.tick().empty());
    auto unknown = m.forget(addr(1));
    EXPECT_EQ(unknown.code(), status_code::not_found);
    EXPECT_NE(unknown.message().find("not a known peer address"), std::string::npos);
    ASSERT_TRUE(m.flush().ok());
  }
  EXPECT_EQ(book.entries.count(addr(1)), 0u);
  manager again(own, test_options(1), clock, &book);
  ASSERT_TRUE(again.restore().ok());
  EXPECT_EQ(again.find(addr(1)), nullptr) << "forgotten across a restart";
}

TEST_F(OperatorTest, KeepsTheLastProblemAndTheBanReasonForPeople) {
  manager m(own, test_options(1), clock);
  ASSERT_TRUE(m.add_invite(addr(1), key(1)).ok());
  auto d = m.tick();
  ASSERT_EQ(d.size(), 1u);
  m.dial_failed(d[0].address, dial_failure::unreachable, "Connection refused");
  auto views = m.known();
  ASSERT_NE(view_of(views, addr(1)), nullptr);
  EXPECT_EQ(view_of(views, addr(1))->state, peer_state::backoff);
  EXPECT_EQ(view_of(views, addr(1))->last_problem, "Connection refused");

  // A connection that ends early says how it ended.
  clock.advance(1h);
  d = m.tick();
  ASSERT_EQ(d.size(), 1u);
  ASSERT_TRUE(m.connected_outbound(connection_id{1}, d[0].address, key(1)).keep);
  m.disconnected(connection_id{1}, "reset by the peer");
  views = m.known();
  EXPECT_EQ(view_of(views, addr(1))->last_problem, "reset by the peer");

  m.misbehaved(key(1), std::string(10'000, 'x'));
  views = m.known();
  EXPECT_EQ(view_of(views, addr(1))->state, peer_state::banned);
  EXPECT_EQ(view_of(views, addr(1))->ban_reason.size(), max_note_size) << "a long text is cut";
  EXPECT_TRUE(m.release("10.0.0.1"));
  EXPECT_TRUE(view_of(m.known(), addr(1))->ban_reason.empty());
}

TEST_F(OperatorTest, AForgottenAddressLearnedAgainStartsWithoutOldNotes) {
  manager m(own, test_options(1), clock);
  ASSERT_TRUE(m.add_invite(addr(1), key(1)).ok());
  auto d = m.tick();
  m.dial_failed(d[0].address, dial_failure::unreachable, "No route to host");
  ASSERT_TRUE(m.forget(addr(1)).ok());
  ASSERT_TRUE(m.add_invite(addr(1), key(1)).ok());
  const auto views = m.known();
  ASSERT_NE(view_of(views, addr(1)), nullptr);
  EXPECT_TRUE(view_of(views, addr(1))->last_problem.empty());
  EXPECT_EQ(view_of(views, addr(1))->state, peer_state::ready);
}

}  // namespace
}  // namespace zwerm::node::peers
