// One secure connection: box-stream both ways over a byte stream (net/stream.hpp: a TCP socket
// in production, an in-memory pipe in tests and simulations) after a Secret Handshake, and the
// message layer above it (docs/PROTOCOL.md §4.3).
//
// A session runs three coroutines on the I/O executor: a reader (frames -> messages -> the
// handler), a writer (the send queue -> packed frames; keepalives when idle) and a watchdog
// (the one deadline that applies in the current phase: the client's hello on the server, the
// handshake, admission, keepalive timeout, or the wait for the peer's goodbye). Deadlines and
// keepalives run on the machine's steady clock, or on session_options::virtual_time. Listeners and
// dialers create sessions; the owner of the protocol (node/) holds session_ptr handles from
// on_connected.
//
// Every public member must be called on the session's executor (the I/O thread). A handle
// stays valid after the session closed; sending on it then fails.
#pragma once

#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.hpp"
#include "crypto/box_stream.hpp"
#include "crypto/shs.hpp"
#include "net/asio.hpp"
#include "net/errors.hpp"
#include "net/handler.hpp"
#include "net/message_codec.hpp"
#include "net/options.hpp"
#include "net/stream.hpp"
#include "net/virtual_time.hpp"

namespace zwerm::net {

class session : public std::enable_shared_from_this<session> {
 public:
  enum class side { client, server };

  struct counters {
    std::uint64_t wire_bytes_sent = 0;      // box-stream bytes after the handshake
    std::uint64_t wire_bytes_received = 0;  // box-stream bytes after the handshake
    std::uint64_t messages_sent = 0;        // application messages written (not keepalives)
    std::uint64_t messages_received = 0;    // application messages delivered to the handler
    std::uint64_t keepalives_sent = 0;
    std::uint64_t keepalives_received = 0;
  };

  // Used by listener and dialer (and tests); not by protocol code. `stream` is connected
  // (server) or will be connected by run_client. `handler` must outlive the session.
  session(std::unique_ptr<stream> stream, side role, session_options options,
          session_handler& handler);
  // Over a TCP socket (a tcp_stream).
  session(tcp::socket socket, side role, session_options options, session_handler& handler);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // --- who ---
  side role() const { return role_; }
  std::uint64_t id() const { return id_; }  // unique in this process, for logs
  const crypto::public_key& remote_key() const { return remote_; }
  const crypto::network_key& network() const { return network_; }  // the community network
  const tcp::endpoint& remote_endpoint() const { return remote_endpoint_; }
  // The socket's TCP_USER_TIMEOUT as the kernel has it (session_options::tcp_user_timeout);
  // 0 over a stream that is not TCP.
  std::chrono::milliseconds tcp_user_timeout() const { return stream_->user_timeout(); }
  // True once admitted and until close() or the end; send() succeeds only then.
  bool is_open() const { return phase_ == phase::open; }
  bool is_closed() const { return phase_ == phase::closed; }
  // True once on_connected was reported (the session got past handshake and admission).
  bool was_connected() const { return connected_reported_; }
  // How the session ended; nullptr while it has not.
  const disconnect_info* closed_info() const { return is_closed() ? &info_ : nullptr; }

  // --- sending ---
  // Queues one message (1..max_message_size bytes) and returns true. Returns false, queueing
  // nothing, when the message is empty or too long, the session is not open, or the queue is
  // over send_queue_limit with overflow_policy::drop; with overflow_policy::disconnect a full
  // queue closes the session (reason send_queue_full) and returns false.
  bool send(std::string message);
  // Like send(), but waits while the queue is over its limit (backpressure for bulk senders).
  // Fails with invalid_argument for an empty or too long message, io_error when the session
  // is or becomes closed before the message is queued.
  awaitable<status> async_send(std::string message);
  std::size_t queued_bytes() const { return queued_bytes_; }

  // --- receiving ---
  // Stops reading from the socket until resume_reading() (receive-side flow control). The
  // keepalive timeout does not run while paused. Messages already decrypted (the rest of the
  // current body, at most 4 KiB) are still delivered after the call.
  void pause_reading();
  void resume_reading();

  // --- closing ---
  // Clean close: the queued messages are sent, then a goodbye; the session ends when the
  // peer's goodbye arrives (or after close_timeout). Before the session is open, closes at
  // once. Idempotent. on_closed reports `reason` (local_close unless a listener or dialer
  // is shutting down).
  void close(close_reason reason = close_reason::local_close);
  // Ends at once without a goodbye (the stream is closed).
  void abort(disconnect_info why);

  const counters& stats() const { return stats_; }

  // --- used by listener and dialer ---
  // The co_spawn completion handler for a session's coroutines: logs an escaped exception and
  // ends the session (reason internal_error) so that no half-dead session keeps its socket.
  struct end_on_exception {
    std::shared_ptr<session> s;
    std::string_view what;
    void operator()(std::exception_ptr e) const;
  };
  using finish_hook = std::function<void(session&, const disconnect_info&)>;
  // Called synchronously when the session ends (whether or not it was ever connected).
  void set_finish_hook(finish_hook hook) { finish_hook_ = std::move(hook); }
  // Runs the server side: handshake (msg1 within hello_timeout, all of it within
  // handshake_timeout), authorization, admission (the first message read under
  // max_admission_size, before anything is set aside for a longer one), then the open session.
  // A server session that ends before admission writes no log line: its listener does.
  awaitable<void> run_server(std::vector<crypto::network_key> networks, crypto::key_pair local,
                             authorizer* auth);
  // Runs the client side up to the open session: resolve, connect (stream::connect; a stream
  // made connected skips it), handshake, admission message (carrying `invite_token`, possibly
  // empty). Returns ok once connected (on_connected has then been called), else why not.
  awaitable<status> run_client(std::string host, std::uint16_t port, crypto::public_key server,
                               crypto::network_key network, crypto::key_pair local,
                               std::string invite_token);

 private:
  enum class phase { handshaking, admitting, open, closing, closed };
  // Server: sends `notice` (may be empty) and closes cleanly, never opening the session.
  void refuse_with_notice(std::string notice);

  // server_handshake's hello hook: msg1 is in, the rest of the handshake deadline applies.
  struct hello_arrived {
    session* s;
    time_point accepted;
    void operator()() const;
  };

  void start_watchdog();
  awaitable<void> watchdog();
  void set_deadline(std::chrono::milliseconds from_now, close_reason reason, std::string op);
  void set_deadline_at(time_point when, close_reason reason, std::string op);
  void begin_box_stream(const crypto::shs_session_keys& keys);
  void start_reader();
  void start_writer();
  awaitable<void> reader();
  awaitable<void> writer();
  // Makes at least `n` bytes available in the read buffer; false when the session ended.
  awaitable<bool> fill(std::size_t n, const char* op);
  bool deliver(std::string_view message);  // false: stop feeding
  void admit(std::string_view admission_message);
  void open_session();
  void enqueue(std::string message);
  void finish_clean();  // both goodbyes exchanged (or the peer left after ours)
  // The session's time: the steady clock, or options_.virtual_time.
  time_point now() const {
    return options_.virtual_time ? options_.virtual_time->now() : std::chrono::steady_clock::now();
  }

  const side role_;
  const std::uint64_t id_;
  const session_options options_;
  session_handler& handler_;
  std::unique_ptr<stream> stream_;
  tcp::endpoint remote_endpoint_;
  crypto::public_key remote_{};
  crypto::network_key network_{};

  phase phase_ = phase::handshaking;
  bool connected_reported_ = false;
  bool sent_goodbye_ = false;
  bool received_goodbye_ = false;
  bool paused_ = false;
  close_reason closing_reason_ = close_reason::local_close;
  disconnect_info info_;
  finish_hook finish_hook_;

  // Server side, between msg4 and the admission message.
  authorizer* auth_ = nullptr;
  admission decision_ = admission::accept;

  std::optional<crypto::box_stream_sealer> sealer_;
  std::optional<crypto::box_stream_opener> opener_;
  message_assembler assembler_;

  std::deque<std::string> queue_;  // an empty string is a keepalive
  std::size_t queued_bytes_ = 0;
  time_point last_send_{};

  std::vector<char> rbuf_;
  std::size_t rbeg_ = 0;
  std::size_t rend_ = 0;

  time_point deadline_{};
  close_reason deadline_reason_ = close_reason::handshake_timeout;
  std::string deadline_op_;

  session_timer watchdog_timer_;
  session_timer writer_timer_;       // wakes the writer: new message, close, keepalive due
  asio::steady_timer space_timer_;   // wakes async_send waiters; never expires, only cancelled
  asio::steady_timer resume_timer_;  // wakes a paused reader; never expires, only cancelled

  counters stats_;
};

}  // namespace zwerm::net
