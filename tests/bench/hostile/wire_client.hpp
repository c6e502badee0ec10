// A client of zwerm's transport written from docs/PROTOCOL.md §4, for hostile-peer benchmarks:
// TCP from a chosen source address, the Secret Handshake (crypto::shs_client), box-stream
// (crypto::box_stream_*) and the message layer (be32 length ‖ payload), on one blocking
// socket driven by poll(). No Asio and no net/: it speaks the protocol from the spec side, so
// it can do what net::dialer never does (bind a source address, stop half-way, send what the
// spec forbids) and see exactly what the server sends back.
//
// It counts the bytes on the wire both ways after the handshake, records how and when the far
// end ended the connection (goodbye, EOF or reset), and never throws on peer bytes.
//
// Threads: one object belongs to one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/box_stream.hpp"
#include "crypto/shs.hpp"
#include "crypto/sign.hpp"

namespace zwerm::bench::hostile {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How the far end ended the connection, as the client saw it.
enum class ending {
  open,     // not ended (yet)
  goodbye,  // a box-stream goodbye, then EOF: a clean close
  eof,      // EOF without a goodbye
  reset,    // a TCP reset (or another socket error)
};
const char* to_string(ending e);

// What the handshake came to.
enum class handshake_outcome {
  open,            // msg4 checked: the box-stream is up (the admission message comes next)
  no_connect,      // the TCP connect failed or timed out
  closed_at_once,  // the server ended the connection before msg2 (banned, over a limit, or a
                   // refused msg1)
  no_msg4,         // the server ended the connection after msg3 (it rejected the key)
  bad_server,      // msg2 or msg4 did not verify (not the expected server or network)
  timeout,         // the server said nothing within the deadline
};
const char* to_string(handshake_outcome o);

class wire_client {
 public:
  // `source`: the IPv4 address the socket binds before connecting, e.g. "127.0.0.20".
  explicit wire_client(std::string source);
  // Closes the socket without a goodbye.
  ~wire_client();
  wire_client(const wire_client&) = delete;
  wire_client& operator=(const wire_client&) = delete;

  // TCP connect to host:port (IPv4 literal). False when it failed or timed out.
  bool connect(const std::string& host, std::uint16_t port, milliseconds timeout);
  // The client's four handshake steps, expecting `server` on network `network`.
  handshake_outcome handshake(const crypto::network_key& network, const crypto::key_pair& me,
                              const crypto::public_key& server, milliseconds timeout);
  // connect() and handshake() in one; no_connect when the connect fails.
  handshake_outcome dial(const std::string& host, std::uint16_t port,
                         const crypto::network_key& network, const crypto::key_pair& me,
                         const crypto::public_key& server, milliseconds timeout);

  // The admission message (0x01 ‖ token) as the first message.
  bool admit(std::string_view token);
  // One message (payload 0 .. 1 MiB; 0 is a keepalive), sealed on its own. False when the
  // connection ended or the write did not finish within 10 s.
  bool send(std::string_view payload);
  // Several messages packed into as few box-stream bodies as possible (as zwerm sends them).
  bool send_packed(const std::vector<std::string>& payloads);
  // The box-stream goodbye, then shuts down the write direction.
  void goodbye();
  // Raw bytes on the socket, outside any framing (for partial handshakes and garbage).
  bool send_raw(std::string_view bytes);

  // Reads what arrives for at most `budget`; returns early once a complete message is waiting
  // or the connection ended. The next complete message, if any.
  std::optional<std::string> next(milliseconds budget);
  // Reads until nothing arrived for `quiet`, the connection ended, or `budget` passed; the
  // messages that arrived are appended to *out (when not null).
  void drain(milliseconds quiet, milliseconds budget, std::vector<std::string>* out);
  // Reads until the connection ends or `budget` passes; true when it ended.
  bool wait_end(milliseconds budget, std::vector<std::string>* out = nullptr);

  ending ended() const { return ending_; }
  bool is_ended() const { return ending_ != ending::open; }
  clock_type::time_point ended_at() const { return ended_at_; }
  // Box-stream bytes after the handshake: written by us, read from the server.
  std::uint64_t wire_out() const { return wire_out_; }
  std::uint64_t wire_in() const { return wire_in_; }
  std::uint64_t messages_in() const { return messages_in_; }
  // True when the box-stream broke (a frame that did not open): the server sent garbage.
  bool stream_failed() const { return stream_failed_; }

 private:
  // Waits at most `wait` for input and processes it. False when nothing arrived.
  bool pump(milliseconds wait);
  // Reads what the socket holds now; handles EOF and errors.
  bool read_available();
  void process_frames();
  void end(ending how);
  // Writes all of `bytes` (reading meanwhile, so that a server writing to us cannot deadlock
  // us). False when the connection ended or the deadline passed.
  bool write_all(std::string_view bytes, milliseconds timeout);
  // Before the box-stream: waits until `n` raw bytes are buffered.
  std::optional<std::string> read_exact(std::size_t n, clock_type::time_point deadline);

  std::string source_;
  int fd_ = -1;
  ending ending_ = ending::open;
  clock_type::time_point ended_at_{};
  bool handshake_done_ = false;
  bool stream_failed_ = false;

  std::optional<crypto::box_stream_sealer> sealer_;
  std::optional<crypto::box_stream_opener> opener_;
  std::string raw_;                // bytes read and not yet opened
  std::size_t body_pending_ = 0;   // body length announced by the last header, 0: none
  std::string plain_;              // opened bytes not yet cut into messages
  std::deque<std::string> inbox_;  // complete messages (keepalives left out)

  std::uint64_t wire_out_ = 0, wire_in_ = 0, messages_in_ = 0;
};

// Makes one message of the message layer: be32(len) ‖ payload.
std::string frame_message(std::string_view payload);

// True when a fresh connection from `source` to host:port is refused before the handshake
// (reset at accept, or closed at once after a valid msg1): the address is banned (or over a
// limit). Sends a msg1 made with `network`, so that an unbanned server answers with msg2.
bool looks_banned(const std::string& source, const std::string& host, std::uint16_t port,
                  const crypto::network_key& network, const crypto::public_key& server);

}  // namespace zwerm::bench::hostile
