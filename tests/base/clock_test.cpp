// The clock seam: a manual clock moves only when told, both times together, and a wall-clock
// step leaves the steady time alone.
#include "base/clock.hpp"

#include <gtest/gtest.h>

namespace zwerm {
namespace {

TEST(ManualClock, MovesOnlyWhenTold) {
  manual_clock c(1'700'000'000'000);
  const auto s0 = c.steady();
  EXPECT_EQ(c.unix_ms(), 1'700'000'000'000);
  c.advance(std::chrono::milliseconds(1500));
  EXPECT_EQ(c.unix_ms(), 1'700'000'001'500);
  EXPECT_EQ(c.steady() - s0, std::chrono::milliseconds(1500));
  c.set_unix_ms(1'600'000'000'000);  // the wall clock steps back; durations do not
  EXPECT_EQ(c.unix_ms(), 1'600'000'000'000);
  EXPECT_EQ(c.steady() - s0, std::chrono::milliseconds(1500));
}

TEST(MachineClock, ReadsTheMachinesClocks) {
  const clock& c = machine_clock();
  const auto before = std::chrono::steady_clock::now();
  const auto s = c.steady();
  EXPECT_GE(s, before);
  EXPECT_GT(c.unix_ms(), 1'600'000'000'000);  // after September 2020
}

}  // namespace
}  // namespace zwerm
