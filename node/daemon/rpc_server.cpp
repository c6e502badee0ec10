#include "node/daemon/rpc_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <deque>
#include <exception>
#include <map>
#include <string>
#include <vector>

#include "net/log_throttle.hpp"

namespace zwerm::node {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using local_socket = asio::local::stream_protocol::socket;
using steady_clock = std::chrono::steady_clock;

namespace {

class rpc_session;

// Completion handler for co_spawn: a coroutine that escapes with an exception is a bug; log it
// rather than lose it.
void log_exception(const char* what, std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("rpc: {} ended with an exception: {}", what, ex.what());
  }
}

// The one place that decides which socket errors are normal ends of a conversation.
bool benign(const boost::system::error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::bad_descriptor;
}

}  // namespace

struct rpc_server::state {
  state(local_acceptor a, std::filesystem::path p, const rpc::method_table& t, rpc_server_options o)
      : acceptor(std::move(a)),
        socket_path(std::move(p)),
        table(t),
        options(o),
        refusal_log(o.refusal_log_period) {}

  local_acceptor acceptor;
  std::filesystem::path socket_path;
  const rpc::method_table& table;
  rpc_server_options options;
  std::vector<std::weak_ptr<rpc_session>> sessions;
  // A script that keeps connecting while every client is busy must not flood the log.
  net::log_throttle refusal_log;
  bool stopped = false;

  void forget_dead_sessions();
};

namespace {

class rpc_session : public std::enable_shared_from_this<rpc_session> {
 public:
  rpc_session(local_socket socket, std::shared_ptr<rpc_server::state> server)
      : socket_(std::move(socket)),
        wake_(socket_.get_executor(), asio::steady_timer::time_point::max()),
        idle_timer_(socket_.get_executor()),
        server_(std::move(server)),
        idle_since_(steady_clock::now()) {}

  // Starts the reader, the writer and, with an idle timeout, the idle watchdog.
  void start() {
    auto exec = socket_.get_executor();
    asio::co_spawn(
        exec, [self = shared_from_this()] { return self->read_loop(); },
        [](std::exception_ptr e) { log_exception("a client reader", e); });
    start_writer();
    if (server_->options.idle_timeout.count() > 0) {
      asio::co_spawn(
          exec, [self = shared_from_this()] { return self->idle_watchdog(); },
          [](std::exception_ptr e) { log_exception("a client's idle watchdog", e); });
    }
  }

  // Sends one error line and closes: for connections refused at accept.
  void refuse(int code, std::string message) {
    deliver(rpc::to_line(rpc::make_error_response(nullptr, code, std::move(message))));
    close_after_flush_ = true;
    start_writer();
  }

  // Queues a line; disconnects a client that has stopped reading.
  void deliver(std::string line) {
    if (closed_) return;
    if (queue_.size() >= server_->options.max_queue) {
      spdlog::warn("rpc: a client stopped reading ({} lines queued); disconnecting it",
                   queue_.size());
      close();
      return;
    }
    queue_.push_back(std::move(line));
    wake_.cancel_one();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    socket_.shutdown(local_socket::shutdown_both, ignored);
    socket_.close(ignored);
    wake_.cancel();
    idle_timer_.cancel();
  }

  // Closes at once, after a refused error line saying why if that needs no waiting: only when
  // no earlier line is queued (so none is half-written), and without blocking, so a client that
  // does not read gets no notice, or a cut one. Either way the connection is closed on return.
  void close_with_notice(std::string message) {
    if (closed_) return;
    if (queue_.empty()) {
      const std::string line =
          rpc::to_line(rpc::make_error_response(nullptr, rpc::refused, std::move(message)));
      boost::system::error_code ignored;
      socket_.non_blocking(true, ignored);
      socket_.write_some(asio::buffer(line), ignored);
    }
    close();
  }

  // Idle: open, no call in progress, no subscription. Only an idle client may be closed to
  // free its place; a subscription lasts as long as the connection.
  bool idle() const { return !closed_ && !in_call_ && subscriptions_.empty(); }
  // When the client last sent a line or its last call ended (or it connected).
  steady_clock::time_point idle_since() const { return idle_since_; }

  // Subscription params of a streaming method, or nullptr when not subscribed to `topic`.
  const rpc::json* subscription(std::string_view topic) const {
    auto it = subscriptions_.find(topic);
    return it == subscriptions_.end() ? nullptr : &it->second;
  }

  bool closed() const { return closed_; }

 private:
  void start_writer() {
    if (writer_started_) return;
    writer_started_ = true;
    asio::co_spawn(
        socket_.get_executor(), [self = shared_from_this()] { return self->write_loop(); },
        [](std::exception_ptr e) { log_exception("a client writer", e); });
  }

  awaitable<void> read_loop() {
    const std::size_t max_line = server_->options.max_line_bytes;
    while (!closed_) {
      boost::system::error_code ec;
      // The '\n' counts toward the buffer, so allow max_line + 1 bytes.
      std::size_t n =
          co_await asio::async_read_until(socket_, asio::dynamic_buffer(buffer_, max_line + 1),
                                          '\n', asio::redirect_error(use_awaitable, ec));
      if (ec == asio::error::not_found) {
        spdlog::warn("rpc: a client sent a line longer than {} bytes; closing it", max_line);
        deliver(rpc::to_line(rpc::make_error_response(nullptr, rpc::invalid_request,
                                                      "the request line is longer than " +
                                                          std::to_string(max_line) +
                                                          " bytes; the connection is closed")));
        close_after_flush_ = true;
        wake_.cancel_one();
        co_return;
      }
      if (ec) {
        if (!benign(ec)) spdlog::debug("rpc: read from a client failed: {}", ec.message());
        close();
        co_return;
      }
      idle_since_ = steady_clock::now();
      std::string line = buffer_.substr(0, n - 1);
      buffer_.erase(0, n);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      co_await handle(std::move(line));
    }
  }

  // Marks the session as in a call for the guard's lifetime; the call's end restarts the idle
  // clock, so a call longer than the idle timeout (join) does not count as idleness.
  struct call_guard {
    explicit call_guard(rpc_session& s) : s_(s) { s_.in_call_ = true; }
    ~call_guard() {
      s_.in_call_ = false;
      s_.idle_since_ = steady_clock::now();
    }
    call_guard(const call_guard&) = delete;
    call_guard& operator=(const call_guard&) = delete;
    rpc_session& s_;
  };

  awaitable<void> handle(std::string line) {
    call_guard in_call(*this);
    auto parsed = rpc::parse_request(line);
    if (auto* response = std::get_if<rpc::json>(&parsed)) {
      deliver(rpc::to_line(*response));
      co_return;
    }
    rpc::request req = std::get<rpc::request>(std::move(parsed));
    const rpc::method* m = server_->table.find(req.method);
    rpc::reply r =
        rpc::reply::fail(rpc::method_not_found, "zwermd has no method '" + req.method + "'");
    if (m && m->call) {
      const auto started = steady_clock::now();
      try {
        auto call = m->call(req.params);
        r = co_await std::move(call);
      } catch (const std::exception& e) {
        spdlog::error("rpc: method {} failed: {}", req.method, e.what());
        r = rpc::reply::fail(rpc::internal_error,
                             "the node failed while answering '" + req.method + "': " + e.what());
      }
      if (server_->options.on_call)
        server_->options.on_call(m->name, steady_clock::now() - started);
      // An unavailable method's handler only checked the params.
      if (r.is_ok() && !m->available()) r = rpc::method_table::unavailable_reply(*m);
      if (r.is_ok() && !m->stream_topic.empty()) {
        subscriptions_.insert_or_assign(m->stream_topic, req.params);
      }
    } else if (m) {
      r = rpc::method_table::unavailable_reply(*m);
    }
    if (req.has_id) deliver(rpc::response_line(req.id, r));
  }

  awaitable<void> write_loop() {
    while (true) {
      while (queue_.empty() && !closed_) {
        if (close_after_flush_) {
          close();
          co_return;
        }
        boost::system::error_code ignored;
        co_await wake_.async_wait(asio::redirect_error(use_awaitable, ignored));
      }
      if (closed_) co_return;
      boost::system::error_code ec;
      co_await asio::async_write(socket_, asio::buffer(queue_.front()),
                                 asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (!benign(ec)) spdlog::debug("rpc: write to a client failed: {}", ec.message());
        close();
        co_return;
      }
      queue_.pop_front();
    }
  }

  // Closes the connection once it has been idle for idle_timeout. It wakes at the earliest
  // moment that could happen and looks again; a subscription never ends while the connection
  // lasts, so a watcher's watchdog retires for good.
  awaitable<void> idle_watchdog() {
    const auto timeout = server_->options.idle_timeout;
    while (!closed_ && subscriptions_.empty()) {
      const auto now = steady_clock::now();
      if (!in_call_ && now - idle_since_ >= timeout) {
        spdlog::debug("rpc: closing a client idle for {} ms", timeout.count());
        close_with_notice("zwermd closed this connection: no request for " +
                          std::to_string(timeout.count()) + " ms");
        co_return;
      }
      // During a call, look again a whole timeout later: the call's end moves idle_since_.
      idle_timer_.expires_at(in_call_ ? now + timeout : idle_since_ + timeout);
      boost::system::error_code ignored;
      co_await idle_timer_.async_wait(asio::redirect_error(use_awaitable, ignored));
    }
  }

  local_socket socket_;
  asio::steady_timer wake_;
  asio::steady_timer idle_timer_;
  std::shared_ptr<rpc_server::state> server_;
  std::string buffer_;
  std::deque<std::string> queue_;
  std::map<std::string, rpc::json, std::less<>> subscriptions_;
  steady_clock::time_point idle_since_;
  bool in_call_ = false;
  bool closed_ = false;
  bool close_after_flush_ = false;
  bool writer_started_ = false;
};

// The idle client that has been idle the longest, or nullptr when every client is busy.
std::shared_ptr<rpc_session> longest_idle(const rpc_server::state& st) {
  std::shared_ptr<rpc_session> oldest;
  for (const auto& w : st.sessions) {
    auto s = w.lock();
    if (!s || !s->idle()) continue;
    if (!oldest || s->idle_since() < oldest->idle_since()) oldest = std::move(s);
  }
  return oldest;
}

awaitable<void> accept_loop(std::shared_ptr<rpc_server::state> st) {
  while (!st->stopped) {
    boost::system::error_code ec;
    local_socket socket =
        co_await st->acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (st->stopped || ec == asio::error::operation_aborted) co_return;
      spdlog::warn("rpc: accept failed: {}", ec.message());
      continue;
    }
    st->forget_dead_sessions();
    auto session = std::make_shared<rpc_session>(std::move(socket), st);
    // Full: the newcomer takes the place of the client idle the longest, so that clients that
    // connect and do nothing can never lock the CLI out.
    while (st->sessions.size() >= st->options.max_clients) {
      auto idle = longest_idle(*st);
      if (!idle) break;
      spdlog::debug("rpc: {} clients connected; closing the one idle longest for a newcomer",
                    st->sessions.size());
      idle->close_with_notice("zwermd closed this idle connection to serve another local client");
      st->forget_dead_sessions();
    }
    if (st->sessions.size() >= st->options.max_clients) {
      const std::size_t busy = st->sessions.size();
      if (auto left_out = st->refusal_log.admit(steady_clock::now())) {
        if (*left_out == 0) {
          spdlog::warn("rpc: all {} local clients are in a call or watching; refusing one more",
                       busy);
        } else {
          spdlog::warn(
              "rpc: all {} local clients are in a call or watching; refusing one more ({} more "
              "refused since the last such line)",
              busy, *left_out);
        }
      }
      session->refuse(rpc::refused, "zwermd already serves " + std::to_string(busy) +
                                        " local clients, each in a call or watching; try again "
                                        "shortly");
      continue;
    }
    st->sessions.push_back(session);
    session->start();
  }
}

}  // namespace

void rpc_server::state::forget_dead_sessions() {
  std::erase_if(sessions, [](const std::weak_ptr<rpc_session>& w) {
    auto s = w.lock();
    return !s || s->closed();
  });
}

rpc_server::rpc_server(local_acceptor acceptor, std::filesystem::path socket_path,
                       const rpc::method_table& table, rpc_server_options options)
    : state_(std::make_shared<state>(std::move(acceptor), std::move(socket_path), table, options)) {
}

rpc_server::~rpc_server() {
  stop();
}

void rpc_server::start() {
  asio::co_spawn(
      state_->acceptor.get_executor(), [st = state_] { return accept_loop(st); },
      [](std::exception_ptr e) { log_exception("the accept loop", e); });
}

void rpc_server::stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
  for (auto& w : state_->sessions) {
    if (auto s = w.lock()) s->close();
  }
  state_->sessions.clear();
  std::error_code fs_ignored;
  std::filesystem::remove(state_->socket_path, fs_ignored);
}

void rpc_server::publish(std::string_view topic, std::string_view method, const rpc::json& params,
                         const std::function<bool(const rpc::json&)>& want) {
  std::string line;
  for (auto& w : state_->sessions) {
    auto s = w.lock();
    if (!s || s->closed()) continue;
    const rpc::json* sub = s->subscription(topic);
    if (!sub || (want && !want(*sub))) continue;
    if (line.empty()) line = rpc::to_line(rpc::make_notification(method, params));
    s->deliver(line);
  }
}

bool rpc_server::has_subscribers(std::string_view topic) const {
  for (const auto& w : state_->sessions) {
    auto s = w.lock();
    if (s && !s->closed() && s->subscription(topic)) return true;
  }
  return false;
}

std::size_t rpc_server::client_count() const {
  state_->forget_dead_sessions();
  return state_->sessions.size();
}

}  // namespace zwerm::node
