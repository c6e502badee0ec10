// Options for sessions and listeners: plain structs with in-class defaults. node/ translates
// the daemon's JSON config into these; tests shorten the deadlines.
#pragma once

#include <chrono>
#include <cstddef>

#include "net/ban_list.hpp"

namespace zwerm::net {

// What session::send() does when the send queue is over its limit.
enum class overflow_policy {
  disconnect,  // close the session (reason send_queue_full): the peer is too slow
  drop,        // refuse the message (send() returns false) and keep the session
};

struct session_options {
  // Largest message payload, in bytes, in either direction. A peer announcing a longer one is
  // closed as a protocol violation before anything is allocated; send() refuses longer ones.
  // Default 1 MiB.
  std::size_t max_message_size = std::size_t{1} << 20;
  // Bytes (payload plus 4-byte headers) that may wait in the send queue. async_send() waits
  // while the queue is at or over this; send() applies `on_overflow`. A message always fits
  // an empty queue, whatever its size (up to max_message_size). Default 4 MiB.
  std::size_t send_queue_limit = std::size_t{4} << 20;
  // See overflow_policy. Default disconnect.
  overflow_policy on_overflow = overflow_policy::disconnect;
  // The whole handshake (TCP connect for a dialer, the four SHS messages) must finish within
  // this, or the connection is closed (reason handshake_timeout). Default 10 s.
  std::chrono::milliseconds handshake_timeout{std::chrono::seconds(10)};
  // Server side: after msg4 the client's admission message (its first message, carrying an
  // invite token when one is needed) must arrive within this. Default 10 s.
  std::chrono::milliseconds admission_timeout{std::chrono::seconds(10)};
  // After this long without sending anything we send a keepalive (an empty message,
  // 38 bytes on the wire). Default 30 s.
  std::chrono::milliseconds keepalive_interval{std::chrono::seconds(30)};
  // After this long without receiving anything the peer is dropped (reason
  // keepalive_timeout). Should be a few keepalive intervals. Default 90 s.
  std::chrono::milliseconds keepalive_timeout{std::chrono::seconds(90)};
  // After we sent our goodbye, how long we wait for the peer's before closing anyway.
  // Default 5 s.
  std::chrono::milliseconds close_timeout{std::chrono::seconds(5)};
};

struct listener_options {
  session_options session;
  // Inbound connections open at once (handshaking or established). Beyond this a new
  // connection is closed right after accept, before any crypto. Default 256.
  std::size_t max_inbound = 256;
  // Inbound connections open at once from one IP address. Default 8. Several daemons on one
  // machine all connect from 127.0.0.1: raise it for such setups.
  std::size_t max_inbound_per_address = 8;
  // Ban the remote address of a session that ends with misbehaviour (is_misbehaviour()).
  // Default true.
  bool ban_misbehaviour = true;
  // Backoff of those bans.
  ban_options bans;
};

}  // namespace zwerm::net
