// The options of zwermd's HTTP servers (the dashboard and the metrics endpoint). Plain values;
// node/daemon fills them from config.json and the command line.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace zwerm::node::http {

struct server_options {
  // The address to listen on: an IP address literal ("127.0.0.1", "::1", "0.0.0.0"). A name
  // is refused: the Host header check compares against what the server is bound to.
  // Default 127.0.0.1.
  std::string host = "127.0.0.1";
  // The TCP port; 0 lets the system pick one (tests). Default 7480.
  std::uint16_t port = 7480;
  // false: only a loopback address may be bound (127.0.0.0/8, ::1). true: any address; the
  // daemon logs a warning. Default false.
  bool allow_remote = false;
  // Connections open at once; a connection beyond it is closed as soon as it is accepted.
  // Default 64.
  std::size_t max_connections = 64;
  // Longest request head (request line and headers) in bytes; a longer one is answered 431
  // and the connection closed. Default 8 KiB.
  std::size_t max_header_bytes = 8 * 1024;
  // Time a client has to send a whole request head, and the longest a kept-alive connection
  // may stay silent between requests; then it is closed. Default 5 s.
  std::chrono::milliseconds read_timeout{5'000};
  // Time a response (or one event of a stream) may take to be written before the connection
  // is closed as a slow reader. Default 10 s.
  std::chrono::milliseconds write_timeout{10'000};
};

}  // namespace zwerm::node::http
