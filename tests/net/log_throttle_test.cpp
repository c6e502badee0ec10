#include "net/log_throttle.hpp"

#include <gtest/gtest.h>

namespace zwerm::net {
namespace {

using namespace std::chrono_literals;

TEST(LogThrottle, AdmitsOneLinePerPeriodAndCountsTheRest) {
  log_throttle t(10s);
  const auto t0 = time_point{} + 1h;
  EXPECT_EQ(t.admit(t0), 0u);  // the first line always goes out
  EXPECT_EQ(t.admit(t0), std::nullopt);
  EXPECT_EQ(t.admit(t0 + 5s), std::nullopt);
  EXPECT_EQ(t.admit(t0 + 9999ms), std::nullopt);
  EXPECT_EQ(t.suppressed(), 3u);
  // One period after the last admitted line: out again, with the count of those left out.
  EXPECT_EQ(t.admit(t0 + 10s), 3u);
  EXPECT_EQ(t.suppressed(), 0u);
  EXPECT_EQ(t.admit(t0 + 15s), std::nullopt);
  // The period runs from the last admitted line, not from the last event.
  EXPECT_EQ(t.admit(t0 + 20s), 1u);
  // After a quiet spell nothing was left out.
  EXPECT_EQ(t.admit(t0 + 1h), 0u);
}

TEST(LogThrottle, AFloodGivesOneLinePerPeriod) {
  log_throttle t(10s);
  const auto t0 = time_point{};
  int lines = 0;
  std::uint64_t reported = 0;
  // 100,000 events over 100 s: one every millisecond.
  for (int i = 0; i < 100'000; ++i) {
    if (auto left_out = t.admit(t0 + std::chrono::milliseconds(i))) {
      ++lines;
      reported += *left_out;
    }
  }
  EXPECT_EQ(lines, 10);
  EXPECT_EQ(reported + lines + t.suppressed(), 100'000u);  // every event accounted for
}

TEST(LogThrottle, SpentOnceItsPeriodEndedWithNothingLeftOut) {
  log_throttle t(10s);
  const auto t0 = time_point{};
  EXPECT_FALSE(t.spent(t0));  // nothing admitted yet
  EXPECT_EQ(t.admit(t0), 0u);
  EXPECT_FALSE(t.spent(t0 + 9999ms));
  EXPECT_TRUE(t.spent(t0 + 10s));
  EXPECT_EQ(t.admit(t0 + 1s), std::nullopt);
  EXPECT_FALSE(t.spent(t0 + 1h));  // one left out: the next line must say so
}

TEST(LogThrottle, AZeroPeriodAdmitsEverything) {
  log_throttle t(0ms);
  const auto t0 = time_point{};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(t.admit(t0), 0u);
}

}  // namespace
}  // namespace zwerm::net
