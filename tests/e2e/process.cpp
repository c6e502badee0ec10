#include "tests/e2e/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "tests/support/temp_dir.hpp"

namespace zwerm::testing {
namespace {

pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& out,
            const std::filesystem::path& err, const env_vars& env,
            std::optional<uid_t> as_uid = std::nullopt) {
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
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on, then exec.
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    int e = out == err ? o : ::open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    int in = ::open("/dev/null", O_RDONLY);
    if (o < 0 || e < 0 || in < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(o, 1);
    ::dup2(e, 2);
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

child_process::~child_process() {
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

}  // namespace zwerm::testing
