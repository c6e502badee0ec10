// The victim of bench_hostile: a community of two honest zwermd processes, A and B, on
// 127.0.0.1, made through the CLI (`zwerm init`, `zwerm community create --quorum 1`,
// `zwerm invite`, `zwerm join`), then given a meaningful log written directly into both stores
// while the daemons are stopped (as tests/bench/sync_daemon_bench.cpp fills a store):
//   - `crowd` members, each invited by A by id, joined and left again: a feed of two records
//     each plus A's invite, so A holds crowd + 3 feeds and 3 × crowd + a few records;
//   - `attackers` members who joined and stayed: the keys the hostile clients use when an
//     attack needs a member's standing. The bench holds their secret keys.
// A is the node under attack; B is the honest member whose sync with A must go on.
//
// Every process is a child_process of a node_harness: stopped and reaped by pid.
// Threads: the bench's main thread only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/sign.hpp"
#include "node/records/record.hpp"
#include "tests/e2e/node_harness.hpp"

namespace zwerm::bench::hostile {

using nlohmann::json;

// A broken setup (not a finding): thrown by die(), caught in main, which exits with status 2
// after the stack unwound, so that every daemon's guard has stopped it.
struct setup_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
[[noreturn]] void die(const std::string& why);

// Daemons to stop when the bench is interrupted (SIGINT, SIGTERM, SIGHUP): the handler sends
// each guarded pid SIGTERM and exits. A guard registers a pid for its lifetime.
class pid_guard {
 public:
  explicit pid_guard(pid_t pid);
  ~pid_guard();
  pid_guard(const pid_guard&) = delete;
  pid_guard& operator=(const pid_guard&) = delete;

 private:
  int slot_ = -1;
};
void stop_guarded_on_signals();

// One JSON-RPC connection to a daemon's zwermd.sock (line-delimited JSON-RPC 2.0), opened
// again when the daemon closed it (idle clients are closed after a minute).
class rpc_client {
 public:
  explicit rpc_client(std::filesystem::path socket_path);
  ~rpc_client();
  rpc_client(const rpc_client&) = delete;
  rpc_client& operator=(const rpc_client&) = delete;

  // The whole answer object ({"result": ...} or {"error": ...}); null when the daemon did not
  // answer within `timeout`.
  json call(const std::string& method, const json& params = json::object(),
            std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // call() that dies unless the answer is a result; returns the result.
  json must(const std::string& method, const json& params = json::object());

 private:
  bool open();
  void close();
  std::filesystem::path path_;
  int fd_ = -1;
  int id_ = 0;
  std::string buffer_;
};

struct victim_options {
  std::size_t crowd = 5000;    // members who joined and left (their feeds fill A's log)
  std::size_t attackers = 32;  // members who stay, for the hostile clients
};

class victim {
 public:
  explicit victim(victim_options options);
  ~victim();

  testing::node_harness& a() { return *a_; }
  testing::node_harness& b() { return *b_; }
  pid_t a_pid() { return a_->daemon()->pid(); }
  bool a_running() { return a_->daemon() && a_->daemon()->running(); }
  std::uint16_t a_port() const { return a_port_; }
  const community_id& community() const { return community_; }
  const crypto::network_key& network() const { return network_; }
  const crypto::public_key& a_key() const { return a_key_; }
  // The i-th attacker member (an active member whose secret key the bench holds).
  const crypto::key_pair& member(std::size_t i) const;
  // A member who joined and left again (a crowd member): no standing any more.
  const crypto::public_key& former_member() const { return former_; }
  // A's own records written by the fill (its invites), in seq order: what a member may replay.
  const std::vector<node::record>& a_records() const { return a_records_; }
  std::size_t feeds() const { return feeds_; }
  std::size_t fill_records() const { return fill_records_; }

  rpc_client& rpc_a() { return *rpc_a_; }
  rpc_client& rpc_b() { return *rpc_b_; }

  // Honest sync goes on: A writes a request (RPC `ask`), and B's feed shows it within
  // `within`. The milliseconds it took, or nullopt when B did not show it in time.
  std::optional<double> honest_sync(std::chrono::milliseconds within = std::chrono::seconds(2));
  // A's records of the community (status), -1 when unknown.
  std::int64_t records_on_a();
  // A's resident memory (VmRSS) in KiB.
  std::uint64_t rss_kib();
  // A's CPU time so far, all threads, in seconds (schedstat: nanosecond resolution).
  double cpu_s();

 private:
  void fill();

  victim_options options_;
  std::unique_ptr<testing::node_harness> a_, b_;
  std::unique_ptr<pid_guard> a_guard_, b_guard_;
  std::unique_ptr<rpc_client> rpc_a_, rpc_b_;
  std::uint16_t a_port_ = 0;
  community_id community_;
  crypto::network_key network_;
  crypto::public_key a_key_;
  std::vector<crypto::key_pair> attackers_;
  crypto::public_key former_;
  std::vector<node::record> a_records_;
  std::size_t feeds_ = 0, fill_records_ = 0;
  int honest_count_ = 0;
};

// The process's resident memory (VmRSS) in KiB, 0 when unreadable.
std::uint64_t rss_kib(pid_t pid);
// CPU seconds of every live thread of the process (/proc/PID/task/*/schedstat), falling back
// to utime + stime (/proc/PID/stat, 10 ms ticks) when schedstat is missing.
double cpu_seconds(pid_t pid);

}  // namespace zwerm::bench::hostile
