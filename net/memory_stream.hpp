// Two connected in-memory streams: what one end writes, the other reads, in order, as over a
// TCP connection, with no socket, thread or clock. Completions are posted to the executor the
// pair was made with, in the order the events happen, so a single-threaded io_context run with
// poll() (and sessions on a virtual_clock, net/virtual_time.hpp) runs deterministically.
//
// Each direction holds at most `capacity` bytes written and not yet read (the two socket
// buffers of a TCP connection); a write waits, partly done, while it is full. Faults a test
// or a simulation can cause: freeze() (a partition: nothing written arrives, writes fill the
// buffer and then wait, until thaw()), close() and shutdown_send() of either end as on a
// socket, and writing any bytes at all into one end (garbage for the other).
//
// Every member must be called on the pair's executor.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "net/stream.hpp"

namespace zwerm::net {

class memory_stream final : public stream {
 public:
  static constexpr std::size_t default_capacity = 256 * 1024;

  // Two ends connected to each other. `first_address` is the first end's own address (the
  // second end's remote endpoint) and `second_address` the second's.
  static std::pair<std::unique_ptr<memory_stream>, std::unique_ptr<memory_stream>> make_pair(
      asio::any_io_executor executor, tcp::endpoint first_address, tcp::endpoint second_address,
      std::size_t capacity = default_capacity);

  ~memory_stream() override;

  executor_type get_executor() override { return executor_; }
  // Already connected: succeeds at once (fails with not_connected after close()).
  awaitable<connect_failure> connect(std::string host, std::uint16_t port) override;
  // Pending operations of this end fail with operation_aborted; the peer reads what was
  // written, then the end of the stream; its writes fail with broken_pipe.
  void close() override;
  void shutdown_send() override;
  bool is_open() const override { return open_; }
  tcp::endpoint remote_endpoint() const override { return open_ ? remote_ : tcp::endpoint(); }

  // A partition of the link (both directions, whichever end is called): reads get nothing,
  // writes fill the buffer and then wait. thaw() delivers what waited.
  void freeze();
  void thaw();
  // Bytes written by this end that the peer has not read yet.
  std::size_t unread_by_peer() const;

 protected:
  void start_read_some(asio::mutable_buffer buffer, io_handler handler) override;
  void start_write_some(asio::const_buffer buffer, io_handler handler) override;

 private:
  struct link;
  memory_stream(asio::any_io_executor executor, std::shared_ptr<link> l, int side,
                tcp::endpoint remote);

  asio::any_io_executor executor_;
  std::shared_ptr<link> link_;
  int side_;  // 0 or 1: this end writes into pipe side_ and reads from pipe 1 - side_
  tcp::endpoint remote_;
  bool open_ = true;
};

}  // namespace zwerm::net
