// A small HTTP/1.1 server on Boost.Beast for zwermd's read-only pages: the dashboard and the
// metrics endpoint. It owns the transport and the checks every request passes; what a path
// answers is a `route_handler`'s business.
//
// Every request, before its handler sees it:
// - its head must arrive within read_timeout (slow clients are closed) and fit in
//   max_header_bytes (431, then closed); a body is refused (413, closed);
// - only GET and HEAD (405 with Allow);
// - its Host must name this server (request_guard.hpp; 403 otherwise, against DNS rebinding);
// - its target must parse (400 for "..", "%2e%2e", encoded slashes, control bytes).
// Every response carries X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer,
// X-Frame-Options: DENY, Cross-Origin-Resource-Policy: same-origin and Cache-Control:
// no-store, and never any Access-Control-* header; the handler adds Content-Security-Policy.
//
// Connections beyond max_connections are closed as soon as they are accepted, so a flood
// costs an accept and a close each and never starves the daemon's sync.
//
// Threads: everything on the executor given to the constructor (the daemon's I/O thread);
// handlers are called there. stop() closes the listener and every connection.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "base/status.hpp"
#include "node/http/event_hub.hpp"
#include "node/http/options.hpp"
#include "node/http/request_guard.hpp"

namespace zwerm::node::http {

using request = boost::beast::http::request<boost::beast::http::empty_body>;
using response = boost::beast::http::response<boost::beast::http::string_body>;

// What a handler answers: a whole response, or (stream set) the head of an event stream
// followed by the subscriber's events until the client leaves or falls behind.
struct answer {
  response res;
  std::shared_ptr<event_subscriber> stream;
};

// Makes a response with `status`, a content type and a body (Content-Length set).
response make_response(unsigned status, std::string content_type, std::string body);

class route_handler {
 public:
  virtual ~route_handler() = default;
  // Called on the server's executor for a request that passed the checks above.
  virtual boost::asio::awaitable<answer> handle(const request& req, const target& t) = 0;
};

// Counts kept by the server, for the metrics endpoint.
struct server_counters {
  std::uint64_t requests = 0;
  std::map<std::string, std::uint64_t> refusals;  // by reason: "too_many_connections", ...
  std::size_t open_connections = 0;
};

class server {
 public:
  server(boost::asio::any_io_executor ex, server_options options, route_handler& handler);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds and listens. Errors: invalid_argument (not an IP literal, or not loopback without
  // allow_remote), io_error (bind failed: the port in use, ...).
  [[nodiscard]] status start();
  // The port bound (the system's choice when options.port was 0).
  std::uint16_t port() const;
  const server_options& options() const;
  const server_counters& counters() const;
  // Stops accepting and closes every connection. Idempotent.
  void stop();

  struct state;  // shared with the sessions (server.cpp)

 private:
  std::shared_ptr<state> state_;
};

}  // namespace zwerm::node::http
