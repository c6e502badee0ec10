// One file over 600 lines on purpose: a session's whole life (connect, handshake, admission,
// framed reads and writes, keepalive, goodbye) is one state machine over one stream, and its
// phases share the state that the header declares.
#include "net/session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <utility>

#include "net/handshake.hpp"

namespace zwerm::net {

namespace {

std::atomic<std::uint64_t> next_session_id{1};

// How much plaintext the writer packs into one socket write.
constexpr std::size_t write_batch = 256 * 1024;
// The read buffer: many frames per read_some, so a bulk transfer costs few system calls.
constexpr std::size_t read_buffer_size = 64 * 1024;
// The server's read buffer until admission: one whole frame (the admission message fits in
// one body).
constexpr std::size_t admission_buffer_size = crypto::box_header_size + crypto::box_max_body;

// The authorizer as the callable server_handshake expects (a named type rather than a
// lambda: GCC 12 mishandles capturing lambdas inside co_await expressions).
struct ask_authorizer {
  authorizer* auth;
  admission operator()(const crypto::network_key& n, const crypto::public_key& c) const {
    return auth ? auth->authorize(n, c) : admission::reject;
  }
};

}  // namespace

session::session(std::unique_ptr<stream> s, side role, session_options options,
                 session_handler& handler)
    : role_(role),
      id_(next_session_id++),
      options_(options),
      handler_(handler),
      stream_(std::move(s)),
      assembler_(options.max_message_size),
      watchdog_timer_(stream_->get_executor(), options.virtual_time),
      writer_timer_(stream_->get_executor(), options.virtual_time),
      space_timer_(stream_->get_executor(), asio::steady_timer::time_point::max()),
      resume_timer_(stream_->get_executor(), asio::steady_timer::time_point::max()) {
  if (stream_->is_open()) remote_endpoint_ = stream_->remote_endpoint();
}

session::session(tcp::socket socket, side role, session_options options, session_handler& handler)
    : session(std::make_unique<tcp_stream>(std::move(socket)), role, options, handler) {}

session::~session() = default;

void session::end_on_exception::operator()(std::exception_ptr e) const {
  if (!e) return;
  log_exception{what}(e);
  s->abort({close_reason::internal_error,
            std::string(what),
            {},
            "an exception ended the coroutine (see the log)"});
}

// ---------------------------------------------------------------------------- deadlines

void session::set_deadline(std::chrono::milliseconds from_now, close_reason reason,
                           std::string op) {
  set_deadline_at(now() + from_now, reason, std::move(op));
}

void session::set_deadline_at(time_point d, close_reason reason, std::string op) {
  const bool earlier = d < deadline_;
  deadline_ = d;
  deadline_reason_ = reason;
  deadline_op_ = std::move(op);
  if (earlier) watchdog_timer_.cancel();  // re-arm for the nearer deadline
}

void session::start_watchdog() {
  asio::co_spawn(
      stream_->get_executor(), [self = shared_from_this()] { return self->watchdog(); },
      end_on_exception{shared_from_this(), "session watchdog"});
}

awaitable<void> session::watchdog() {
  while (phase_ != phase::closed) {
    watchdog_timer_.expires_at(deadline_);
    co_await watchdog_timer_.async_wait(use_nothrow);
    if (phase_ == phase::closed) break;
    if (now() < deadline_) continue;  // moved later (or earlier: re-armed above)
    if (paused_ && deadline_reason_ == close_reason::keepalive_timeout) {
      // We chose not to read; the peer's silence is not its fault.
      set_deadline(options_.keepalive_timeout, close_reason::keepalive_timeout,
                   "waiting for data from the peer");
      continue;
    }
    abort({deadline_reason_, deadline_op_, {}, "deadline passed"});
  }
}

// ---------------------------------------------------------------------------- handshakes

void session::hello_arrived::operator()() const {
  if (s->phase_ == phase::handshaking)
    s->set_deadline_at(accepted + s->options_.handshake_timeout, close_reason::handshake_stalled,
                       "handshaking after the client hello (msg1)");
}

awaitable<void> session::run_server(std::vector<crypto::network_key> networks,
                                    crypto::key_pair local, authorizer* auth) {
  auth_ = auth;
  const time_point accepted = now();
  // Until msg1 is in, the (shorter) hello deadline: a connection that says nothing is not
  // worth holding for the whole handshake deadline.
  set_deadline(std::min(options_.hello_timeout, options_.handshake_timeout),
               close_reason::handshake_timeout, "waiting for the client hello (msg1)");
  start_watchdog();
  stream_->tune(options_.tcp_user_timeout);
  // Until admission the client may send only its admission message: read it under that bound.
  assembler_.set_max_message_size(std::min(options_.max_message_size, max_admission_size));

  const std::span<const crypto::network_key> keys(networks);
  handshake_outcome out = co_await server_handshake(*stream_, keys, local, ask_authorizer{auth},
                                                    hello_arrived{this, accepted});
  if (phase_ == phase::closed) co_return;  // the deadline closed the stream
  if (!out.ok) {
    abort(std::move(out.failure));
    co_return;
  }
  network_ = out.network;
  remote_ = out.keys.remote;
  decision_ = out.decision;
  begin_box_stream(out.keys);
  phase_ = phase::admitting;
  // Past this deadline the client has done nothing wrong we could see (a network that freezes
  // now does the same): a stall, a light offence, not bad_admission.
  set_deadline(options_.admission_timeout, close_reason::handshake_stalled,
               "waiting for the client's admission message");
  start_reader();
}

awaitable<status> session::run_client(std::string host, std::uint16_t port,
                                      crypto::public_key server, crypto::network_key network,
                                      crypto::key_pair local, std::string invite_token) {
  auto self = shared_from_this();
  const std::string where = host + ":" + std::to_string(port);
  set_deadline(options_.handshake_timeout, close_reason::handshake_timeout,
               "connecting and handshaking with " + where);
  start_watchdog();

  auto fail_status = [&]() -> status {
    const status_code code = info_.reason == close_reason::io_error ||
                                     info_.reason == close_reason::truncated ||
                                     info_.reason == close_reason::handshake_timeout
                                 ? status_code::io_error
                                 : status_code::rejected;
    return status(code, "could not open a session with " + where + ": " + info_.describe());
  };

  const stream::connect_failure connected = co_await stream_->connect(host, port);
  if (phase_ == phase::closed) co_return fail_status();
  if (connected.ec) {
    abort({close_reason::io_error, std::string(connected.step) + " " + where, connected.ec, {}});
    co_return fail_status();
  }
  remote_endpoint_ = stream_->remote_endpoint();
  stream_->tune(options_.tcp_user_timeout);

  handshake_outcome out = co_await client_handshake(*stream_, network, local, server);
  if (phase_ == phase::closed) co_return fail_status();
  if (!out.ok) {
    abort(std::move(out.failure));
    co_return fail_status();
  }
  network_ = out.network;
  remote_ = out.keys.remote;
  begin_box_stream(out.keys);
  // The admission message goes first; it may carry an invite token.
  queue_.push_back(encode_admission(invite_token));
  queued_bytes_ += queue_.back().size() + message_header_size;
  open_session();
  co_return status{};
}

void session::begin_box_stream(const crypto::shs_session_keys& keys) {
  sealer_.emplace(keys.encrypt_key, keys.encrypt_nonce);
  opener_.emplace(keys.decrypt_key, keys.decrypt_nonce);
  // Only now: a flood of connections that never finish the handshake costs no read buffers.
  // A server waiting for the admission message needs room for one frame only; the full
  // buffer comes with admission (open_session).
  rbuf_.resize(role_ == side::server ? admission_buffer_size : read_buffer_size);
}

void session::admit(std::string_view admission_message) {
  std::string_view token;
  if (!decode_admission(admission_message, &token)) {
    abort({close_reason::bad_admission,
           "reading the admission message",
           {},
           "the client's first message is not an admission message"});
    return;
  }
  if (decision_ == admission::notice) {
    refuse_with_notice(auth_ ? auth_->refusal_notice(network_, remote_) : std::string());
    return;
  }
  if (decision_ == admission::needs_token &&
      (auth_ == nullptr || !auth_->check_token(network_, remote_, token))) {
    // A refused token is a refused handshake, a light offence (§4.3.5), not misbehaviour: an
    // honest newcomer's token may have been used, may have expired, or may be bound to
    // another key (a leaked code), and its address may be shared with members.
    abort({close_reason::unauthorized,
           "checking the invite token",
           {},
           token.empty() ? "the client is not a member and presented no invite token"
                         : "the invite token was refused"});
    return;
  }
  open_session();
}

void session::refuse_with_notice(std::string notice) {
  // The writer runs for the notice and the goodbye only; the handler never hears of the
  // session, and whatever the client sends meanwhile is dropped (phase closing).
  phase_ = phase::open;
  last_send_ = now();
  start_writer();
  if (!notice.empty()) {
    queued_bytes_ += notice.size() + message_header_size;
    queue_.push_back(std::move(notice));
  }
  close(close_reason::unauthorized);
}

void session::open_session() {
  phase_ = phase::open;
  assembler_.set_max_message_size(options_.max_message_size);
  // Safe inside the reader's feed: it holds no view into rbuf_ while it delivers messages.
  if (rbuf_.size() < read_buffer_size) rbuf_.resize(read_buffer_size);
  last_send_ = now();
  set_deadline(options_.keepalive_timeout, close_reason::keepalive_timeout,
               "waiting for data from the peer");
  start_writer();
  if (role_ == side::client) start_reader();
  connected_reported_ = true;
  spdlog::debug("net: session {} open with {} ({})", id_, crypto::to_hex(remote_),
                remote_endpoint_.address().to_string());
  handler_.on_connected(shared_from_this());
}

// ---------------------------------------------------------------------------- reading

void session::start_reader() {
  asio::co_spawn(
      stream_->get_executor(), [self = shared_from_this()] { return self->reader(); },
      end_on_exception{shared_from_this(), "session reader"});
}

awaitable<bool> session::fill(std::size_t n, const char* op) {
  while (rend_ - rbeg_ < n) {
    if (rbuf_.size() - rbeg_ < n) {  // not enough room after rbeg_: move the tail down
      std::memmove(rbuf_.data(), rbuf_.data() + rbeg_, rend_ - rbeg_);
      rend_ -= rbeg_;
      rbeg_ = 0;
    }
    while (paused_ && phase_ != phase::closed) co_await resume_timer_.async_wait(use_nothrow);
    if (phase_ == phase::closed) co_return false;
    auto [ec, got] = co_await stream_->async_read_some(
        asio::buffer(rbuf_.data() + rend_, rbuf_.size() - rend_), use_nothrow);
    if (phase_ == phase::closed) co_return false;
    if (ec) {
      if (ec == asio::error::eof && sent_goodbye_) {
        finish_clean();  // the peer read our goodbye and left without its own
      } else if (ec == asio::error::eof) {
        abort({close_reason::truncated, op, ec, "the peer's stream ended without a goodbye"});
      } else {
        abort({close_reason::io_error, op, ec, {}});
      }
      co_return false;
    }
    rend_ += got;
    stats_.wire_bytes_received += got;
  }
  co_return true;
}

awaitable<void> session::reader() {
  auto self = shared_from_this();
  // However the reader ends, the read buffers go with it: a closed session that someone still
  // holds a handle to keeps no buffers (no read is pending once the reader has returned).
  struct release_buffers {
    session* s;
    ~release_buffers() {
      std::vector<char>().swap(s->rbuf_);
      s->rbeg_ = s->rend_ = 0;
      s->assembler_.reset();
    }
  } release{this};
  std::string plain;
  plain.reserve(crypto::box_max_body);
  for (;;) {
    if (!co_await fill(crypto::box_header_size, "reading a box-stream header")) co_return;
    std::size_t body_len = 0;
    const auto header = opener_->open_header(
        std::string_view(rbuf_.data() + rbeg_, crypto::box_header_size), &body_len);
    rbeg_ += crypto::box_header_size;
    if (header == crypto::box_stream_opener::header_result::bad) {
      abort({close_reason::protocol_violation,
             "opening a box-stream header",
             {},
             "the header box does not authenticate (tampered or out of order)"});
      co_return;
    }
    if (header == crypto::box_stream_opener::header_result::goodbye) {
      received_goodbye_ = true;
      if (sent_goodbye_) {
        finish_clean();
      } else if (phase_ == phase::open) {
        phase_ = phase::closing;  // answer with whatever is queued, then our goodbye
        closing_reason_ = close_reason::peer_goodbye;
        set_deadline(options_.close_timeout, close_reason::close_timeout, "sending our goodbye");
        writer_timer_.cancel();
      } else if (phase_ != phase::closing) {
        abort({close_reason::bad_admission,
               "waiting for the admission message",
               {},
               "the client said goodbye before its admission message"});
      }
      co_return;
    }
    if (!co_await fill(body_len, "reading a box-stream body")) co_return;
    plain.clear();
    const bool opened = opener_->open_body(std::string_view(rbuf_.data() + rbeg_, body_len), plain);
    rbeg_ += body_len;
    if (!opened) {
      abort({close_reason::protocol_violation,
             "opening a box-stream body",
             {},
             "the body box does not authenticate (tampered)"});
      co_return;
    }
    if (phase_ == phase::open || phase_ == phase::admitting) {
      // Any authenticated frame proves the peer alive.
      if (phase_ == phase::open)
        set_deadline(options_.keepalive_timeout, close_reason::keepalive_timeout,
                     "waiting for data from the peer");
    }
    std::size_t keepalives = 0;
    const status st = assembler_.feed(
        plain, [this](std::string_view m) { return deliver(m); }, &keepalives);
    stats_.keepalives_received += keepalives;
    if (!st.ok()) {
      if (phase_ == phase::admitting) {
        abort({close_reason::bad_admission,
               "reading the admission message header",
               {},
               "the admission message is longer than " +
                   std::to_string(assembler_.max_message_size()) + " bytes: " + st.message()});
      } else {
        abort({close_reason::protocol_violation, "reading a message header", {}, st.message()});
      }
      co_return;
    }
    if (phase_ == phase::closed) co_return;
  }
}

bool session::deliver(std::string_view message) {
  if (phase_ == phase::admitting) {
    admit(message);
    return phase_ == phase::open;
  }
  if (phase_ != phase::open) return phase_ != phase::closed;  // closing: drop, keep reading
  ++stats_.messages_received;
  handler_.on_message(shared_from_this(), message);
  return phase_ != phase::closed;
}

void session::pause_reading() {
  paused_ = true;
}

void session::resume_reading() {
  if (!paused_) return;
  paused_ = false;
  resume_timer_.cancel();
  if (phase_ == phase::open)
    set_deadline(options_.keepalive_timeout, close_reason::keepalive_timeout,
                 "waiting for data from the peer");
}

// ---------------------------------------------------------------------------- writing

void session::start_writer() {
  asio::co_spawn(
      stream_->get_executor(), [self = shared_from_this()] { return self->writer(); },
      end_on_exception{shared_from_this(), "session writer"});
}

void session::enqueue(std::string message) {
  queued_bytes_ += message.size() + message_header_size;
  queue_.push_back(std::move(message));
  writer_timer_.cancel();
}

bool session::send(std::string message) {
  if (phase_ != phase::open || message.empty() || message.size() > options_.max_message_size)
    return false;
  if (queued_bytes_ > 0 &&
      queued_bytes_ + message.size() + message_header_size > options_.send_queue_limit) {
    if (options_.on_overflow == overflow_policy::disconnect)
      abort({close_reason::send_queue_full,
             "queueing a message",
             {},
             "the peer does not read fast enough; " + std::to_string(queued_bytes_) +
                 " bytes are waiting"});
    return false;
  }
  ++stats_.messages_sent;
  enqueue(std::move(message));
  return true;
}

awaitable<status> session::async_send(std::string message) {
  auto self = shared_from_this();
  if (message.empty() || message.size() > options_.max_message_size)
    co_return status(status_code::invalid_argument,
                     "a message must hold 1 to " + std::to_string(options_.max_message_size) +
                         " bytes, not " + std::to_string(message.size()));
  while (phase_ == phase::open && queued_bytes_ > 0 &&
         queued_bytes_ + message.size() + message_header_size > options_.send_queue_limit) {
    co_await space_timer_.async_wait(use_nothrow);
  }
  if (phase_ != phase::open) co_return status(status_code::io_error, "the session is closed");
  ++stats_.messages_sent;
  enqueue(std::move(message));
  co_return status{};
}

awaitable<void> session::writer() {
  auto self = shared_from_this();
  std::string plain;
  std::string wire;
  for (;;) {
    if (phase_ == phase::closed) co_return;
    if (queue_.empty()) {
      if (phase_ == phase::closing) {
        wire.clear();
        sealer_->goodbye(wire);
        auto [ec, n] = co_await asio::async_write(*stream_, asio::buffer(wire), use_nothrow);
        if (phase_ == phase::closed) co_return;
        if (ec) {
          abort({close_reason::io_error, "sending our goodbye", ec, {}});
          co_return;
        }
        stats_.wire_bytes_sent += n;
        sent_goodbye_ = true;
        if (received_goodbye_) {
          finish_clean();
        } else {
          stream_->shutdown_send();
          set_deadline(options_.close_timeout, close_reason::close_timeout,
                       "waiting for the peer's goodbye");
        }
        co_return;
      }
      writer_timer_.expires_at(last_send_ + options_.keepalive_interval);
      auto [ec] = co_await writer_timer_.async_wait(use_nothrow);
      if (phase_ == phase::closed) co_return;
      if (!ec && queue_.empty() && phase_ == phase::open &&
          now() >= last_send_ + options_.keepalive_interval) {
        ++stats_.keepalives_sent;
        queue_.emplace_back();  // an empty message: 4 zero bytes in a frame
        queued_bytes_ += message_header_size;
      }
      continue;
    }
    // Pack everything queued (up to a batch) into one plaintext run, so small messages share
    // full 4096-byte bodies and a 34-byte header.
    plain.clear();
    while (!queue_.empty() && plain.size() < write_batch) {
      append_message(plain, queue_.front());
      queued_bytes_ -= queue_.front().size() + message_header_size;
      queue_.pop_front();
    }
    space_timer_.cancel();  // room in the queue: wake async_send waiters
    wire.clear();
    sealer_->seal(plain, wire);
    auto [ec, n] = co_await asio::async_write(*stream_, asio::buffer(wire), use_nothrow);
    if (phase_ == phase::closed) co_return;
    if (ec) {
      abort({close_reason::io_error, "writing to the socket", ec, {}});
      co_return;
    }
    stats_.wire_bytes_sent += n;
    last_send_ = now();
    if (queue_.empty() && wire.capacity() > read_buffer_size) {
      // A burst is over: give its buffers back so an idle session stays small.
      std::string().swap(plain);
      std::string().swap(wire);
    }
  }
}

// ---------------------------------------------------------------------------- closing

void session::close(close_reason reason) {
  if (phase_ == phase::closed || phase_ == phase::closing) return;
  if (phase_ != phase::open) {
    abort({reason, "closing before the session was open", {}, {}});
    return;
  }
  phase_ = phase::closing;
  closing_reason_ = reason;
  set_deadline(options_.close_timeout, close_reason::close_timeout, "sending our goodbye");
  writer_timer_.cancel();
  space_timer_.cancel();
}

void session::finish_clean() {
  abort({closing_reason_, {}, {}, {}});
}

void session::abort(disconnect_info why) {
  if (phase_ == phase::closed) return;
  phase_ = phase::closed;
  info_ = std::move(why);
  stream_->close();
  watchdog_timer_.cancel();
  writer_timer_.cancel();
  space_timer_.cancel();
  resume_timer_.cancel();
  std::deque<std::string>().swap(queue_);
  queued_bytes_ = 0;
  // Wipes the stream keys. Safe: every coroutine checks phase_ after each suspension before
  // it touches the sealer or the opener again.
  sealer_.reset();
  opener_.reset();

  const std::string peer = remote_endpoint_.port() == 0 ? std::string("(not connected)")
                                                        : remote_endpoint_.address().to_string();
  if (role_ == side::server && !connected_reported_) {
    // A failed inbound handshake: anyone can cause these at will, so the listener writes the
    // line, rate-limited (listener_options::handshake_log_interval).
  } else if (info_.misbehaviour()) {
    spdlog::info("net: session {} with {} closed for misbehaviour: {}", id_, peer,
                 info_.describe());
  } else if (info_.reason == close_reason::unauthorized ||
             info_.reason == close_reason::self_connection) {
    spdlog::info("net: session {} with {} refused: {}", id_, peer, info_.describe());
  } else if (is_benign(info_.error)) {
    spdlog::debug("net: session {} with {} closed: {}", id_, peer, info_.describe());
  } else {
    spdlog::warn("net: session {} with {} failed: {}", id_, peer, info_.describe());
  }
  if (finish_hook_) {
    auto hook = std::move(finish_hook_);
    finish_hook_ = nullptr;
    hook(*this, info_);
  }
  if (connected_reported_) {
    // Posted, so the handler never sees on_closed from inside its own call into us.
    asio::post(stream_->get_executor(),
               [self = shared_from_this()] { self->handler_.on_closed(self, self->info_); });
  }
}

}  // namespace zwerm::net
