#include "cli/terminal.hpp"

#include <gtest/gtest.h>

#include "cli/format.hpp"

namespace zwerm::cli {
namespace {

TEST(OutputWidth, TheTerminalsOwnWidthFirst) {
  EXPECT_EQ(choose_width(false, true, 132, "100"), 132u);
  EXPECT_EQ(choose_width(false, true, 57, std::nullopt), 57u);
}

TEST(OutputWidth, ThenColumnsThenEighty) {
  EXPECT_EQ(choose_width(false, true, std::nullopt, "100"), 100u);
  EXPECT_EQ(choose_width(false, true, 0, "100"), 100u);  // a terminal that reports 0 columns
  EXPECT_EQ(choose_width(false, true, std::nullopt, std::nullopt), 80u);
  for (const char* bad : {"", "0", "-5", "wide", "80x", "99999999999999999999999"}) {
    EXPECT_EQ(choose_width(false, true, std::nullopt, bad), 80u) << bad;
  }
}

TEST(OutputWidth, NotATerminalAndWideAreNeverCut) {
  EXPECT_EQ(choose_width(false, false, std::nullopt, "80"), unlimited_width);
  EXPECT_EQ(choose_width(false, false, 80, "80"), unlimited_width);
  EXPECT_EQ(choose_width(true, true, 80, "80"), unlimited_width);
}

}  // namespace
}  // namespace zwerm::cli
