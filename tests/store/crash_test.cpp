// The crash test (DESIGN.md §6): a child process ingests continuously and reports every
// committed batch; the parent SIGKILLs it at random moments, reopens the store each time and
// checks that every reported record is there, that every index agrees with the records, and
// that the store opens. 20 rounds by default; ZWERM_SOAK=1 runs 200.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <sstream>

#include "store/store.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::store {
namespace {

struct child {
  pid_t pid = -1;
  int out = -1;
};

child start(const std::string& dir, unsigned seed) {
  int p[2];
  if (::pipe(p) != 0) return {};
  const std::string helper = STORE_CRASH_CHILD;
  const std::string seed_text = std::to_string(seed);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(p[1], 1);
    ::close(p[0]);
    ::close(p[1]);
    ::execl(helper.c_str(), helper.c_str(), "ingest", dir.c_str(), seed_text.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(p[1]);
  return {pid, p[0]};
}

// Reads complete lines until `lines` of them arrived or the deadline passed; a partial last
// line (the child died while writing it) stays in `partial` and is never counted.
int read_lines(int fd, std::string* partial, std::vector<std::string>* out, int lines,
               std::chrono::milliseconds budget) {
  const auto deadline = std::chrono::steady_clock::now() + budget;
  int got = 0;
  while (got < lines) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[65536];
    auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    partial->append(buf, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = partial->find('\n')) != std::string::npos) {
      out->push_back(partial->substr(0, nl));
      partial->erase(0, nl + 1);
      ++got;
    }
  }
  return got;
}

TEST(store_crash_test, sigkill_at_random_moments_loses_nothing_and_leaves_no_inconsistency) {
  const bool soak = std::getenv("ZWERM_SOAK") != nullptr;
  const int rounds = soak ? 200 : 20;
  zwerm::testing::temp_dir home("zwerm-crash");
  const std::string dir = (home.path() / "db").string();
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));

  std::vector<crypto::digest> reported;
  std::uint64_t last_batch = 0;
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    child c = start(dir, rng());
    ASSERT_GT(c.pid, 0);
    std::string partial;
    std::vector<std::string> lines;
    // Wait for a random number of committed batches, then a random extra moment, then kill:
    // the kill lands anywhere in a batch (building it, writing the log, syncing, reporting).
    const int wait_batches = static_cast<int>(rng() % 4);
    read_lines(c.out, &partial, &lines, wait_batches, std::chrono::seconds(10));
    ::usleep(static_cast<useconds_t>(rng() % 15000));
    ::kill(c.pid, SIGKILL);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(c.pid, &wstatus, 0), c.pid);
    read_lines(c.out, &partial, &lines, 1 << 30, std::chrono::milliseconds(200));
    ::close(c.out);
    if (WIFEXITED(wstatus)) {
      FAIL() << "the child exited by itself with code " << WEXITSTATUS(wstatus);
    }
    for (const auto& line : lines) {
      std::istringstream in(line);
      std::uint64_t batch = 0;
      in >> batch;
      last_batch = std::max(last_batch, batch);
      std::string hex;
      while (in >> hex) {
        std::string raw;
        crypto::digest id;
        ASSERT_TRUE(crypto::from_hex(hex, &raw) && crypto::digest::from(raw, &id)) << line;
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
