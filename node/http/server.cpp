#include "node/http/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <sstream>
#include <unordered_map>

namespace zwerm::node::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// One accepted connection; the server keeps a weak reference so that stop() can close it.
struct connection {
  explicit connection(tcp::socket s) : stream(std::move(s)) {}
  beast::tcp_stream stream;
  std::shared_ptr<event_subscriber> events;  // set while it serves an event stream
};

// How often an idle event stream gets a comment line, so that a vanished client is noticed.
constexpr std::chrono::seconds stream_heartbeat{15};

}  // namespace

struct server::state {
  state(asio::any_io_executor e, server_options o, route_handler& h)
      : ex(std::move(e)), options(std::move(o)), handler(h) {}
  asio::any_io_executor ex;
  server_options options;
  route_handler& handler;
  std::optional<tcp::acceptor> acceptor;
  std::uint16_t port = 0;
  server_counters counters;
  std::uint64_t next_id = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<connection>> open;
  bool stopped = false;

  void refuse(const char* reason) { ++counters.refusals[reason]; }
};

response make_response(unsigned status, std::string content_type, std::string body) {
  response res{static_cast<bhttp::status>(status), 11};
  res.set(bhttp::field::content_type, std::move(content_type));
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

namespace {

void add_common_headers(response& res) {
  res.set(bhttp::field::server, "zwermd");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Frame-Options", "DENY");
  res.set("Cross-Origin-Resource-Policy", "same-origin");
  if (res.find(bhttp::field::cache_control) == res.end()) {
    res.set(bhttp::field::cache_control, "no-store");
  }
  // Whatever a handler set, no CORS: the dashboard is for its own origin only.
  for (auto it = res.begin(); it != res.end();) {
    if (std::string_view(it->name_string()).size() >= 14 &&
        beast::iequals(std::string_view(it->name_string()).substr(0, 14), "access-control")) {
      it = res.erase(it);
    } else {
      ++it;
    }
  }
}

response plain(unsigned status, std::string text) {
  auto res = make_response(status, "text/plain; charset=utf-8", std::move(text) + "\n");
  return res;
}

// Writes `res` (without its body for HEAD) within the write timeout; false when that fails.
asio::awaitable<bool> send(std::shared_ptr<server::state> st, std::shared_ptr<connection> c,
                           response res, bool head_only, bool keep_alive) {
  add_common_headers(res);
  res.keep_alive(keep_alive);
  if (head_only) {
    const auto length = res.body().size();
    res.body().clear();
    res.content_length(length);
  }
  c->stream.expires_after(st->options.write_timeout);
  auto [ec, n] = co_await bhttp::async_write(c->stream, res, use_tuple);
  co_return !ec;
}

// After the head, the subscriber's events until the client leaves, falls behind or the
// server stops.
asio::awaitable<void> stream_events(std::shared_ptr<server::state> st,
                                    std::shared_ptr<connection> c, response head) {
  add_common_headers(head);
  head.keep_alive(false);
  head.body().clear();
  head.erase(bhttp::field::content_length);
  std::ostringstream text;
  text << head.base();
  std::string out = text.str();
  auto sub = c->events;
  out += ": connected\n\n";
  for (;;) {
    c->stream.expires_after(st->options.write_timeout);
    auto [ec, n] = co_await asio::async_write(c->stream, asio::buffer(out), use_tuple);
    if (st->stopped) co_return;
    if (ec) {
      // A reader that stopped taking bytes (its socket full for write_timeout) fell behind as
      // surely as one whose queue overflowed.
      if (ec == beast::error::timeout) st->refuse("slow_event_reader");
      co_return;
    }
    out.clear();
    if (sub->queue.empty() && !sub->overflowed) {
      sub->wake.expires_after(stream_heartbeat);
      auto [wait_ec] = co_await sub->wake.async_wait(use_tuple);
      if (st->stopped) co_return;
      if (!wait_ec && sub->queue.empty()) out = ": heartbeat\n\n";
    }
    if (sub->overflowed) {
      st->refuse("slow_event_reader");
      co_return;
    }
    while (!sub->queue.empty()) {
      out += sub->queue.front();
      sub->queue.pop_front();
    }
  }
}

asio::awaitable<void> serve(std::shared_ptr<server::state> st, std::shared_ptr<connection> c) {
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::empty_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(st->options.max_header_bytes));
    parser.body_limit(0);
    c->stream.expires_after(st->options.read_timeout);
    auto [ec, n] = co_await bhttp::async_read(c->stream, buffer, parser, use_tuple);
    if (st->stopped) co_return;
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset) {
      co_return;
    }
    if (ec == beast::error::timeout) {
      // A kept-alive connection that went quiet is normal; one that stopped mid-head is not.
      if (buffer.size() > 0) st->refuse("slow_client");
      co_return;
    }
    if (ec == bhttp::error::header_limit) {
      st->refuse("header_too_large");
      co_await send(st, c, plain(431, "request header fields too large"), false, false);
      co_return;
    }
    if (ec == bhttp::error::body_limit) {
      st->refuse("body");
      co_await send(st, c, plain(413, "this server takes no request bodies"), false, false);
      co_return;
    }
    if (ec) {
      st->refuse("bad_request");
      co_await send(st, c, plain(400, "bad request"), false, false);
      co_return;
    }
    ++st->counters.requests;
    const request& req = parser.get();
    const bool head_only = req.method() == bhttp::verb::head;
    if (req.method() != bhttp::verb::get && !head_only) {
      st->refuse("method");
      auto res = plain(405, "only GET and HEAD");
      res.set(bhttp::field::allow, "GET, HEAD");
      co_await send(st, c, std::move(res), false, false);
      co_return;
    }
    if (!host_allowed(req[bhttp::field::host], st->options.host, st->port)) {
      st->refuse("host");
      co_await send(st, c, plain(403, "the Host header does not name this server"), false, false);
      co_return;
    }
    auto t = parse_target(req.target());
    if (!t) {
      st->refuse("path");
      co_await send(st, c, plain(400, "bad path"), false, false);
      co_return;
    }
    answer a = co_await st->handler.handle(req, *t);
    const unsigned code = a.res.result_int();
    if (code == 401) st->refuse("no_token");
    if (code == 403) st->refuse("bad_token");
    if (a.stream && !head_only) {
      c->events = std::move(a.stream);
      co_await stream_events(st, c, std::move(a.res));
      co_return;
    }
    const bool keep = req.keep_alive() && code < 400;
    if (!co_await send(st, c, std::move(a.res), head_only, keep) || !keep) co_return;
  }
}

void close_connection(connection& c) {
  boost::system::error_code ignored;
  c.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  c.stream.socket().close(ignored);
  if (c.events) c.events->wake.cancel();
}

asio::awaitable<void> accept_loop(std::shared_ptr<server::state> st) {
  asio::steady_timer pause(st->ex);
  for (;;) {
    auto [ec, socket] = co_await st->acceptor->async_accept(use_tuple);
    if (st->stopped) co_return;
    if (ec) {
      // Out of descriptors or the like: wait a little instead of spinning.
      if (ec == asio::error::operation_aborted) co_return;
      spdlog::warn("http: accept failed: {}", ec.message());
      pause.expires_after(std::chrono::milliseconds(100));
      co_await pause.async_wait(use_tuple);
      continue;
    }
    if (st->counters.open_connections >= st->options.max_connections) {
      st->refuse("too_many_connections");
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    auto c = std::make_shared<connection>(std::move(socket));
    const std::uint64_t id = st->next_id++;
    st->open.emplace(id, c);
    ++st->counters.open_connections;
    asio::co_spawn(st->ex, serve(st, c), [st, c, id](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& x) {
          spdlog::error("http: a connection failed: {}", x.what());
        }
      }
      close_connection(*c);
      st->open.erase(id);
      --st->counters.open_connections;
    });
  }
}

}  // namespace

server::server(asio::any_io_executor ex, server_options options, route_handler& handler)
    : state_(std::make_shared<state>(std::move(ex), std::move(options), handler)) {}

server::~server() {
  stop();
}

status server::start() {
  auto& st = *state_;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(st.options.host, ec);
  if (ec) {
    return {status_code::invalid_argument,
            "'" + st.options.host +
                "' is not an IP address (a name is refused: the Host check "
                "compares against the address bound)"};
  }
  if (!address.is_loopback() && !st.options.allow_remote) {
    return {status_code::invalid_argument,
            st.options.host +
                " is not a loopback address; the dashboard listens on 127.0.0.1 "
                "or ::1 unless --http-allow-remote is given"};
  }
  tcp::acceptor acceptor(st.ex);
  const tcp::endpoint ep(address, st.options.port);
  if (acceptor.open(ep.protocol(), ec); !ec) {
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    acceptor.bind(ep, ec);
  }
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return {status_code::io_error, "cannot listen on " + ep.address().to_string() + ":" +
                                       std::to_string(st.options.port) + ": " + ec.message()};
  }
  st.port = acceptor.local_endpoint().port();
  st.acceptor.emplace(std::move(acceptor));
  asio::co_spawn(st.ex, accept_loop(state_), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      spdlog::error("http: the listener stopped: {}", x.what());
    }
  });
  return {};
}

std::uint16_t server::port() const {
  return state_->port;
}

const server_options& server::options() const {
  return state_->options;
}

const server_counters& server::counters() const {
  return state_->counters;
}

void server::stop() {
  auto& st = *state_;
  if (st.stopped) return;
  st.stopped = true;
  boost::system::error_code ignored;
  if (st.acceptor) st.acceptor->close(ignored);
  for (auto& [id, w] : st.open) {
    if (auto c = w.lock()) close_connection(*c);
  }
}

}  // namespace zwerm::node::http
