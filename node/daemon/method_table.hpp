// The table the RPC server dispatches from: method name -> handler.
//
// Handlers run on the daemon's I/O executor (one thread), one request at a time per client
// connection. A handler is a function returning an awaitable, so that a method may wait for
// the network (join dials peers) without blocking other clients. To stay clear of GCC 12's
// coroutine-lambda trap, a handler is a plain lambda that calls a free coroutine function
// with everything by value; `sync_handler` wraps a synchronous function that way.
//
// A method can be registered as unavailable: it stays listed (so the CLI and `methods` know
// it) and answers not_available with a sentence naming the part this build lacks. No method
// pretends to work.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "node/daemon/rpc_protocol.hpp"
#include "node/rpc_contract/contract.hpp"

namespace zwerm::node::rpc {

using handler = std::function<boost::asio::awaitable<reply>(json params)>;

// Wraps a synchronous function (params are the request's params object).
handler sync_handler(std::function<reply(const json& params)> fn);

struct method {
  std::string name;
  std::string summary;       // one line for people, listed by the `methods` method
  handler call;              // the method; for an unavailable one, an optional params check
  std::string missing_part;  // non-empty when this build cannot serve the method: what is
                             // missing, e.g. "the community library"
  // Non-empty for streaming methods (watch): after an ok reply the connection stays
  // subscribed to this topic and receives its notifications until the client leaves.
  std::string stream_topic;

  bool available() const { return missing_part.empty() && static_cast<bool>(call); }
};

class method_table {
 public:
  void add(std::string name, std::string summary, handler call);
  // A method of the contract, under its name and summary (and its stream topic when it streams).
  void add(const rpc_contract::method_spec& spec, handler call, std::string stream_topic = {});
  void add_stream(std::string name, std::string summary, std::string topic, handler call);
  void add_unavailable(std::string name, std::string summary, std::string missing_part);
  // Unavailable, but the params are checked first (`check` returns ok({}) when they are fine),
  // so that a malformed input is reported as such even in a build that cannot act on it.
  void add_unavailable_checked(std::string name, std::string summary, std::string missing_part,
                               handler check);

  // nullptr when no such method.
  const method* find(std::string_view name) const;
  // In name order.
  std::vector<const method*> all() const;

  // The reply an unavailable method gives.
  static reply unavailable_reply(const method& m);

 private:
  std::map<std::string, method, std::less<>> methods_;
};

}  // namespace zwerm::node::rpc
