// Crash consistency of the state on disk: a child process writes records (some late in total
// order) through community_host with snapshots every 25 records and is killed with SIGKILL at
// a random moment; after every kill the state restored from the store equals the state
// rebuilt from the log alone (views and snapshot bytes). 6 kills; 60 with ZWERM_SOAK=1.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "node/daemon/state_store.hpp"
#include "tests/node/snapshots/state_sim.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::node {
namespace {

struct child {
  pid_t pid = -1;
  int out = -1;
};

child start(const std::string& dir, unsigned seed) {
  int p[2];
  if (::pipe(p) != 0) return {};
  const std::string helper = STATE_CRASH_CHILD;
  const std::string seed_text = std::to_string(seed);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(p[1], 1);
    ::close(p[0]);
    ::close(p[1]);
    ::execl(helper.c_str(), helper.c_str(), dir.c_str(), seed_text.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(p[1]);
  return {pid, p[0]};
}

// Reads the child's output until `want` "ok" lines arrived; false when the child ended first.
bool wait_for_oks(int fd, int want, std::string* buffer) {
  int seen = 0;
  char chunk[4096];
  for (;;) {
    std::size_t at = 0;
    for (std::size_t nl; (nl = buffer->find('\n', at)) != std::string::npos; at = nl + 1) {
      if (buffer->compare(at, nl - at, "ok") == 0 && ++seen >= want) {
        buffer->erase(0, nl + 1);
        return true;
      }
    }
    buffer->erase(0, at);
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return false;
    buffer->append(chunk, static_cast<std::size_t>(n));
  }
}

TEST(state_crash_test, sigkill_while_writing_never_leaves_state_and_records_apart) {
  const bool soak = std::getenv("ZWERM_SOAK") != nullptr;
  const int kills = soak ? 60 : 6;
  zwerm::testing::temp_dir dir;
  std::mt19937 rng(20261127);
  int from_snapshot = 0;
  for (int round = 0; round < kills; ++round) {
    child c = start(dir.path().string(), rng());
    ASSERT_GT(c.pid, 0);
    std::string buffer;
    const bool alive = wait_for_oks(c.out, 10 + static_cast<int>(rng() % 60), &buffer);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 4000));
    ::kill(c.pid, SIGKILL);
    int wstatus = 0;
    ::waitpid(c.pid, &wstatus, 0);
    ::close(c.out);
    ASSERT_TRUE(alive) << "the child ended by itself (status " << wstatus << ")";
    ASSERT_TRUE(WIFSIGNALED(wstatus));

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
