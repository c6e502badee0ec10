// One member for end-to-end tests: a temp home made by `zwerm init`, a zwermd on it (listening
// on 127.0.0.1, port chosen by the system), and `zwerm ... --home HOME` invocations. The
// daemon is a child_process, so it is stopped and reaped by pid when the harness goes away.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::testing {

// <build>/bin/<name>: where CMake puts zwerm and zwermd.
std::string program(const std::string& name);

class node_harness {
 public:
  // Makes the home (zwerm init --name NAME --listen 127.0.0.1:PORT, PORT free when asked).
  // Throws when init fails.
  explicit node_harness(const std::string& name);

  const std::filesystem::path& home() const { return dir_.path(); }
  const std::string& member_id() const { return member_id_; }
  const std::string& name() const { return name_; }
  const std::string& listen() const { return listen_; }

  // Starts zwermd and waits (up to 10 s) until `zwerm status` answers. Returns false, with the
  // daemon's log in *why, when it does not.
  bool start(std::string* why = nullptr);
  // The same with more zwermd arguments (e.g. {"--http", "127.0.0.1:0"}).
  bool start(const std::vector<std::string>& extra_args, std::string* why = nullptr);
  // SIGTERM and wait; the daemon's exit code (nullopt if it had to be killed).
  std::optional<int> stop();
  child_process* daemon() { return daemon_.get(); }
  // What zwermd wrote to stderr so far.
  std::string daemon_log() const;

  // zwerm --home HOME args...
  run_result zwerm(const std::vector<std::string>& args, const env_vars& env = {}) const;
  // zwerm --home HOME --json args...; the parsed output, or null when it did not exit 0.
  nlohmann::json zwerm_json(const std::vector<std::string>& args) const;
  // zwermd --home HOME args... to completion (for refusal tests).
  run_result zwermd(const std::vector<std::string>& args, const env_vars& env = {}) const;

 private:
  temp_dir dir_;
  temp_dir scratch_;
  std::string name_;
  std::string member_id_;
  std::string listen_;
  std::unique_ptr<child_process> daemon_;
};

// Polls `probe` every 50 ms until it returns true or `timeout` passes; then asks once more.
bool eventually(const std::function<bool()>& probe,
                std::chrono::milliseconds timeout = std::chrono::seconds(20));

// j[key] when it is a string, else "".
std::string str(const nlohmann::json& j, const char* key);

// Records the node holds of its (only) community, from `status`; -1 when it holds none or
// does not answer.
std::int64_t records_of(const node_harness& n);

}  // namespace zwerm::testing
