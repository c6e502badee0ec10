// The JSON-RPC server on the daemon's Unix socket.
//
// One coroutine accepts; each client connection is a session with a reader coroutine (reads a
// line, dispatches it through the method table, queues the response) and a writer coroutine
// (drains a bounded queue; a timer wakes it). Everything runs on the acceptor's executor, the
// daemon's single I/O thread; no locks.
//
// Limits (rpc_server_options): a line longer than max_line_bytes is answered with an
// invalid_request error and the connection is closed (the stream cannot be resynchronised); a
// line nested deeper than rpc::max_request_depth is answered with an invalid_request error and
// the connection stays; a client whose queue of unsent lines exceeds max_queue (a `watch` client
// that stopped reading) is disconnected.
//
// Idle clients never lock others out. A client is idle when it has no call in progress (join may
// take a minute), no `watch` subscription, and has sent no line since its last call ended (or
// since it connected). An idle client is closed after idle_timeout. When max_clients are
// connected, a newcomer takes the place of the client idle the longest; only when none is idle
// (all are in a call or watching) does the newcomer get a refused error line and is closed. A
// closed idle client is sent one refused error line first when that can be done without waiting.
// Refusals are logged at most once per refusal_log_period, with a count of those left out.
//
// Ownership: the server owns its sessions' shared state; sessions keep it alive until their
// coroutines finish, so stop() may be called while requests are in flight. The method table
// must outlive the io_context run (the daemon owns both).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>

#include "node/daemon/local_socket.hpp"
#include "node/daemon/method_table.hpp"

namespace zwerm::node {

struct rpc_server_options {
  // Client connections at once (config limits.max_rpc_clients). A newcomer beyond it takes the
  // place of the longest-idle client, or is refused when every client is busy. Default 32.
  std::size_t max_clients = 32;
  // Longest request line in bytes, without the '\n' (config limits.max_rpc_line_bytes).
  // Default 1 MiB.
  std::size_t max_line_bytes = 1u << 20;
  // Lines queued for one client before it counts as stuck and is disconnected (config
  // limits.max_watch_queue). Default 1024.
  std::size_t max_queue = 1024;
  // How long a client may stay idle (no call in progress, no subscription, no line sent) before
  // it is closed. Zero or less: never closed for idleness (still replaceable when the server is
  // full). Default 60 s.
  std::chrono::milliseconds idle_timeout{60'000};
  // At most one log line per period about refused clients; the next one says how many were
  // left out. Default 10 s.
  std::chrono::milliseconds refusal_log_period{10'000};
  // Called after every call of a method that exists, with its name and how long the answer
  // took (the metrics' latency histogram). Default: none.
  std::function<void(std::string_view method, std::chrono::nanoseconds took)> on_call;
};

class rpc_server {
 public:
  // `acceptor` is bound and listening (bind_private_socket); `socket_path` is removed by stop().
  rpc_server(local_acceptor acceptor, std::filesystem::path socket_path,
             const rpc::method_table& table, rpc_server_options options);
  ~rpc_server();
  rpc_server(const rpc_server&) = delete;
  rpc_server& operator=(const rpc_server&) = delete;

  // Starts accepting. Call once.
  void start();
  // Stops accepting, closes every client connection and removes the socket file. Idempotent.
  void stop();

  // Sends the notification {"method": method, "params": params} to every client subscribed to
  // `topic` (by a streaming method such as watch) whose subscription params pass `want`
  // (all of them when `want` is empty).
  void publish(std::string_view topic, std::string_view method, const rpc::json& params,
               const std::function<bool(const rpc::json& subscription_params)>& want = {});
  // True when some open client is subscribed to `topic`: lets a publisher skip building
  // notifications nobody would receive.
  bool has_subscribers(std::string_view topic) const;

  // Open client connections.
  std::size_t client_count() const;

  struct state;  // shared with the sessions (rpc_server.cpp)

 private:
  std::shared_ptr<state> state_;
};

}  // namespace zwerm::node
