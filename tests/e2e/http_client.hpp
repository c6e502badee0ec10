// A deliberately plain HTTP/1.1 client for end-to-end tests of zwermd's web servers: blocking
// POSIX sockets on 127.0.0.1, raw bytes out, raw bytes in, so that tests can send what no
// library would (oversize heads, slow heads, bad paths, wrong Host).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace zwerm::testing {

struct http_reply {
  int status = 0;                              // 0 when no status line arrived
  std::map<std::string, std::string> headers;  // names lower-cased; a repeated one: the last
  std::string body;
  bool closed = false;  // the server closed the connection after it
};

// A connected socket to 127.0.0.1:port; closed by the destructor.
class http_socket {
 public:
  explicit http_socket(std::uint16_t port);
  ~http_socket();
  http_socket(const http_socket&) = delete;
  http_socket& operator=(const http_socket&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends all of `bytes`; false when the connection broke.
  bool send(const std::string& bytes);
  // Reads until the server closes or `timeout` passes; what arrived.
  std::string read_until_close(std::chrono::milliseconds timeout, bool* closed);
  // Reads one response (head and Content-Length body), or what arrived by `timeout`.
  http_reply read_reply(std::chrono::milliseconds timeout);
  // True when the server has closed its side (a read returns 0 or an error) within `timeout`.
  bool closed_within(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string pending_;
};

// GET (or `method`) `target` with Host 127.0.0.1:port and an optional cookie; one exchange on
// a fresh connection.
http_reply http_get(std::uint16_t port, const std::string& target, const std::string& cookie = "",
                    const std::string& method = "GET", const std::string& host = "");

// Parses "HTTP/1.1 200 OK\r\n...\r\n\r\nbody" (body: the rest).
http_reply parse_reply(const std::string& raw);

}  // namespace zwerm::testing
