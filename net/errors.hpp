// How sessions end, and the one place that decides which I/O errors are benign.
//
// Every session that ends records one disconnect_info: why (close_reason), during which
// operation, and the error_code when the operating system reported one. Whether the reason
// counts as misbehaviour (and so bans the remote address) is decided here, not at each call
// site.
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include "net/asio.hpp"

namespace zwerm::net {

enum class close_reason {
  local_close,         // our own side called session::close()
  shutdown,            // the listener or dialer was stopped
  peer_goodbye,        // the peer closed cleanly with a box-stream goodbye
  truncated,           // the peer's stream ended (EOF) without a goodbye
  io_error,            // the socket failed (reset, unreachable, …)
  handshake_failed,    // a handshake message failed its cryptographic check
  handshake_timeout,   // client: the handshake missed its deadline; server: msg1 did not arrive
                       // complete within the hello deadline
  handshake_stalled,   // server: after a complete msg1, the rest of the handshake or the
                       // admission message missed its deadline (a light offence, not
                       // misbehaviour: a network that freezes mid-handshake does this)
  unauthorized,        // server: the authorizer rejected the client's key for that community;
                       // client: the server closed right after msg3 (it does not admit us)
  bad_admission,       // missing, malformed or invalid invite token / admission message
  self_connection,     // the remote key is our own key: a node dialed itself
  protocol_violation,  // tampered box, oversize message length, data after goodbye
  keepalive_timeout,   // nothing received for the keepalive timeout
  send_queue_full,     // the peer did not drain our send queue fast enough
  close_timeout,       // our goodbye was not answered in time
  internal_error,      // an exception escaped a session coroutine (a bug or out of memory)
  evicted,             // server: a handshake still unfinished gave its slot to a newcomer when
                       // every inbound slot was taken (listener_options::max_inbound)
};

// A short stable name, e.g. "handshake_timeout" (for logs and status output).
std::string_view to_string(close_reason r);

// True for reasons that ban the remote address: a peer that cannot have been an honest peer
// on a working network (bad handshake messages, a tampered box, oversize lengths, a bad
// invite token, a client that connects and never completes its hello).
bool is_misbehaviour(close_reason r);

// What the end of an inbound connection holds against the client's address (the listener
// decides bans by it; docs/PROTOCOL.md §4.3.5).
enum class offence {
  none,          // nothing: an admitted session that ended without misbehaviour, our own
                 // close or shutdown, a self-connection, our own bug (internal_error)
  abandoned,     // light: the client left before it was admitted (EOF or reset during the
                 // handshake or before its admission message), or stalled after its hello
                 // (handshake_stalled)
  refused,       // light: the authorizer rejected the client's key (unauthorized)
  misbehaviour,  // heavy: is_misbehaviour(reason); bans at once
};

// `admitted`: the session got past admission (session::was_connected()).
offence offence_of(close_reason reason, bool admitted);
std::string_view to_string(offence o);

struct disconnect_info {
  close_reason reason = close_reason::local_close;
  std::string operation;  // what we were doing, e.g. "reading a box header"
  error_code error;       // set when the OS reported one
  std::string detail;     // a sentence for people, may be empty

  bool misbehaviour() const { return is_misbehaviour(reason); }
  // "handshake_failed while reading client auth (msg3): ..." — for logs.
  std::string describe() const;
};

// The one place that decides which error codes are an ordinary end of a connection (peer
// went away, we cancelled) rather than something worth a warning.
bool is_benign(const error_code& ec);

// The completion handler for co_spawn: logs an escaped exception with the coroutine's name
// instead of swallowing it as `detached` would. Never rethrows.
struct log_exception {
  std::string_view what;  // a string literal naming the coroutine
  void operator()(std::exception_ptr e) const;
};

}  // namespace zwerm::net
