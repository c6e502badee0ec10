// Child processes for end-to-end tests: run a program to completion with captured output, or
// keep one running in the background. Every process a test starts is ended by pid: a
// background process is stopped (SIGTERM, then SIGKILL after a grace period) and reaped by
// its guard's destructor, also when the test fails half-way.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace zwerm::testing {

struct run_result {
  int exit_code = -1;  // -1 when killed by a signal or by the timeout
  bool timed_out = false;
  std::string out;
  std::string err;
};

using env_vars = std::map<std::string, std::string>;

// Runs argv[0] (a path) with the current environment plus `env`, waits at most `timeout`
// (then SIGKILLs it), and returns its exit code and output. `scratch` holds the output files.
// With `as_uid` (only when running as root) the child drops to that user id first.
run_result run_program(const std::vector<std::string>& argv, const std::filesystem::path& scratch,
                       const env_vars& env = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(20),
                       std::optional<uid_t> as_uid = std::nullopt);

// A background process; the guard ends it.
class child_process {
 public:
  // Starts argv with stdout and stderr appended to `log`.
  child_process(const std::vector<std::string>& argv, const std::filesystem::path& log,
                const env_vars& env = {});
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int signo);
  // Waits for the exit; its code, or nullopt on timeout (the process keeps running) or when
  // it died by a signal (then killed_by_signal() tells which).
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  int killed_by_signal() const { return term_signal_; }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int term_signal_ = 0;
  std::optional<int> exit_code_;
};

}  // namespace zwerm::testing
