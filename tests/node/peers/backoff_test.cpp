#include <gtest/gtest.h>

#include <algorithm>

#include "node/peers/backoff.hpp"

namespace zwerm::node::peers {
namespace {

using namespace std::chrono_literals;

TEST(PeerBackoff, CeilingDoublesFromBaseAndStopsAtCap) {
  const milliseconds base = 1s, cap = 600s;
  EXPECT_EQ(backoff_ceiling(0, base, cap), 0ms);
  EXPECT_EQ(backoff_ceiling(1, base, cap), 1s);
  EXPECT_EQ(backoff_ceiling(2, base, cap), 2s);
  EXPECT_EQ(backoff_ceiling(3, base, cap), 4s);
  EXPECT_EQ(backoff_ceiling(10, base, cap), 512s);
  EXPECT_EQ(backoff_ceiling(11, base, cap), 600s);
  EXPECT_EQ(backoff_ceiling(64, base, cap), 600s);
  EXPECT_EQ(backoff_ceiling(UINT32_MAX, base, cap), 600s);  // no overflow
  for (std::uint32_t n = 1; n < 40; ++n) {
    EXPECT_LE(backoff_ceiling(n, base, cap), backoff_ceiling(n + 1, base, cap)) << n;
  }
  EXPECT_EQ(backoff_ceiling(1, 5s, 2s), 2s);  // a base above the cap is capped too
}

TEST(PeerBackoff, FullJitterStaysWithinZeroAndTheCeilingAndSpreads) {
  std::mt19937_64 rng(7);
  const milliseconds ceiling = 8000ms;
  milliseconds lo = ceiling, hi = 0ms;
  int low_half = 0;
  constexpr int n = 4000;
  for (int i = 0; i < n; ++i) {
    const milliseconds d = full_jitter(ceiling, rng);
    ASSERT_GE(d, 0ms);
    ASSERT_LE(d, ceiling);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
    if (d < ceiling / 2) ++low_half;
  }
  // Uniform over [0, 8000]: the extremes come close to the bounds, each half gets about half.
  EXPECT_LT(lo, 100ms);
  EXPECT_GT(hi, 7900ms);
  EXPECT_NEAR(low_half, n / 2, n / 10);
  EXPECT_EQ(full_jitter(0ms, rng), 0ms);
}

TEST(PeerBackoff, BanLengthGrowsAndIsCapped) {
  EXPECT_EQ(ban_length(1, 60s, 24h), 60s);
  EXPECT_EQ(ban_length(2, 60s, 24h), 120s);
  EXPECT_EQ(ban_length(30, 60s, 24h), 24h);
}

}  // namespace
}  // namespace zwerm::node::peers
