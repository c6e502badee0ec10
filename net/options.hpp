// Options for sessions and listeners: plain structs with in-class defaults. node/ translates
// the daemon's JSON config into these; tests shorten the deadlines.
#pragma once

#include <chrono>
#include <cstddef>

#include "net/ban_list.hpp"
#include "net/offence_counter.hpp"

namespace zwerm::net {

class virtual_clock;

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
  // Server side: the client's hello (SHS msg1, 64 bytes) must have arrived within this of
  // the accept, or the connection is closed (reason handshake_timeout). A real client sends
  // it right after connecting; with this deadline a connection that says nothing holds its
  // slot for 3 s rather than the whole handshake_timeout. Capped by handshake_timeout.
  // Default 3 s.
  std::chrono::milliseconds hello_timeout{std::chrono::seconds(3)};
  // Server side: after msg4 the client's admission message (its first message, carrying an
  // invite token when one is needed) must arrive within this (else reason bad_admission).
  // Default 10 s.
  std::chrono::milliseconds admission_timeout{std::chrono::seconds(10)};
  // After this long without sending anything we send a keepalive (an empty message,
  // 38 bytes on the wire: under 8 bytes a second). Short, so that a link that died (a
  // partition, a laptop gone to sleep) always has data of ours waiting for an ACK, which
  // `tcp_user_timeout` needs to notice it. Default 5 s (PROTOCOL.md §4.3.3 allows up to 30 s).
  std::chrono::milliseconds keepalive_interval{std::chrono::seconds(5)};
  // After this long without receiving anything the peer is dropped (reason
  // keepalive_timeout). Should be a few keepalive intervals. Default 90 s.
  std::chrono::milliseconds keepalive_timeout{std::chrono::seconds(90)};
  // TCP_USER_TIMEOUT of the socket: when data we sent stays unacknowledged by the peer's
  // kernel this long, the kernel ends the connection (reason io_error), and the peer is
  // redialed on a fresh connection. Without it a connection through a partition stays "up"
  // and, once the partition heals, resumes only at TCP's next retransmission, which backs off
  // to tens of seconds. A live peer's kernel acknowledges our keepalives even while its
  // node does not read (receive-side flow control), so this never ends a slow but live
  // connection. 0: the system's default (about 15 minutes). Default 15 s.
  std::chrono::milliseconds tcp_user_timeout{std::chrono::seconds(15)};
  // After we sent our goodbye, how long we wait for the peer's before closing anyway.
  // Default 5 s.
  std::chrono::milliseconds close_timeout{std::chrono::seconds(5)};
  // Tests and simulations: keep the deadlines and keepalives above in this clock's time
  // (net/virtual_time.hpp), which only its owner moves, instead of the machine's steady
  // clock. Must outlive the sessions. Default nullptr (the steady clock; zwermd never sets it).
  virtual_clock* virtual_time = nullptr;
};

struct listener_options {
  session_options session;
  // Inbound connections open at once (handshaking or established). When all are taken, a new
  // connection takes the slot of a connection still in its handshake (not admitted yet): the
  // oldest one of an address that holds at least two more handshakes than the newcomer's
  // address (fair share), else the oldest one older than `evict_after`; when there is none, the
  // new one is closed right after accept, before any crypto. Default 64 (zwermd's
  // limits.max_inbound).
  std::size_t max_inbound = 64;
  // Connections from one IP address still in their handshake (not admitted yet) at once;
  // admitted sessions do not count, so an office, a school or a home behind one address can
  // hold any number of them. Default 8 (zwermd's limits.max_inbound_per_address).
  std::size_t max_inbound_per_address = 8;
  // How long a connection must have been in its handshake before a newcomer may take its
  // slot. An honest handshake takes milliseconds. Default 250 ms.
  std::chrono::milliseconds evict_after{250};
  // false: never evict (a full listener resets every newcomer). For tests of the bans alone.
  bool evict_half_open = true;
  // Ban the remote address of a session that ends with misbehaviour (is_misbehaviour()), and
  // of one whose light offences (below) go over their allowance. Default true.
  bool ban_misbehaviour = true;
  // Backoff of those bans.
  ban_options bans;
  // Connections from one address that end before admission by EOF or reset (offence
  // abandoned, errors.hpp): more than `allowed` within `window` ban the address. Default 3
  // per minute.
  offence_allowance abandoned_handshakes;
  // Handshakes refused because the authorizer rejected the client's key (offence refused):
  // more than `allowed` within `window` ban the address. Default 3 per minute.
  offence_allowance refused_handshakes;
  // Lines about failed inbound handshakes are rate-limited (log_limiter.hpp): at most one per
  // address class (IPv4 /24, IPv6 /48) per this period; the next one says how many were
  // left out. Zero logs every one. Default 10 s.
  std::chrono::milliseconds handshake_log_interval{std::chrono::seconds(10)};
};

}  // namespace zwerm::net
