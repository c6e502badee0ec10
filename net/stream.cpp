#include "net/stream.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <utility>
#include <vector>

namespace zwerm::net {

tcp_stream::tcp_stream(tcp::socket socket) : socket_(std::move(socket)) {}

awaitable<stream::connect_failure> tcp_stream::connect(std::string host, std::uint16_t port) {
  // A literal address needs no resolver (whose background thread and descriptors a node
  // that dials by address never has to start).
  std::vector<tcp::endpoint> endpoints;
  error_code aec;
  const auto literal = asio::ip::make_address(host, aec);
  if (!aec) {
    endpoints.emplace_back(literal, port);
  } else {
    tcp::resolver resolver(socket_.get_executor());
    auto [rec, results] = co_await resolver.async_resolve(host, std::to_string(port), use_nothrow);
    if (closed_) co_return connect_failure{asio::error::operation_aborted, "resolving"};
    if (rec) co_return connect_failure{rec, "resolving"};
    for (const auto& r : results) endpoints.push_back(r.endpoint());
  }
  auto [cec, endpoint] = co_await asio::async_connect(socket_, endpoints, use_nothrow);
  if (cec) co_return connect_failure{cec, "connecting to"};
  connected_to_ = endpoint;
  co_return connect_failure{};
}

void tcp_stream::close() {
  closed_ = true;
  error_code ignored;
  socket_.close(ignored);
}

void tcp_stream::reset() {
  error_code ignored;
  socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  close();
}

void tcp_stream::shutdown_send() {
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
}

tcp::endpoint tcp_stream::remote_endpoint() const {
  if (connected_to_.port() != 0) return connected_to_;
  error_code ec;
  auto e = socket_.remote_endpoint(ec);
  return ec ? tcp::endpoint() : e;
}

// TCP_USER_TIMEOUT (session_options::tcp_user_timeout); 0 leaves the system's default. A
// failure only leaves the default too: the session works, it notices a dead link later.
void tcp_stream::tune(std::chrono::milliseconds user_timeout) {
  error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  if (user_timeout.count() <= 0) return;
  const unsigned int ms = static_cast<unsigned int>(user_timeout.count());
  ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof ms);
}

std::chrono::milliseconds tcp_stream::user_timeout() const {
  unsigned int ms = 0;
  socklen_t len = sizeof ms;
  if (::getsockopt(const_cast<tcp::socket&>(socket_).native_handle(), IPPROTO_TCP, TCP_USER_TIMEOUT,
                   &ms, &len) != 0) {
    return std::chrono::milliseconds(0);
  }
  return std::chrono::milliseconds(ms);
}

void tcp_stream::start_read_some(asio::mutable_buffer buffer, io_handler handler) {
  socket_.async_read_some(buffer, std::move(handler));
}

void tcp_stream::start_write_some(asio::const_buffer buffer, io_handler handler) {
  socket_.async_write_some(buffer, std::move(handler));
}

}  // namespace zwerm::net
