#include "net/listener.hpp"

#include <spdlog/spdlog.h>

namespace zwerm::net {

result<std::shared_ptr<listener>> listener::start(asio::any_io_executor executor,
                                                  const tcp::endpoint& endpoint,
                                                  crypto::key_pair local,
                                                  std::vector<crypto::network_key> networks,
                                                  authorizer& auth, session_handler& handler,
                                                  listener_options options, const clock& clock) {
  auto l = std::make_shared<listener>(executor, local, std::move(networks), auth, handler, options,
                                      clock);
  error_code ec;
  l->acceptor_.open(endpoint.protocol(), ec);
  if (!ec) l->acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) l->acceptor_.bind(endpoint, ec);
  if (!ec) l->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return status(status_code::io_error, "cannot listen on " + endpoint.address().to_string() +
                                             ":" + std::to_string(endpoint.port()) + ": " +
                                             ec.message());
  }
  asio::co_spawn(
      executor, [l] { return l->accept_loop(); }, log_exception{"listener accept loop"});
  return l;
}

listener::listener(asio::any_io_executor executor, crypto::key_pair local,
                   std::vector<crypto::network_key> networks, authorizer& auth,
                   session_handler& handler, listener_options options, const clock& clock)
    : executor_(executor),
      acceptor_(executor),
      local_(local),
      networks_(std::move(networks)),
      auth_(auth),
      handler_(handler),
      options_(options),
      bans_(options.bans, clock) {}

void listener::set_networks(std::vector<crypto::network_key> networks) {
  networks_ = std::move(networks);
}

tcp::endpoint listener::local_endpoint() const {
  error_code ec;
  return acceptor_.local_endpoint(ec);
}

awaitable<void> listener::accept_loop() {
  auto self = shared_from_this();
  asio::steady_timer backoff(executor_);
  while (!stopped_) {
    auto [ec, socket] = co_await acceptor_.async_accept(use_nothrow);
    if (stopped_) co_return;
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      // Out of file descriptors (or a similar transient failure): pause instead of spinning;
      // sessions closing will free descriptors.
      spdlog::warn("net: accept failed: {}; pausing accepts for 100 ms", ec.message());
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(use_nothrow);
      continue;
    }
    ++stats_.accepted;
    error_code rec;
    const tcp::endpoint remote = socket.remote_endpoint(rec);
    if (rec) continue;  // the peer is already gone; the socket closes on scope exit
    const asio::ip::address address = remote.address();

    const char* refusal = nullptr;
    if (bans_.is_banned(address)) {
      ++stats_.refused_banned;
      refusal = "banned";
    } else if (sessions_.size() >= options_.max_inbound ||
               per_address_[address] >= options_.max_inbound_per_address) {
      ++stats_.refused_limit;
      refusal = "over the inbound connection limit";
    }
    if (refusal) {
      // A reset rather than a FIN: no TIME_WAIT kept for connections we never wanted.
      error_code ignored;
      socket.set_option(asio::socket_base::linger(true, 0), ignored);
      socket.close(ignored);
      spdlog::debug("net: refused a connection from {}: {}", address.to_string(), refusal);
      continue;
    }
    serve(std::move(socket), address);
  }
}

void listener::serve(tcp::socket socket, const asio::ip::address& address) {
  auto s = std::make_shared<session>(std::move(socket), session::side::server, options_.session,
                                     handler_);
  sessions_.emplace(s->id(), s);
  ++per_address_[address];
  std::weak_ptr<listener> weak = shared_from_this();
  s->set_finish_hook([weak, address](session& ended, const disconnect_info& why) {
    if (auto l = weak.lock()) l->on_session_end(ended, address, why);
  });
  asio::co_spawn(
      executor_,
      [s, networks = networks_, local = local_, auth = &auth_] {
        return s->run_server(networks, local, auth);
      },
      session::end_on_exception{s, "server session"});
}

void listener::on_session_end(session& s, const asio::ip::address& address,
                              const disconnect_info& why) {
  sessions_.erase(s.id());
  if (auto it = per_address_.find(address); it != per_address_.end() && --it->second == 0)
    per_address_.erase(it);
  if (!s.was_connected()) ++stats_.handshakes_failed;
  if (why.misbehaviour() && options_.ban_misbehaviour && !stopped_) {
    const auto length = bans_.ban(address);
    ++stats_.bans;
    spdlog::info("net: banned {} for {} ms: {}", address.to_string(), length.count(),
                 why.describe());
  }
}

void listener::stop() {
  if (stopped_) return;
  stopped_ = true;
  error_code ignored;
  acceptor_.close(ignored);
  // Copy first: closing a session that is not open ends it at once, which edits sessions_.
  std::vector<std::shared_ptr<session>> live;
  for (auto& [id, weak] : sessions_)
    if (auto s = weak.lock()) live.push_back(std::move(s));
  for (auto& s : live) s->close(close_reason::shutdown);
}

}  // namespace zwerm::net
