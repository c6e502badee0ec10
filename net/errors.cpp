#include "net/errors.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/error.hpp>

namespace zwerm::net {

std::string_view to_string(close_reason r) {
  switch (r) {
    case close_reason::local_close:
      return "local_close";
    case close_reason::shutdown:
      return "shutdown";
    case close_reason::evicted:
      return "evicted";
    case close_reason::peer_goodbye:
      return "peer_goodbye";
    case close_reason::truncated:
      return "truncated";
    case close_reason::io_error:
      return "io_error";
    case close_reason::handshake_failed:
      return "handshake_failed";
    case close_reason::handshake_timeout:
      return "handshake_timeout";
    case close_reason::handshake_stalled:
      return "handshake_stalled";
    case close_reason::unauthorized:
      return "unauthorized";
    case close_reason::bad_admission:
      return "bad_admission";
    case close_reason::self_connection:
      return "self_connection";
    case close_reason::protocol_violation:
      return "protocol_violation";
    case close_reason::keepalive_timeout:
      return "keepalive_timeout";
    case close_reason::send_queue_full:
      return "send_queue_full";
    case close_reason::close_timeout:
      return "close_timeout";
    case close_reason::internal_error:
      return "internal_error";
  }
  return "unknown";
}

bool is_misbehaviour(close_reason r) {
  switch (r) {
    case close_reason::handshake_failed:
    case close_reason::handshake_timeout:
    case close_reason::bad_admission:
    case close_reason::protocol_violation:
      return true;
    default:
      // unauthorized is not misbehaviour: a removed member's node may keep trying in good
      // faith (it is a light offence, offence_of); self_connection and timeouts after the
      // handshake happen to honest peers.
      return false;
  }
}

offence offence_of(close_reason reason, bool admitted) {
  if (is_misbehaviour(reason)) return offence::misbehaviour;
  switch (reason) {
    case close_reason::unauthorized:
      return offence::refused;
    case close_reason::truncated:
    case close_reason::io_error:
    case close_reason::handshake_stalled:
      // Honest clients do this now and then (a network that drops or freezes, a node that
      // stops while it dials); a hostile one does it to hold a slot until just before a
      // deadline, or up to it: the same to the server, so the same light offence.
      return admitted ? offence::none : offence::abandoned;
    default:
      return offence::none;
  }
}

std::string_view to_string(offence o) {
  switch (o) {
    case offence::none:
      return "none";
    case offence::abandoned:
      return "abandoned handshake";
    case offence::refused:
      return "refused handshake";
    case offence::misbehaviour:
      return "misbehaviour";
  }
  return "unknown";
}

std::string disconnect_info::describe() const {
  std::string s(to_string(reason));
  if (!operation.empty()) s += " while " + operation;
  if (!detail.empty()) s += ": " + detail;
  if (error) s += " (" + error.message() + ")";
  return s;
}

bool is_benign(const error_code& ec) {
  namespace err = asio::error;
  return !ec || ec == err::eof || ec == err::operation_aborted || ec == err::connection_reset ||
         ec == err::broken_pipe || ec == err::bad_descriptor || ec == err::connection_aborted ||
         ec == err::shut_down || ec == err::not_connected;
}

void log_exception::operator()(std::exception_ptr e) const {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("net: coroutine {} ended with an exception: {}", what, ex.what());
  } catch (...) {
    spdlog::error("net: coroutine {} ended with an unknown exception", what);
  }
}

}  // namespace zwerm::net
