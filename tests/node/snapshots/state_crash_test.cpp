// Crash consistency of the state on disk: a child process writes records (some late in total
// order) through community_host with snapshots every 25 records and is killed with SIGKILL at
// a random moment; after every kill the state restored from the store equals the state
// rebuilt from the log alone (views and snapshot bytes). 6 kills; 60 with ZWERM_SOAK=1.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "node/daemon/state_store.hpp"
#include "tests/node/snapshots/state_sim.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::node {
namespace {

using zwerm::testing::capture_stdout;
using zwerm::testing::child_process;

// Reads the child's output until `want` "ok" lines arrived; false when its output ended first
// (it exited) or a minute passed without them.
bool wait_for_oks(child_process& c, int want) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  int seen = 0;
  std::vector<std::string> lines;
  while (seen < want) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    lines.clear();
    if (left.count() <= 0 || c.read_lines(&lines, want - seen, left) == 0) return false;
    for (const auto& line : lines) seen += line == "ok" ? 1 : 0;
  }
  return true;
}

TEST(StateCrashTest, SigkillWhileWritingNeverLeavesStateAndRecordsApart) {
  const bool soak = std::getenv("ZWERM_SOAK") != nullptr;
  const int kills = soak ? 60 : 6;
  zwerm::testing::temp_dir dir;
  zwerm::testing::temp_dir logs("zwerm-state-crash-log");
  const auto log = logs.path() / "child-stderr.log";
  std::mt19937 rng(20261127);
  int from_snapshot = 0;
  for (int round = 0; round < kills; ++round) {
    // The guard kills and reaps the child by pid whatever happens in this round; its stdout
    // ("ok" per record) comes through a pipe, its stderr goes to `log`.
    child_process c(capture_stdout, {STATE_CRASH_CHILD, dir.path().string(), std::to_string(rng())},
                    log);
    const bool alive = wait_for_oks(c, 10 + static_cast<int>(rng() % 60));
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 4000));
    c.signal(SIGKILL);
    const auto exit_code = c.wait_exit(std::chrono::seconds(10));
    ASSERT_TRUE(alive) << "the child ended by itself or stalled (exit code "
                       << exit_code.value_or(-1) << ", signal " << c.killed_by_signal()
                       << "): " << zwerm::testing::read_file(log);
    ASSERT_FALSE(exit_code) << "the child exited by itself with code " << *exit_code;
    ASSERT_EQ(c.killed_by_signal(), SIGKILL) << "the child did not end within 10 s of SIGKILL";

    auto db = store::store::open(dir.path() / "db");
    ASSERT_TRUE(db.ok()) << db.error().message();
    ASSERT_TRUE((*db)->check().ok());
    auto listed = (*db)->communities();
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1u);
    const community_id c_id = listed->front().id;
    state_store_options opts;
    opts.replayer.persist_interval = 25;
    state_store states(**db, opts);
    restore_report report;
    auto rep = states.restore(c_id, &report);
    ASSERT_TRUE(rep.ok()) << rep.error().message();
    if (report.from_snapshot) ++from_snapshot;
    std::printf("round %d: %llu records, %s, %llu replayed\n", round,
                static_cast<unsigned long long>(listed->front().records),
                report.from_snapshot ? "from the snapshot" : "rebuilt from the log",
                static_cast<unsigned long long>(report.replayed));
    auto full = testing::full_replay(**db, c_id);
    EXPECT_EQ((*rep)->current().applied(), listed->front().records) << "round " << round;
    EXPECT_EQ(testing::all_views((*rep)->current()), testing::all_views(full->current()))
        << "round " << round << (report.from_snapshot ? " (from the snapshot)" : " (rebuilt)");
    EXPECT_EQ(community::encode_snapshot((*rep)->current()),
              community::encode_snapshot(full->current()))
        << "round " << round;
  }
  // Snapshots are written every 25 records and late records erase them: most restores use one.
  EXPECT_GT(from_snapshot, 0);
}

}  // namespace
}  // namespace zwerm::node
