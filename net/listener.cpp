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
      bans_(options.bans, clock),
      abandoned_(options.abandoned_handshakes, options.bans.max_entries, clock),
      refused_(options.refused_handshakes, options.bans.max_entries, clock),
      log_limit_(options.handshake_log_interval, clock) {}

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
    admit_connection(std::make_unique<tcp_stream>(std::move(socket)), remote.address());
  }
}

std::shared_ptr<listener> listener::create_unbound(asio::any_io_executor executor,
                                                   crypto::key_pair local,
                                                   std::vector<crypto::network_key> networks,
                                                   authorizer& auth, session_handler& handler,
                                                   listener_options options, const clock& clock) {
  return std::make_shared<listener>(executor, local, std::move(networks), auth, handler, options,
                                    clock);
}

void listener::accept(std::unique_ptr<stream> connection) {
  if (stopped_) return;  // the stream closes on scope exit
  ++stats_.accepted;
  const tcp::endpoint remote = connection->remote_endpoint();
  if (!connection->is_open()) return;
  admit_connection(std::move(connection), remote.address());
}

void listener::admit_connection(std::unique_ptr<stream> connection,
                                const asio::ip::address& address) {
  const char* refusal = nullptr;
  if (bans_.is_banned(address)) {
    ++stats_.refused_banned;
    refusal = "banned";
  } else if (half_open_from(address) >= options_.max_inbound_per_address) {
    ++stats_.refused_limit;
    refusal = "too many handshakes in progress from that address";
  } else if (sessions_.size() >= options_.max_inbound && !evict_half_open_for(address)) {
    ++stats_.refused_limit;
    refusal = "every inbound slot is taken by an admitted session or a young handshake";
  }
  if (refusal) {
    // A reset rather than a FIN: no TIME_WAIT kept for connections we never wanted.
    connection->reset();
    // Anyone can cause these at will: rate-limited like failed handshakes.
    if (auto line = log_limit_.admit(address)) {
      spdlog::info("net: refused a connection from {}: {}{}", address.to_string(), refusal,
                   line->left_out == 0 ? std::string()
                                       : " (" + std::to_string(line->left_out) +
                                             " more lines from " + line->scope + " left out)");
    } else {
      ++stats_.log_lines_left_out;
    }
    return;
  }
  serve(std::move(connection), address);
}

void listener::serve(std::unique_ptr<stream> connection, const asio::ip::address& address) {
  auto s = std::make_shared<session>(std::move(connection), session::side::server, options_.session,
                                     handler_);
  sessions_.emplace(s->id(), inbound{s, address, session_now()});
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
  const bool admitted = s.was_connected();
  if (!admitted) ++stats_.handshakes_failed;
  if (stopped_) return;  // our own shutdown ended it: nothing to hold against anyone

  const offence o = offence_of(why.reason, admitted);
  if (o == offence::abandoned) ++stats_.handshakes_abandoned;
  if (o == offence::refused) ++stats_.handshakes_refused;
  const std::string banned = punish(address, o);
  if (admitted) {
    // Only clients that passed the handshake and admission get here: no rate limit needed.
    if (!banned.empty())
      spdlog::info("net: {} {}: {}", address.to_string(), banned, why.describe());
    return;
  }
  const auto line = log_limit_.admit(address);
  if (!line) {
    ++stats_.log_lines_left_out;
    return;
  }
  const auto level = o == offence::misbehaviour || o == offence::refused || !banned.empty()
                         ? spdlog::level::info
                     : why.reason == close_reason::internal_error ? spdlog::level::warn
                                                                  : spdlog::level::debug;
  const std::string left_out = line->left_out == 0
                                   ? std::string()
                                   : " (" + std::to_string(line->left_out) +
                                         " more failed handshakes from " + line->scope +
                                         " since the last such line were not logged)";
  spdlog::log(level, "net: handshake from {} failed: {}{}{}", address.to_string(), why.describe(),
              banned.empty() ? std::string() : "; " + banned, left_out);
}

time_point listener::session_now() const {
  return options_.session.virtual_time ? options_.session.virtual_time->now()
                                       : std::chrono::steady_clock::now();
}

std::size_t listener::half_open_from(const asio::ip::address& address) const {
  std::size_t n = 0;
  for (const auto& [id, in] : sessions_) {
    if (in.address != address) continue;
    auto s = in.s.lock();
    if (s && !s->was_connected()) ++n;
  }
  return n;
}

bool listener::evict_half_open_for(const asio::ip::address& newcomer) {
  if (!options_.evict_half_open) return false;
  // At most max_inbound entries: a scan per accept at the limit costs less than the handshake
  // the newcomer is about to do.
  std::unordered_map<asio::ip::address, std::size_t, address_hash> half_open;
  for (const auto& [id, in] : sessions_) {
    auto s = in.s.lock();
    if (s && !s->was_connected() && !s->is_closed()) ++half_open[in.address];
  }
  const std::size_t mine = half_open.count(newcomer) ? half_open[newcomer] : 0;
  // Fair share first: the oldest handshake of an address that holds at least two more
  // handshakes than the newcomer's (a newcomer from a fresh address takes a slot from whoever
  // holds several, whatever their age); else the oldest handshake older than evict_after.
  const auto now = session_now();
  std::shared_ptr<session> crowded, stale;
  auto crowded_at = std::chrono::steady_clock::time_point::max();
  auto stale_at = now - options_.evict_after;
  for (const auto& [id, in] : sessions_) {
    auto s = in.s.lock();
    if (!s || s->was_connected() || s->is_closed()) continue;
    if (half_open[in.address] >= mine + 2 && in.accepted < crowded_at) {
      crowded = s;
      crowded_at = in.accepted;
    }
    if (in.accepted <= stale_at) {
      stale = s;
      stale_at = in.accepted;
    }
  }
  std::shared_ptr<session> victim = crowded ? crowded : stale;
  if (!victim) return false;
  ++stats_.evicted;
  // Ends it at once (not open yet): on_session_end frees the slot, with no offence held
  // against the evicted address (it may have been slow, not hostile).
  victim->close(close_reason::evicted);
  return true;
}

std::string listener::punish(const asio::ip::address& address, offence o) {
  if (!options_.ban_misbehaviour) return {};
  switch (o) {
    case offence::none:
      return {};
    case offence::misbehaviour:
      break;
    case offence::abandoned:
      if (!abandoned_.count(address)) return {};
      break;
    case offence::refused:
      if (!refused_.count(address)) return {};
      break;
  }
  // An address that already serves a ban (its other sessions ending at the same moment) is
  // not banned again: ban_list neither escalates nor extends it.
  if (bans_.is_banned(address)) return "already banned";
  const auto length = bans_.ban(address);
  ++stats_.bans;
  std::string clause = "banned for " + std::to_string(length.count()) + " ms";
  if (o != offence::misbehaviour)
    clause += " (over the allowance of " + std::string(to_string(o)) + "s)";
  return clause;
}

void listener::stop() {
  if (stopped_) return;
  stopped_ = true;
  error_code ignored;
  acceptor_.close(ignored);
  // Copy first: closing a session that is not open ends it at once, which edits sessions_.
  std::vector<std::shared_ptr<session>> live;
  for (auto& [id, in] : sessions_)
    if (auto s = in.s.lock()) live.push_back(std::move(s));
  for (auto& s : live) s->close(close_reason::shutdown);
}

}  // namespace zwerm::net
