// Child processes for tests: run a program to completion with captured output, or keep one
// running in the background. Every process a test starts is ended by pid: a background
// process is stopped (SIGTERM, then SIGKILL after a grace period) and reaped by its guard's
// destructor, also when the test fails half-way. Used by the end-to-end tests, the SIGKILL
// crash tests and the daemon benchmarks. Not thread-safe: one guard belongs to one thread.
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

// Selects the child_process constructor whose stdout goes to a pipe the guard reads.
struct capture_stdout_t {
  explicit capture_stdout_t() = default;
};
inline constexpr capture_stdout_t capture_stdout{};

// A background process; the guard ends it.
class child_process {
 public:
  // Starts argv with stdout and stderr appended to `log`. Throws std::runtime_error when the
  // fork fails (a missing program shows as exit code 127).
  child_process(const std::vector<std::string>& argv, const std::filesystem::path& log,
                const env_vars& env = {});
  // Starts argv with stdout to a pipe read through read_lines() and stderr appended to `log`.
  // The pipe's write end lives only in the child, so the output ends when the child does, and
  // a child writing after the guard is gone gets SIGPIPE.
  child_process(capture_stdout_t, const std::vector<std::string>& argv,
                const std::filesystem::path& log, const env_vars& env = {});
  // Ends the process if it still runs (SIGTERM, SIGKILL after 3 s), reaps it by pid, closes
  // the pipe.
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

  // Only for a capture_stdout process: appends to `out` the complete lines (without their
  // '\n') that arrived on stdout, until `max_lines` were appended, `budget` passed, or the
  // output ended (the child exited and every byte was read). A partial last line (a child
  // killed while writing it) is kept back and never returned. Returns the number appended.
  int read_lines(std::vector<std::string>* out, int max_lines, std::chrono::milliseconds budget);
  // True once the output ended (the child exited) and read_lines() returned every complete
  // line of it; always true without capture_stdout.
  bool output_ended() const { return out_fd_ < 0 && partial_.find('\n') == std::string::npos; }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int term_signal_ = 0;
  std::optional<int> exit_code_;
  int out_fd_ = -1;      // the pipe's read end, capture_stdout only; -1 once it ended
  std::string partial_;  // bytes after the last '\n' read so far
};

}  // namespace zwerm::testing
