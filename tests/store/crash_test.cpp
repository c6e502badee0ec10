// The crash test: a child process ingests continuously and reports every
// committed batch; the parent SIGKILLs it at random moments, reopens the store each time and
// checks that every reported record is there, that every index agrees with the records, and
// that the store opens. 20 rounds by default; ZWERM_SOAK=1 runs 200.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <sstream>

#include "store/store.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::store {
namespace {

using zwerm::testing::capture_stdout;
using zwerm::testing::child_process;

TEST(StoreCrashTest, SigkillAtRandomMomentsLosesNothingAndLeavesNoInconsistency) {
  const bool soak = std::getenv("ZWERM_SOAK") != nullptr;
  const int rounds = soak ? 200 : 20;
  zwerm::testing::temp_dir home("zwerm-crash");
  const std::string dir = (home.path() / "db").string();
  const auto log = home.path() / "child-stderr.log";
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));

  std::vector<record_id> reported;
  std::uint64_t last_batch = 0;
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    // The guard kills and reaps the child by pid whatever happens in this round; its stdout
    // (one line per committed batch) comes through a pipe, its stderr goes to `log`.
    child_process c(capture_stdout, {STORE_CRASH_CHILD, "ingest", dir, std::to_string(rng())}, log);
    std::vector<std::string> lines;
    // Wait for a random number of committed batches, then a random extra moment, then kill:
    // the kill lands anywhere in a batch (building it, writing the log, syncing, reporting).
    const int wait_batches = static_cast<int>(rng() % 4);
    c.read_lines(&lines, wait_batches, std::chrono::seconds(10));
    ::usleep(static_cast<useconds_t>(rng() % 15000));
    c.signal(SIGKILL);
    const auto exit_code = c.wait_exit(std::chrono::seconds(10));
    ASSERT_FALSE(exit_code) << "the child exited by itself with code " << *exit_code << ": "
                            << zwerm::testing::read_file(log);
    ASSERT_EQ(c.killed_by_signal(), SIGKILL) << "the child did not end within 10 s of SIGKILL";
    // Everything it reported before it died; a partial last line is never counted.
    c.read_lines(&lines, 1 << 30, std::chrono::milliseconds(200));
    for (const auto& line : lines) {
      std::istringstream in(line);
      std::uint64_t batch = 0;
      in >> batch;
      last_batch = std::max(last_batch, batch);
      std::string hex;
      while (in >> hex) {
        std::string raw;
        record_id id;
        ASSERT_TRUE(crypto::from_hex(hex, &raw) && record_id::from(raw, &id)) << line;
        reported.push_back(id);
      }
    }

    auto s = store::open(dir);
    ASSERT_TRUE(s.ok()) << s.error().message();
    auto c_ok = (*s)->check();
    ASSERT_TRUE(c_ok.ok()) << c_ok.message();
    for (const auto& id : reported) {
      auto has = (*s)->contains(id);
      ASSERT_TRUE(has.ok() && *has) << "lost record " << crypto::to_hex(id);
    }
    auto batches = (*s)->get_view("crash/batches");
    ASSERT_TRUE(batches.ok());
    if (last_batch > 0) {
      ASSERT_TRUE(batches->has_value());
      EXPECT_GE(std::stoull(**batches), last_batch);  // the view committed with its records
    }
  }
  EXPECT_GT(reported.size(), 0u);
  RecordProperty("records_reported", static_cast<int>(reported.size()));
}

}  // namespace
}  // namespace zwerm::store
