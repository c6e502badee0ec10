#include "tests/bench/hostile/wire_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <span>

namespace zwerm::bench::hostile {
namespace {

// Message lengths travel as be32 (PROTOCOL.md §4.3.1).
std::uint32_t be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t{u[0]} << 24) | (std::uint32_t{u[1]} << 16) | (std::uint32_t{u[2]} << 8) |
         std::uint32_t{u[3]};
}

template <std::size_t N>
std::string_view as_view(const std::array<std::uint8_t, N>& a) {
  return {reinterpret_cast<const char*>(a.data()), N};
}

std::span<const std::uint8_t> as_span(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

int remaining_ms(clock_type::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - clock_type::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

}  // namespace

const char* to_string(ending e) {
  switch (e) {
    case ending::open:
      return "open";
    case ending::goodbye:
      return "goodbye";
    case ending::eof:
      return "EOF";
    case ending::reset:
      return "reset";
  }
  return "?";
}

const char* to_string(handshake_outcome o) {
  switch (o) {
    case handshake_outcome::open:
      return "open";
    case handshake_outcome::no_connect:
      return "no TCP connection";
    case handshake_outcome::closed_at_once:
      return "closed before msg2";
    case handshake_outcome::no_msg4:
      return "closed after msg3 (no msg4)";
    case handshake_outcome::bad_server:
      return "server proof failed";
    case handshake_outcome::timeout:
      return "handshake timed out";
  }
  return "?";
}

std::string frame_message(std::string_view payload) {
  std::string out;
  out.reserve(4 + payload.size());
  const auto n = static_cast<std::uint32_t>(payload.size());
  out.push_back(static_cast<char>(n >> 24));
  out.push_back(static_cast<char>(n >> 16));
  out.push_back(static_cast<char>(n >> 8));
  out.push_back(static_cast<char>(n));
  out.append(payload);
  return out;
}

wire_client::wire_client(std::string source) : source_(std::move(source)) {}

wire_client::~wire_client() {
  if (fd_ >= 0) ::close(fd_);
}

bool wire_client::connect(const std::string& host, std::uint16_t port, milliseconds timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return false;
  // Many connections from one source address: the port is picked at connect time, by the
  // whole 4-tuple, not at bind time.
  int one = 1;
  ::setsockopt(fd_, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  if (::inet_pton(AF_INET, source_.c_str(), &local.sin_addr) != 1) return false;
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) return false;
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &remote.sin_addr) != 1) return false;
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&remote), sizeof remote) != 0 &&
      errno != EINPROGRESS) {
    return false;
  }
  pollfd p{fd_, POLLOUT, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
  return err == 0;
}

std::optional<std::string> wire_client::read_exact(std::size_t n, clock_type::time_point deadline) {
  while (raw_.size() < n) {
    if (is_ended()) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, remaining_ms(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    read_available();
  }
  std::string out = raw_.substr(0, n);
  raw_.erase(0, n);
  return out;
}

handshake_outcome wire_client::handshake(const crypto::network_key& network,
                                         const crypto::key_pair& me,
                                         const crypto::public_key& server, milliseconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  crypto::shs_client shs(network, me, server);
  if (!write_all(as_view(shs.hello()), timeout)) return handshake_outcome::closed_at_once;
  auto msg2 = read_exact(crypto::shs_msg2_size, deadline);
  if (!msg2) {
    return is_ended() ? handshake_outcome::closed_at_once : handshake_outcome::timeout;
  }
  if (!shs.read_server_hello(as_span(*msg2))) return handshake_outcome::bad_server;
  if (!write_all(as_view(shs.auth()), timeout)) return handshake_outcome::no_msg4;
  auto msg4 = read_exact(crypto::shs_msg4_size, deadline);
  if (!msg4) return is_ended() ? handshake_outcome::no_msg4 : handshake_outcome::timeout;
  if (!shs.read_server_accept(as_span(*msg4))) return handshake_outcome::bad_server;
  const crypto::shs_session_keys keys = shs.session_keys();
  sealer_.emplace(keys.encrypt_key, keys.encrypt_nonce);
  opener_.emplace(keys.decrypt_key, keys.decrypt_nonce);
  handshake_done_ = true;
  // Bytes that arrived behind msg4 belong to the box-stream.
  wire_in_ += raw_.size();
  process_frames();
  return handshake_outcome::open;
}

handshake_outcome wire_client::dial(const std::string& host, std::uint16_t port,
                                    const crypto::network_key& network, const crypto::key_pair& me,
                                    const crypto::public_key& server, milliseconds timeout) {
  if (!connect(host, port, timeout)) return handshake_outcome::no_connect;
  return handshake(network, me, server, timeout);
}

bool wire_client::admit(std::string_view token) {
  std::string m(1, '\x01');
  m.append(token);
  return send(m);
}

bool wire_client::send(std::string_view payload) {
  return send_packed({std::string(payload)});
}

bool wire_client::send_packed(const std::vector<std::string>& payloads) {
  if (!sealer_ || is_ended()) return false;
  std::string plain;
  for (const auto& p : payloads) plain += frame_message(p);
  if (plain.empty()) return true;  // nothing to send (an empty list)
  std::string wire;
  sealer_->seal(plain, wire);
  return write_all(wire, milliseconds(10'000));
}

void wire_client::goodbye() {
  if (!sealer_ || is_ended()) return;
  std::string wire;
  sealer_->goodbye(wire);
  write_all(wire, milliseconds(1000));
  ::shutdown(fd_, SHUT_WR);
}

bool wire_client::send_raw(std::string_view bytes) {
  return write_all(bytes, milliseconds(2000));
}

bool wire_client::write_all(std::string_view bytes, milliseconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    if (is_ended()) return false;
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      if (handshake_done_) wire_out_ += static_cast<std::uint64_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      end(ending::reset);
      return false;
    }
    // The socket is full: read meanwhile, so a server that writes to us is never stuck.
    pollfd p{fd_, POLLIN | POLLOUT, 0};
    const int ready = ::poll(&p, 1, remaining_ms(deadline));
    if (ready == 0 && clock_type::now() >= deadline) return false;
    if (ready > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR))) read_available();
  }
  return true;
}

bool wire_client::read_available() {
  bool got = false;
  for (;;) {
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      if (handshake_done_) wire_in_ += static_cast<std::uint64_t>(n);
      raw_.append(buf, static_cast<std::size_t>(n));
      got = true;
      continue;
    }
    if (n == 0) {
      if (handshake_done_) process_frames();
      end(opener_ && opener_->ended() ? ending::goodbye : ending::eof);
      return got;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    if (handshake_done_) process_frames();
    end(ending::reset);
    return got;
  }
  if (handshake_done_) process_frames();
  return got;
}

void wire_client::process_frames() {
  std::size_t at = 0;
  while (opener_ && !opener_->ended() && !stream_failed_) {
    if (body_pending_ == 0) {
      if (raw_.size() - at < crypto::box_header_size) break;
      std::size_t len = 0;
      const auto h =
          opener_->open_header(std::string_view(raw_).substr(at, crypto::box_header_size), &len);
      at += crypto::box_header_size;
      if (h == crypto::box_stream_opener::header_result::goodbye) break;
      if (h == crypto::box_stream_opener::header_result::bad) {
        stream_failed_ = true;
        break;
      }
      body_pending_ = len;
    }
    if (raw_.size() - at < body_pending_) break;
    if (!opener_->open_body(std::string_view(raw_).substr(at, body_pending_), plain_)) {
      stream_failed_ = true;
      break;
    }
    at += body_pending_;
    body_pending_ = 0;
  }
  raw_.erase(0, at);
  std::size_t p = 0;
  while (plain_.size() - p >= 4) {
    const std::uint32_t len = be32(plain_.data() + p);
    if (plain_.size() - p - 4 < len) break;
    if (len > 0) {
      inbox_.push_back(plain_.substr(p + 4, len));
      ++messages_in_;
    }
    p += 4 + len;
  }
  plain_.erase(0, p);
}

void wire_client::end(ending how) {
  if (is_ended()) return;
  ending_ = how;
  ended_at_ = clock_type::now();
}

bool wire_client::pump(milliseconds wait) {
  if (is_ended() || fd_ < 0) return false;
  pollfd p{fd_, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(wait.count()));
  if (ready <= 0) return false;
  read_available();
  return true;
}

std::optional<std::string> wire_client::next(milliseconds budget) {
  const auto deadline = clock_type::now() + budget;
  while (inbox_.empty() && !is_ended()) {
    const int left = remaining_ms(deadline);
    if (left == 0) break;
    pump(milliseconds(left));
  }
  if (inbox_.empty()) return std::nullopt;
  std::string m = std::move(inbox_.front());
  inbox_.pop_front();
  return m;
}

void wire_client::drain(milliseconds quiet, milliseconds budget, std::vector<std::string>* out) {
  const auto deadline = clock_type::now() + budget;
  for (;;) {
    while (!inbox_.empty()) {
      if (out) out->push_back(std::move(inbox_.front()));
      inbox_.pop_front();
    }
    if (is_ended()) return;
    const int left = remaining_ms(deadline);
    if (left == 0) return;
    if (!pump(std::min(quiet, milliseconds(left)))) return;
  }
}

bool wire_client::wait_end(milliseconds budget, std::vector<std::string>* out) {
  const auto deadline = clock_type::now() + budget;
  for (;;) {
    while (!inbox_.empty()) {
      if (out) out->push_back(std::move(inbox_.front()));
      inbox_.pop_front();
    }
    if (is_ended()) return true;
    const int left = remaining_ms(deadline);
    if (left == 0) return false;
    pump(milliseconds(left));
  }
}

bool looks_banned(const std::string& source, const std::string& host, std::uint16_t port,
                  const crypto::network_key& network, const crypto::public_key& server) {
  wire_client c(source);
  if (!c.connect(host, port, milliseconds(1000))) return true;  // reset during the connect
  // Any key will do: msg2 comes before the server knows who we are.
  const crypto::key_pair someone = crypto::generate_key_pair();
  crypto::shs_client shs(network, someone, server);
  if (!c.send_raw(as_view(shs.hello()))) return true;
  // An unbanned server answers msg1 with msg2 at once; a banned one reset us at accept.
  std::vector<std::string> ignored;
  c.wait_end(milliseconds(300), &ignored);
  return c.is_ended();
}

}  // namespace zwerm::bench::hostile
