#include "tests/support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <thread>

#include "tests/support/temp_dir.hpp"

namespace zwerm::testing {
namespace {

// Forks and execs argv with stdin from /dev/null. stdout goes to `out_fd` when it is >= 0
// (the child's copy; the caller closes its own), else it is appended to `out`; stderr is
// appended to `err`.
pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& out,
            const std::filesystem::path& err, const env_vars& env,
            std::optional<uid_t> as_uid = std::nullopt, int out_fd = -1) {
  if (argv.empty()) throw std::invalid_argument("spawn: empty argv");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The child's environment, built before fork: ours, with `env` replacing or adding entries.
  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e) {
    std::string_view entry(*e);
    const auto key = entry.substr(0, entry.find('='));
    if (!env.contains(std::string(key))) env_text.emplace_back(entry);
  }
  for (const auto& [k, v] : env) env_text.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  const bool one_log = out_fd < 0 && out == err;
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on, then exec.
    // The opened descriptors and the pipe are O_CLOEXEC; only their copies on 0-2 survive
    // the exec (dup2 clears the flag on the copy).
    const int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC;
    int o = out_fd >= 0 ? out_fd : ::open(out.c_str(), flags, 0600);
    int e = one_log ? o : ::open(err.c_str(), flags, 0600);
    int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (o < 0 || e < 0 || in < 0) ::_exit(126);
    if (::dup2(in, 0) < 0 || ::dup2(o, 1) < 0 || ::dup2(e, 2) < 0) ::_exit(126);
    for (int fd = 0; fd < 3; ++fd) ::fcntl(fd, F_SETFD, 0);  // also when dup2 had fd == target
    if (as_uid && (::setgid(*as_uid) != 0 || ::setuid(*as_uid) != 0)) ::_exit(125);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace

run_result run_program(const std::vector<std::string>& argv, const std::filesystem::path& scratch,
                       const env_vars& env, std::chrono::milliseconds timeout,
                       std::optional<uid_t> as_uid) {
  static int counter = 0;
  const std::string stem = "run-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
  const auto out = scratch / (stem + ".out");
  const auto err = scratch / (stem + ".err");
  run_result r;
  const pid_t pid = spawn(argv, out, err, env, as_uid);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int wstatus = 0;
  while (true) {
    const pid_t done = ::waitpid(pid, &wstatus, WNOHANG);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &wstatus, 0);
      r.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (!r.timed_out && WIFEXITED(wstatus)) r.exit_code = WEXITSTATUS(wstatus);
  r.out = read_file(out);
  r.err = read_file(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

child_process::child_process(const std::vector<std::string>& argv, const std::filesystem::path& log,
                             const env_vars& env)
    : pid_(spawn(argv, log, log, env)) {}

child_process::child_process(capture_stdout_t, const std::vector<std::string>& argv,
                             const std::filesystem::path& log, const env_vars& env) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  try {
    pid_ = spawn(argv, log, log, env, std::nullopt, p[1]);
  } catch (...) {
    ::close(p[0]);
    ::close(p[1]);
    throw;
  }
  ::close(p[1]);
  out_fd_ = p[0];
}

child_process::~child_process() {
  // The read end goes first: a child still writing gets EPIPE instead of blocking on a full
  // pipe while it is asked to stop.
  if (out_fd_ >= 0) ::close(out_fd_);
  if (reaped_ || pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  if (!wait_exit(std::chrono::seconds(3)) && !reaped_) {
    ::kill(pid_, SIGKILL);
    int wstatus = 0;
    ::waitpid(pid_, &wstatus, 0);
    reaped_ = true;
  }
}

bool child_process::running() {
  if (reaped_) return false;
  int wstatus = 0;
  if (::waitpid(pid_, &wstatus, WNOHANG) == pid_) {
    reaped_ = true;
    if (WIFEXITED(wstatus)) exit_code_ = WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus)) term_signal_ = WTERMSIG(wstatus);
    return false;
  }
  return true;
}

void child_process::signal(int signo) {
  if (!reaped_) ::kill(pid_, signo);
}

std::optional<int> child_process::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_code_;
}

int child_process::read_lines(std::vector<std::string>* out, int max_lines,
                              std::chrono::milliseconds budget) {
  const auto deadline = std::chrono::steady_clock::now() + budget;
  int got = 0;
  for (;;) {
    // Complete lines already buffered go out first, at most max_lines of them.
    std::size_t at = 0;
    for (std::size_t nl; got < max_lines && (nl = partial_.find('\n', at)) != std::string::npos;
         at = nl + 1) {
      out->push_back(partial_.substr(at, nl - at));
      ++got;
    }
    partial_.erase(0, at);
    if (got >= max_lines || out_fd_ < 0) return got;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return got;
    pollfd pfd{out_fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return got;
    char buf[65536];
    const ssize_t n = ::read(out_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {  // every writer is gone (or the pipe broke): the output ended
      ::close(out_fd_);
      out_fd_ = -1;
      continue;
    }
    partial_.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace zwerm::testing
