#include "net/log_limiter.hpp"

#include <gtest/gtest.h>

#include "tests/net/fake_clock.hpp"

namespace zwerm::net {
namespace {

using namespace std::chrono_literals;
using testing::fake_clock;

asio::ip::address ip(const char* text) {
  return asio::ip::make_address(text);
}

TEST(LogLimiter, OneLinePerClassPerPeriodThenTheCountLeftOut) {
  fake_clock c;
  log_limiter l(10s, c);
  auto first = l.admit(ip("192.0.2.1"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->left_out, 0u);
  EXPECT_EQ(first->scope, "192.0.2.0/24");
  // The same /24, other addresses: left out.
  for (int i = 2; i < 12; ++i) EXPECT_FALSE(l.admit(ip(("192.0.2." + std::to_string(i)).c_str())));
  // Another class has its own line.
  EXPECT_TRUE(l.admit(ip("198.51.100.7")));
  c.advance(9999ms);
  EXPECT_FALSE(l.admit(ip("192.0.2.1")));
  c.advance(1ms);
  auto next = l.admit(ip("192.0.2.200"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->left_out, 11u);
  // The period runs from the last line written.
  c.advance(5s);
  EXPECT_FALSE(l.admit(ip("192.0.2.1")));
  c.advance(5s);
  EXPECT_EQ(l.admit(ip("192.0.2.1"))->left_out, 1u);
}

TEST(LogLimiter, ClassesAreIpv4Slash24AndIpv6Slash48) {
  EXPECT_EQ(log_limiter::class_of(ip("203.0.113.77")), "203.0.113.0/24");
  EXPECT_EQ(log_limiter::class_of(ip("::ffff:203.0.113.77")), "203.0.113.0/24");
  EXPECT_EQ(log_limiter::class_of(ip("2001:db8:1:2:3::4")), "2001:db8:1::/48");
  fake_clock c;
  log_limiter l(10s, c);
  EXPECT_TRUE(l.admit(ip("2001:db8:1:2::1")));
  EXPECT_FALSE(l.admit(ip("2001:db8:1:ffff::2")));  // same /48
  EXPECT_TRUE(l.admit(ip("2001:db8:2::1")));
  EXPECT_TRUE(l.admit(ip("::ffff:192.0.2.1")));
  EXPECT_FALSE(l.admit(ip("192.0.2.9")));  // mapped or not, one class
}

TEST(LogLimiter, BeyondMaxClassesTheRestShareOneSlot) {
  fake_clock c;
  log_limiter l(10s, c, 4);
  int lines = 0;
  std::uint64_t left_out = 0;
  for (std::uint32_t i = 0; i < 1000; ++i) {
    if (auto line = l.admit(asio::ip::address_v4(0x0a000000 + (i << 8)))) {
      ++lines;
      left_out += line->left_out;
    }
  }
  EXPECT_EQ(lines, 5);  // four classes and "other addresses"
  c.advance(10s);
  auto line = l.admit(asio::ip::address_v4(0x0b000000));
  ASSERT_TRUE(line);  // the four have had their say; a new class gets a slot back
  EXPECT_EQ(line->scope, "11.0.0.0/24");
}

TEST(LogLimiter, AZeroPeriodAdmitsEverything) {
  fake_clock c;
  log_limiter l(0ms, c);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(l.admit(ip("192.0.2.1")));
}

}  // namespace
}  // namespace zwerm::net
