#include "net/memory_stream.hpp"

#include "net/pending_handlers.hpp"

#include <boost/asio/error.hpp>

#include <algorithm>
#include <cstring>
#include <deque>
#include <optional>

namespace zwerm::net {

namespace {

void post_completion(const asio::any_io_executor& ex, stream::io_handler h, error_code ec,
                     std::size_t n) {
  asio::post(ex, [h = std::move(h), ec, n]() mutable { std::move(h)(ec, n); });
}

}  // namespace

// One direction: bytes written by one end, waiting for the other end's reads.
struct pipe_state {
  std::deque<char> data;
  bool eof = false;            // the writer shut down or closed: after `data`, the end
  bool reader_closed = false;  // the reading end closed: writes fail
  // The pending operations. optional, not bare handlers: Boost 1.81's any_completion_handler
  // move assignment recurses forever; emplace and reset only.
  asio::mutable_buffer read_buffer;
  std::optional<stream::io_handler> read_handler;
  asio::const_buffer write_buffer;
  std::optional<stream::io_handler> write_handler;

  bool read_pending() const { return read_handler.has_value(); }
  bool write_pending() const { return write_handler.has_value(); }
  // Posts the pending read's (write's) completion.
  void end_read(const asio::any_io_executor& ex, error_code ec, std::size_t n) {
    post_completion(ex, std::move(*read_handler), ec, n);
    read_handler.reset();
  }
  void end_write(const asio::any_io_executor& ex, error_code ec, std::size_t n) {
    post_completion(ex, std::move(*write_handler), ec, n);
    write_handler.reset();
  }
};

struct memory_stream::link final : detail::pending_handlers::holder {
  explicit link(asio::any_io_executor ex)
      : executor(std::move(ex)), handlers(&detail::pending_handlers::of(executor)) {
    handlers->add(this);
  }
  ~link() { handlers->remove(this); }
  link(const link&) = delete;
  link& operator=(const link&) = delete;

  void give_up(detail::pending_handlers& into) override {
    for (pipe_state& p : pipes) {
      if (p.read_handler) into.keep(std::move(*p.read_handler));
      if (p.write_handler) into.keep(std::move(*p.write_handler));
      p.read_handler.reset();
      p.write_handler.reset();
    }
  }

  asio::any_io_executor executor;
  detail::pending_handlers* handlers;
  std::size_t capacity = 1;
  bool frozen = false;
  pipe_state pipes[2];  // pipes[i]: written by end i, read by end 1 - i

  // Completes what can complete on `p`, repeatedly (a write makes room for a read and back).
  void service(pipe_state& p) {
    for (bool progress = true; progress;) {
      progress = false;
      if (p.write_pending()) {
        if (p.reader_closed && !frozen) {  // across a partition nobody learns of the close
          p.end_write(executor, asio::error::broken_pipe, 0);
          progress = true;
        } else if (p.data.size() < capacity) {
          const std::size_t n = std::min(p.write_buffer.size(), capacity - p.data.size());
          const char* from = static_cast<const char*>(p.write_buffer.data());
          p.data.insert(p.data.end(), from, from + n);
          p.end_write(executor, {}, n);
          progress = true;
        }
      }
      if (p.read_pending() && !frozen) {
        if (!p.data.empty()) {
          const std::size_t n = std::min(p.read_buffer.size(), p.data.size());
          std::copy_n(p.data.begin(), n, static_cast<char*>(p.read_buffer.data()));
          p.data.erase(p.data.begin(), p.data.begin() + static_cast<std::ptrdiff_t>(n));
          p.end_read(executor, {}, n);
          progress = true;
        } else if (p.eof) {
          p.end_read(executor, asio::error::eof, 0);
          progress = true;
        }
      }
    }
  }
};

std::pair<std::unique_ptr<memory_stream>, std::unique_ptr<memory_stream>> memory_stream::make_pair(
    asio::any_io_executor executor, tcp::endpoint first_address, tcp::endpoint second_address,
    std::size_t capacity) {
  auto l = std::make_shared<link>(executor);
  l->capacity = std::max<std::size_t>(capacity, 1);
  std::unique_ptr<memory_stream> first(new memory_stream(executor, l, 0, second_address));
  std::unique_ptr<memory_stream> second(new memory_stream(executor, l, 1, first_address));
  return {std::move(first), std::move(second)};
}

memory_stream::memory_stream(asio::any_io_executor executor, std::shared_ptr<link> l, int side,
                             tcp::endpoint remote)
    : executor_(std::move(executor)), link_(std::move(l)), side_(side), remote_(remote) {}

memory_stream::~memory_stream() {
  close();
}

awaitable<stream::connect_failure> memory_stream::connect(std::string, std::uint16_t) {
  if (!open_) co_return connect_failure{asio::error::not_connected, "connecting to"};
  co_return connect_failure{};
}

void memory_stream::start_read_some(asio::mutable_buffer buffer, io_handler handler) {
  pipe_state& in = link_->pipes[1 - side_];
  if (!open_) return post_completion(executor_, std::move(handler), asio::error::bad_descriptor, 0);
  if (in.read_pending())
    return post_completion(executor_, std::move(handler), asio::error::in_progress, 0);
  if (buffer.size() == 0) return post_completion(executor_, std::move(handler), {}, 0);
  in.read_buffer = buffer;
  in.read_handler.emplace(std::move(handler));
  link_->service(in);
}

void memory_stream::start_write_some(asio::const_buffer buffer, io_handler handler) {
  pipe_state& out = link_->pipes[side_];
  if (!open_) return post_completion(executor_, std::move(handler), asio::error::bad_descriptor, 0);
  if (out.eof) return post_completion(executor_, std::move(handler), asio::error::shut_down, 0);
  if (out.write_pending())
    return post_completion(executor_, std::move(handler), asio::error::in_progress, 0);
  if (buffer.size() == 0) return post_completion(executor_, std::move(handler), {}, 0);
  out.write_buffer = buffer;
  out.write_handler.emplace(std::move(handler));
  link_->service(out);
}

void memory_stream::close() {
  if (!open_) return;
  open_ = false;
  pipe_state& out = link_->pipes[side_];
  pipe_state& in = link_->pipes[1 - side_];
  if (out.write_pending()) out.end_write(executor_, asio::error::operation_aborted, 0);
  if (in.read_pending()) in.end_read(executor_, asio::error::operation_aborted, 0);
  out.eof = true;
  in.reader_closed = true;
  in.data.clear();
  link_->service(out);
  link_->service(in);
}

void memory_stream::shutdown_send() {
  if (!open_) return;
  pipe_state& out = link_->pipes[side_];
  out.eof = true;
  link_->service(out);
}

void memory_stream::freeze() {
  link_->frozen = true;
}

void memory_stream::thaw() {
  if (!link_->frozen) return;
  link_->frozen = false;
  link_->service(link_->pipes[0]);
  link_->service(link_->pipes[1]);
}

std::size_t memory_stream::unread_by_peer() const {
  return link_->pipes[side_].data.size();
}

}  // namespace zwerm::net
