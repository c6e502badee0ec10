#include "tests/e2e/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace zwerm::testing {

http_socket::http_socket(std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

http_socket::~http_socket() {
  if (fd_ >= 0) ::close(fd_);
}

bool http_socket::send(const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

namespace {

// One read within `timeout`: bytes appended, 0 on close (or error), -1 on timeout.
int read_some(int fd, std::string* out, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (ready == 0) return -1;
  char buf[16384];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n <= 0) return 0;
  out->append(buf, static_cast<std::size_t>(n));
  return static_cast<int>(n);
}

using clock_type = std::chrono::steady_clock;

std::chrono::milliseconds left(clock_type::time_point deadline) {
  return std::max(
      std::chrono::milliseconds(0),
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()));
}

}  // namespace

std::string http_socket::read_until_close(std::chrono::milliseconds timeout, bool* closed) {
  const auto deadline = clock_type::now() + timeout;
  std::string out = std::move(pending_);
  pending_.clear();
  *closed = false;
  while (true) {
    // One look even when the time is up: poll with 0 reports a close that already happened.
    const int n = read_some(fd_, &out, left(deadline));
    if (n == 0) {
      *closed = true;
      break;
    }
    if (n < 0) break;
  }
  return out;
}

http_reply http_socket::read_reply(std::chrono::milliseconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  std::string raw = std::move(pending_);
  pending_.clear();
  bool closed = false;
  while (true) {
    const auto head_end = raw.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      http_reply r = parse_reply(raw.substr(0, head_end + 4));
      std::size_t length = 0;
      if (auto it = r.headers.find("content-length"); it != r.headers.end()) {
        length = std::stoul(it->second);
      }
      if (raw.size() >= head_end + 4 + length) {
        r.body = raw.substr(head_end + 4, length);
        pending_ = raw.substr(head_end + 4 + length);
        r.closed = closed;
        return r;
      }
    }
    if (closed || left(deadline).count() == 0) break;
    const int n = read_some(fd_, &raw, left(deadline));
    if (n == 0) closed = true;
    if (n < 0) break;
  }
  http_reply r = parse_reply(raw);
  r.closed = closed;
  return r;
}

bool http_socket::closed_within(std::chrono::milliseconds timeout) {
  bool closed = false;
  pending_ += read_until_close(timeout, &closed);
  return closed;
}

http_reply parse_reply(const std::string& raw) {
  http_reply r;
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || raw.size() < 12) return r;
  r.status = std::stoi(raw.substr(9, 3));
  const auto head_end = raw.find("\r\n\r\n");
  const std::string head = raw.substr(0, head_end);
  std::size_t line = head.find("\r\n");
  while (line != std::string::npos) {
    const std::size_t next = head.find("\r\n", line + 2);
    const std::string h =
        head.substr(line + 2, next == std::string::npos ? std::string::npos : next - line - 2);
    const auto colon = h.find(':');
    if (colon != std::string::npos) {
      std::string name = h.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = h.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers[name] = value;
    }
    line = next;
  }
  if (head_end != std::string::npos) r.body = raw.substr(head_end + 4);
  return r;
}

http_reply http_get(std::uint16_t port, const std::string& target, const std::string& cookie,
                    const std::string& method, const std::string& host) {
  http_socket s(port);
  if (!s.connected()) return {};
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: " +
                    (host.empty() ? "127.0.0.1:" + std::to_string(port) : host) +
                    "\r\nConnection: close\r\n";
  if (!cookie.empty()) req += "Cookie: " + cookie + "\r\n";
  req += "\r\n";
  if (!s.send(req)) return {};
  return s.read_reply(std::chrono::seconds(10));
}

}  // namespace zwerm::testing
