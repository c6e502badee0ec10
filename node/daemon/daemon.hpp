// zwermd: the member's node as one object. open() performs the start-up steps in order and
// stops at the first that fails; run() serves until SIGINT or SIGTERM and then shuts down in
// order (RPC clients closed, socket file removed, then the parts it owns).
//
// Start-up order: home exists and holds an identity -> config -> logging -> lock (one daemon
// per home) -> identity (passphrase from the launcher) -> local socket. Each failure has its
// own exit code (daemon_exit), so scripts and systemd can tell them apart.
//
// Threads: everything runs on one io_context thread, the one that calls run().
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "node/daemon/config.hpp"

namespace zwerm::node {

// zwermd's exit codes (docs/OPERATIONS.md).
enum daemon_exit : int {
  exit_clean = 0,     // stopped by SIGINT/SIGTERM or `zwerm stop`, or a command that succeeded
  exit_failure = 1,   // a runtime failure (socket, store, network)
  exit_usage = 2,     // bad command line or bad config.json
  exit_busy = 3,      // another zwermd runs on this home
  exit_identity = 4,  // identity.key missing, refused (permissions) or locked (passphrase)
};

// --log-file: the log goes to this file instead of stderr. When a line would take it past
// max_bytes, the file is renamed with a 1 before its extension (zwermd.log to zwermd.1.log,
// zwermd.1.log to zwermd.2.log, ..., the oldest of `keep` dropped) and a new one begun; SIGHUP
// reopens it (after an outside tool moved it away).
struct log_file_options {
  std::filesystem::path path;
  std::size_t max_bytes = std::size_t{10} << 20;  // --log-file-max-bytes, at least 4,096
  std::size_t keep = 3;                           // --log-files: older files kept, 1..100
};

struct daemon_launch {
  std::optional<std::string> home;           // --home, else $ZWERM_HOME, else the XDG default
  std::optional<std::string> passphrase;     // $ZWERM_PASSPHRASE, read (and cleared) by main
  std::optional<log_level> log_override;     // --log-level beats config.json's log_level
  std::optional<host_port> http;             // --http beats config.json's http
  bool http_allow_remote = false;            // --http-allow-remote (or config.json's)
  std::optional<host_port> metrics;          // --metrics beats config.json's metrics
  std::optional<log_file_options> log_file;  // --log-file; else the log goes to stderr
};

class node_daemon {
 public:
  struct failure {
    daemon_exit code = exit_failure;
    std::string message;
  };

  // Runs the start-up steps. On failure nothing is left behind (no socket file, no lock).
  static std::variant<std::unique_ptr<node_daemon>, failure> open(const daemon_launch& launch);

  ~node_daemon();
  node_daemon(const node_daemon&) = delete;
  node_daemon& operator=(const node_daemon&) = delete;

  // Serves until SIGINT/SIGTERM, the `stop` method or stop(); returns the exit code. SIGHUP
  // reloads config.json's log level, reopens the --log-file and goes on.
  int run();
  // Asks run() to shut down; callable from the I/O thread (signal handlers use it).
  void stop();

 private:
  struct parts;
  explicit node_daemon(std::unique_ptr<parts> p);
  void wait_for_signal();
  void reload();
  std::unique_ptr<parts> p_;
};

// Applies a level to the process-wide logger (created on first use, writing to stderr).
void setup_logging(log_level level);
// Sends the process-wide log to `file` from now on (reopening it when it is already the
// destination), or to stderr for nullopt. Safe while other threads log. Errors: io_error
// naming the file (the log then stays where it was).
status set_log_destination(const std::optional<log_file_options>& file);
// The level setup_logging applied last (info before any call).
log_level current_log_level();

}  // namespace zwerm::node
