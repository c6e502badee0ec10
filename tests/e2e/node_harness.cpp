#include "tests/e2e/node_harness.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

namespace zwerm::testing {

std::string program(const std::string& name) {
  return std::string(ZWERM_BINARY_DIR) + "/bin/" + name;
}

namespace {

// A TCP port on 127.0.0.1 that was free a moment ago (the system picked it).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("cannot find a free port on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

node_harness::node_harness(const std::string& name)
    : dir_("zw-" + name), scratch_("zw-out"), name_(name) {
  // init refuses an existing identity, and mkdtemp made the directory: init into it anyway,
  // since init only needs the identity file to be absent.
  listen_ = "127.0.0.1:" + std::to_string(free_port());
  auto r = run_program({program("zwerm"), "--home", home().string(), "--json", "init", "--name",
                        name, "--listen", listen_},
                       scratch_.path());
  if (r.exit_code != 0) throw std::runtime_error("zwerm init failed: " + r.err);
  member_id_ = nlohmann::json::parse(r.out).at("member_id").get<std::string>();
}

bool node_harness::start(std::string* why) {
  return start(std::vector<std::string>{}, why);
}

bool node_harness::start(const std::vector<std::string>& extra_args, std::string* why) {
  std::vector<std::string> argv{program("zwermd"), "--home", home().string()};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  daemon_ = std::make_unique<child_process>(argv, scratch_.path() / "zwermd.log");
  for (int i = 0; i < 1000; ++i) {
    if (!daemon_->running()) break;
    if (zwerm({"status"}).exit_code == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (why) *why = "zwermd did not come up; its log:\n" + daemon_log();
  return false;
}

std::optional<int> node_harness::stop() {
  if (!daemon_) return std::nullopt;
  daemon_->signal(SIGTERM);
  auto code = daemon_->wait_exit(std::chrono::seconds(10));
  daemon_.reset();
  return code;
}

std::string node_harness::daemon_log() const {
  std::error_code ec;
  if (!std::filesystem::exists(scratch_.path() / "zwermd.log", ec)) return {};
  return read_file(scratch_.path() / "zwermd.log");
}

run_result node_harness::zwerm(const std::vector<std::string>& args, const env_vars& env) const {
  std::vector<std::string> argv{program("zwerm"), "--home", home().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, scratch_.path(), env);
}

nlohmann::json node_harness::zwerm_json(const std::vector<std::string>& args) const {
  std::vector<std::string> with_json{"--json"};
  with_json.insert(with_json.end(), args.begin(), args.end());
  auto r = zwerm(with_json);
  if (r.exit_code != 0) return nullptr;
  return nlohmann::json::parse(r.out, nullptr, false);
}

run_result node_harness::zwermd(const std::vector<std::string>& args, const env_vars& env) const {
  std::vector<std::string> argv{program("zwermd"), "--home", home().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, scratch_.path(), env, std::chrono::seconds(10));
}

bool eventually(const std::function<bool()>& probe, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (probe()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return probe();
}

std::string str(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

std::int64_t records_of(const node_harness& n) {
  auto s = n.zwerm_json({"status"});
  if (!s.is_object() || !s.contains("communities") || s["communities"].empty()) return -1;
  return s["communities"][0].value("records", std::int64_t{-1});
}

}  // namespace zwerm::testing
