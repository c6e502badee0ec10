// The CLI's side of <home>/zwermd.sock: connect, send one JSON-RPC request per line, read the
// response; for `watch`, keep reading notifications.
//
// Blocking calls with a deadline: each call runs a private io_context for at most `timeout`.
// Errors are values (call_error), never exceptions, so the caller can pick the exit code:
//   no_node  -> nobody answers on the socket (missing file, or a stale one): exit 3
//   rpc      -> the node answered with a JSON-RPC error (code + sentence): exit 1 or 2
//   transport-> the socket broke, the answer was not JSON, or the deadline passed: exit 1
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

namespace zwerm::cli {

using json = nlohmann::json;

struct call_error {
  enum kind_t { no_node, rpc, transport } kind = transport;
  int rpc_code = 0;     // for kind == rpc
  std::string message;  // a sentence for people
  json data;            // for kind == rpc: the error's data, when the node sent some
};

template <class T>
using call_result = std::variant<T, call_error>;

class rpc_client {
 public:
  // Connects to the socket. A missing socket or one nobody accepts on is no_node; a socket
  // this account may not open is transport (with the reason).
  static call_result<std::unique_ptr<rpc_client>> connect(const std::filesystem::path& socket);

  ~rpc_client();
  rpc_client(const rpc_client&) = delete;
  rpc_client& operator=(const rpc_client&) = delete;

  // Sends {method, params} and waits for the response with the same id.
  call_result<json> call(std::string_view method, const json& params,
                         std::chrono::milliseconds timeout);

  // Reads notification lines until the node closes the connection or `on_notification`
  // returns false. Returns an error only when the connection broke abnormally.
  std::optional<call_error> read_notifications(
      const std::function<bool(const std::string& method, const json& params)>& on_notification);

  struct impl;

 private:
  explicit rpc_client(std::unique_ptr<impl> p);
  std::unique_ptr<impl> p_;
};

}  // namespace zwerm::cli
