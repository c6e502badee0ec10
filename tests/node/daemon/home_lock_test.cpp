#include "node/daemon/home_lock.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/support/temp_dir.hpp"

namespace zwerm::node {
namespace {

TEST(HomeLock, SecondHolderIsRefusedWithThePid) {
  zwerm::testing::temp_dir dir;
  auto first = home_lock::acquire(dir / "zwermd.lock");
  ASSERT_TRUE(first.ok()) << first.error().message();
  // flock conflicts between two open file descriptions, also within one process.
  auto second = home_lock::acquire(dir / "zwermd.lock");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), status_code::busy);
  EXPECT_NE(second.error().message().find("pid " + std::to_string(::getpid())), std::string::npos)
      << second.error().message();
  EXPECT_NE(second.error().message().find(dir.path().string()), std::string::npos);
}

TEST(HomeLock, ReleasedOnDestructionAndMove) {
  zwerm::testing::temp_dir dir;
  {
    auto first = home_lock::acquire(dir / "zwermd.lock");
    ASSERT_TRUE(first.ok());
    home_lock moved = std::move(*first);
    EXPECT_FALSE(home_lock::acquire(dir / "zwermd.lock").ok());
  }
  EXPECT_TRUE(home_lock::acquire(dir / "zwermd.lock").ok());
}

TEST(HomeLock, MissingDirectoryIsAnIoError) {
  zwerm::testing::temp_dir dir;
  auto r = home_lock::acquire(dir / "no-such-dir" / "zwermd.lock");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), status_code::io_error);
}

}  // namespace
}  // namespace zwerm::node
