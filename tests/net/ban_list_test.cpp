#include "net/ban_list.hpp"

#include <gtest/gtest.h>

#include "tests/net/fake_clock.hpp"

namespace zwerm::net {
namespace {

using namespace std::chrono_literals;
using testing::fake_clock;

const auto a = asio::ip::make_address("192.0.2.1");
const auto b = asio::ip::make_address("2001:db8::1");

TEST(BanList, FirstBanLastsFirstBanThenLifts) {
  fake_clock c;
  ban_list bans({}, c);
  EXPECT_FALSE(bans.is_banned(a));
  EXPECT_EQ(bans.ban(a), 10s);
  EXPECT_TRUE(bans.is_banned(a));
  EXPECT_FALSE(bans.is_banned(b));
  c.advance(9999ms);
  EXPECT_TRUE(bans.is_banned(a));
  c.advance(1ms);
  EXPECT_FALSE(bans.is_banned(a));
}

TEST(BanList, RepeatedOffencesDoubleUpToTheCap) {
  fake_clock c;
  ban_options o;
  o.first_ban = 10s;
  o.max_ban = 100s;
  ban_list bans(o, c);
  const std::chrono::milliseconds expected[] = {10s, 20s, 40s, 80s, 100s, 100s};
  for (auto want : expected) {
    EXPECT_EQ(bans.ban(b), want);
    EXPECT_TRUE(bans.is_banned(b));
    c.advance(want);
    EXPECT_FALSE(bans.is_banned(b));
  }
  EXPECT_EQ(bans.offences(b), 6u);
}

// Regression: several sessions of one address that ended at the same moment each reported an
// offence, and the ban doubled once per session (four sessions: 10 s became 80 s at once).
TEST(BanList, OffencesDuringABanNeitherEscalateNorExtendIt) {
  fake_clock c;
  ban_list bans({}, c);
  EXPECT_EQ(bans.ban(a), 10s);  // until +10 s
  // Three more sessions of the same address end at the same moment.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(bans.ban(a), 10s);
  EXPECT_EQ(bans.offences(a), 1u);
  EXPECT_EQ(bans.banned_until(a), c.now() + 10s);
  // Later during the ban: still nothing more, and the answer is what is left of it.
  c.advance(4s);
  EXPECT_EQ(bans.ban(a), 6s);
  EXPECT_EQ(bans.offences(a), 1u);
  c.advance(6s);
  EXPECT_FALSE(bans.is_banned(a));
  // The next offence after the ban escalates by one step only.
  EXPECT_EQ(bans.ban(a), 20s);
  EXPECT_EQ(bans.offences(a), 2u);
}

TEST(BanList, SimultaneousOffencesFromManyAddressesAreIndependent) {
  fake_clock c;
  ban_list bans({}, c);
  EXPECT_EQ(bans.ban(a), 10s);
  EXPECT_EQ(bans.ban(b), 10s);
  EXPECT_EQ(bans.ban(a), 10s);
  EXPECT_EQ(bans.offences(a), 1u);
  EXPECT_EQ(bans.offences(b), 1u);
}

TEST(BanList, CleanPeriodForgetsOffences) {
  fake_clock c;
  ban_options o;
  o.forget_after = 1h;
  ban_list bans(o, c);
  bans.ban(a);
  c.advance(10s);
  EXPECT_EQ(bans.ban(a), 20s);
  c.advance(20s + 1h);
  EXPECT_EQ(bans.offences(a), 0u);
  EXPECT_EQ(bans.ban(a), 10s);
}

TEST(BanList, ForgiveLiftsTheBan) {
  fake_clock c;
  ban_list bans({}, c);
  bans.ban(a);
  bans.forgive(a);
  EXPECT_FALSE(bans.is_banned(a));
  EXPECT_EQ(bans.offences(a), 0u);
}

TEST(BanList, MemoryIsBounded) {
  fake_clock c;
  ban_options o;
  o.max_entries = 100;
  ban_list bans(o, c);
  for (std::uint32_t i = 0; i < 1000; ++i) {
    bans.ban(asio::ip::address_v4(0x0a000000 + i));
    c.advance(1ms);
    ASSERT_LE(bans.size(), 100u);
  }
  // The most recent offenders are the ones kept.
  EXPECT_TRUE(bans.is_banned(asio::ip::address_v4(0x0a000000 + 999)));
}

// The operator's ban (hold): fixed, not an offence, never evicted for room, lifted by forgive.
TEST(BanList, AHoldBansForItsTimeWithoutOffencesAndForgiveLiftsIt) {
  fake_clock c;
  ban_options o;
  o.max_entries = 2;
  ban_list bans(o, c);
  bans.hold(a, 48h);
  EXPECT_TRUE(bans.is_banned(a));
  EXPECT_TRUE(bans.is_held(a));
  EXPECT_EQ(bans.offences(a), 0u) << "the operator's word is no offence";
  // A flood of offenders fills the list: the hold stays.
  for (int i = 1; i <= 10; ++i) {
    (void)bans.ban(asio::ip::make_address("198.51.100." + std::to_string(i)));
  }
  EXPECT_TRUE(bans.is_banned(a));
  c.advance(47h);
  EXPECT_TRUE(bans.is_banned(a));
  bans.forgive(a);
  EXPECT_FALSE(bans.is_banned(a));
  EXPECT_FALSE(bans.is_held(a));

  bans.hold(b, 1min);
  EXPECT_EQ(bans.banned_until(b), c.now() + 1min);
  c.advance(1min);
  EXPECT_FALSE(bans.is_banned(b)) << "a hold ends at its time";
}

TEST(BanList, ForgiveLiftsAnAutomaticBanAndAHoldTogether) {
  fake_clock c;
  ban_list bans({}, c);
  (void)bans.ban(a);
  bans.hold(a, 1h);
  bans.forgive(a);
  EXPECT_FALSE(bans.is_banned(a));
  EXPECT_EQ(bans.offences(a), 0u);
}

}  // namespace
}  // namespace zwerm::net
