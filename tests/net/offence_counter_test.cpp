#include "net/offence_counter.hpp"

#include <gtest/gtest.h>

#include "tests/net/fake_clock.hpp"

namespace zwerm::net {
namespace {

using namespace std::chrono_literals;
using testing::fake_clock;

const auto a = asio::ip::make_address("192.0.2.1");
const auto b = asio::ip::make_address("192.0.2.2");

TEST(OffenceCounter, TheAllowanceIsFreeTheNextOffenceIsOver) {
  fake_clock c;
  offence_counter n({.allowed = 3, .window = 60s}, 100, c);
  EXPECT_FALSE(n.count(a));
  EXPECT_FALSE(n.count(a));
  EXPECT_FALSE(n.count(a));
  EXPECT_FALSE(n.count(b));  // per address
  EXPECT_TRUE(n.count(a));
  EXPECT_TRUE(n.count(a));  // and every further one in the window
  EXPECT_EQ(n.offences(a), 5u);
  EXPECT_EQ(n.offences(b), 1u);
}

TEST(OffenceCounter, AWindowRunsFromItsFirstOffence) {
  fake_clock c;
  offence_counter n({.allowed = 2, .window = 60s}, 100, c);
  EXPECT_FALSE(n.count(a));
  c.advance(59s);
  EXPECT_FALSE(n.count(a));
  c.advance(1s);  // the window of the first offence has ended
  EXPECT_EQ(n.offences(a), 0u);
  EXPECT_FALSE(n.count(a));
  EXPECT_FALSE(n.count(a));
  EXPECT_TRUE(n.count(a));
}

TEST(OffenceCounter, ZeroAllowedMakesTheFirstOffenceCount) {
  fake_clock c;
  offence_counter n({.allowed = 0, .window = 60s}, 100, c);
  EXPECT_TRUE(n.count(a));
}

TEST(OffenceCounter, MemoryIsBounded) {
  fake_clock c;
  offence_counter n({.allowed = 1, .window = 60s}, 50, c);
  for (std::uint32_t i = 0; i < 1000; ++i) {
    n.count(asio::ip::address_v4(0x0a000000 + i));
    c.advance(1ms);
    ASSERT_LE(n.size(), 50u);
  }
  // The most recent offenders are the ones kept.
  EXPECT_EQ(n.offences(asio::ip::address_v4(0x0a000000 + 999)), 1u);
}

}  // namespace
}  // namespace zwerm::net
