// The byte stream a session runs over: a TCP socket in production (tcp_stream), an in-memory
// pipe in tests and simulations (net/memory_stream.hpp).
//
// A stream is an Asio AsyncReadStream and AsyncWriteStream (async_read_some, async_write_some
// with any completion token, so asio::async_read and asio::async_write work on it), plus what a
// session asks of its transport besides bytes: connect (client side), close, half-close, the
// peer's address and the TCP tuning. The templates erase the completion handler
// (asio::any_completion_handler) and call one virtual function per operation; a session reads
// 64 KiB and writes up to 256 KiB per operation, so that costs nothing measurable.
//
// Every member must be called on the stream's executor.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "net/asio.hpp"

namespace zwerm::net {

class stream {
 public:
  using executor_type = asio::any_io_executor;
  using io_handler = asio::any_completion_handler<void(error_code, std::size_t)>;

  // Why a connect failed: the error and the step ("resolving", "connecting to").
  struct connect_failure {
    error_code ec;
    const char* step = "";
  };

  virtual ~stream() = default;

  virtual executor_type get_executor() = 0;

  // Reads into / writes from the first buffer of the sequence (a short read or write, as
  // read_some and write_some may do).
  template <class MutableBufferSequence, class Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        initiate_read{this}, token, first_buffer<asio::mutable_buffer>(buffers));
  }
  template <class ConstBufferSequence, class Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        initiate_write{this}, token, first_buffer<asio::const_buffer>(buffers));
  }

  // Client side: connects to host:port (a TCP stream resolves a name and tries each address).
  // A stream made connected (an accepted socket, one end of a memory pair) succeeds at once.
  // Returns the failure, if any.
  virtual awaitable<connect_failure> connect(std::string host, std::uint16_t port) = 0;
  // Ends the stream both ways now: pending operations fail (operation_aborted), the peer
  // reads the end of the stream (or a reset). Idempotent.
  virtual void close() = 0;
  // Ends the stream as a refusal: a TCP reset (no TIME_WAIT kept); close() elsewhere.
  virtual void reset() { close(); }
  // Ends our sending side: the peer reads what was written, then the end of the stream.
  virtual void shutdown_send() = 0;
  virtual bool is_open() const = 0;
  // The peer's address (a memory stream has one made up by its owner); a default endpoint
  // (port 0) when not connected.
  virtual tcp::endpoint remote_endpoint() const = 0;
  // TCP only (no-ops elsewhere): no Nagle delay, and the kernel's TCP_USER_TIMEOUT (0 leaves
  // the system's default).
  virtual void tune(std::chrono::milliseconds /*user_timeout*/) {}
  // The TCP_USER_TIMEOUT the kernel has; 0 for other streams.
  virtual std::chrono::milliseconds user_timeout() const { return std::chrono::milliseconds(0); }

 protected:
  virtual void start_read_some(asio::mutable_buffer buffer, io_handler handler) = 0;
  virtual void start_write_some(asio::const_buffer buffer, io_handler handler) = 0;

 private:
  template <class Buffer, class Sequence>
  static Buffer first_buffer(const Sequence& buffers) {
    auto it = asio::buffer_sequence_begin(buffers);
    const auto end = asio::buffer_sequence_end(buffers);
    for (; it != end; ++it)
      if (Buffer(*it).size() > 0) return Buffer(*it);
    return Buffer();
  }
  struct initiate_read {
    stream* s;
    template <class Handler>
    void operator()(Handler&& h, asio::mutable_buffer b) const {
      s->start_read_some(b, io_handler(std::forward<Handler>(h)));
    }
  };
  struct initiate_write {
    stream* s;
    template <class Handler>
    void operator()(Handler&& h, asio::const_buffer b) const {
      s->start_write_some(b, io_handler(std::forward<Handler>(h)));
    }
  };
};

// A TCP socket as a stream: the production transport. The socket is open (accepted) or will be
// connected by connect().
class tcp_stream final : public stream {
 public:
  explicit tcp_stream(tcp::socket socket);
  executor_type get_executor() override { return socket_.get_executor(); }
  awaitable<connect_failure> connect(std::string host, std::uint16_t port) override;
  void close() override;
  void reset() override;
  void shutdown_send() override;
  bool is_open() const override { return socket_.is_open(); }
  tcp::endpoint remote_endpoint() const override;
  void tune(std::chrono::milliseconds user_timeout) override;
  std::chrono::milliseconds user_timeout() const override;

 protected:
  void start_read_some(asio::mutable_buffer buffer, io_handler handler) override;
  void start_write_some(asio::const_buffer buffer, io_handler handler) override;

 private:
  tcp::socket socket_;
  tcp::endpoint connected_to_;  // set by connect()
  bool closed_ = false;         // close() was called (a resolve in flight must not connect)
};

}  // namespace zwerm::net
