// The message layer above box-stream: pure functions of bytes, no I/O, so tests and fuzzers
// drive it without sockets (docs/PROTOCOL.md §4.3).
//
// The decrypted box-stream bodies of one direction form a byte stream of messages, each
//   u32 big-endian payload length ‖ payload
// with no alignment to bodies: a message may span many bodies and one body may hold many
// messages (that packing is what keeps the overhead of small records low). A zero-length
// message is a keepalive and is never handed to the application.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "base/status.hpp"

namespace zwerm::net {

inline constexpr std::size_t message_header_size = 4;

// Appends one message (header and payload) to `plain`. Precondition: payload.size() < 2^32.
void append_message(std::string& plain, std::string_view payload);

// Reassembles messages from decrypted body bytes, in order.
class message_assembler {
 public:
  // Messages longer than `max_message_size` are refused from their header alone, before any
  // memory is set aside for them.
  explicit message_assembler(std::size_t max_message_size);

  // Consumes `bytes` and calls `sink(std::string_view payload)` for each complete non-empty
  // message; `*keepalives` (when given) counts the empty ones. The view is valid only during
  // the call. Returns a `rejected` status when a header announces a message over the bound;
  // the assembler must not be fed again after an error. `sink` may return false to stop
  // early (the rest of `bytes` is dropped and feed returns ok): used when the session closes.
  template <class Sink>
  status feed(std::string_view bytes, Sink&& sink, std::size_t* keepalives = nullptr);

  // Changes the bound for lengths read from now on (also from inside a sink, for the
  // messages after the current one); a message whose length was already accepted keeps it.
  void set_max_message_size(std::size_t max_message_size) { max_ = max_message_size; }
  std::size_t max_message_size() const { return max_; }

  // Bytes of a partial message held back for the next feed.
  std::size_t buffered() const { return partial_.size(); }
  // Drops any partial message and frees its memory (the stream has ended).
  void reset() {
    std::string().swap(partial_);
    partial_need_ = 0;
  }

 private:
  // Returns the announced length, or refuses it.
  status check_length(std::uint32_t len) const;
  static std::uint32_t read_be32(const char* p);

  std::size_t max_;
  std::string partial_;           // bytes of the message being reassembled, header included
  std::size_t partial_need_ = 0;  // total size of that message (header + payload), once known
};

template <class Sink>
status message_assembler::feed(std::string_view bytes, Sink&& sink, std::size_t* keepalives) {
  while (!bytes.empty()) {
    if (partial_.empty() && bytes.size() >= message_header_size) {
      // Fast path: whole messages straight out of the body, no copy.
      const std::uint32_t len = read_be32(bytes.data());
      if (status st = check_length(len); !st.ok()) return st;
      const std::size_t total = message_header_size + len;
      if (bytes.size() >= total) {
        if (len == 0) {
          if (keepalives) ++*keepalives;
        } else if (!sink(bytes.substr(message_header_size, len))) {
          return {};
        }
        bytes.remove_prefix(total);
        continue;
      }
    }
    // Slow path: accumulate a message that spans bodies.
    if (partial_need_ == 0) {
      const std::size_t take = std::min(message_header_size - partial_.size(), bytes.size());
      partial_.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
      if (partial_.size() < message_header_size) continue;
      const std::uint32_t len = read_be32(partial_.data());
      if (status st = check_length(len); !st.ok()) return st;
      partial_need_ = message_header_size + len;
      partial_.reserve(partial_need_);
    }
    const std::size_t take = std::min(partial_need_ - partial_.size(), bytes.size());
    partial_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (partial_.size() == partial_need_) {
      const bool empty = partial_need_ == message_header_size;
      std::string message = std::move(partial_);
      partial_.clear();
      partial_need_ = 0;
      if (empty) {
        if (keepalives) ++*keepalives;
      } else if (!sink(std::string_view(message).substr(message_header_size))) {
        return {};
      }
    }
  }
  return {};
}

}  // namespace zwerm::net

namespace zwerm::net {

// The admission message: the client's first message after the handshake, always sent.
//   0x01 ‖ token (0..max_token_size bytes; empty when the client has no invite token)
inline constexpr char admission_version = 0x01;
inline constexpr std::size_t max_token_size = 256;
// The longest admission message payload (version byte and token). The server reads the
// client's first message under this bound: a longer announced length is refused from the
// message header alone (bad_admission), before anything is set aside for it.
inline constexpr std::size_t max_admission_size = 1 + max_token_size;

std::string encode_admission(std::string_view token);
// False when `message` is not a well-formed admission message; else *token views into it.
bool decode_admission(std::string_view message, std::string_view* token);

// The refusal notice: the server's only message on a session it does not open, sent after the
// client's admission message and before the goodbye (PROTOCOL.md §4.3.2).
//   0x00 ‖ u8 reason ‖ detail (0..256 bytes, the reason's)
// No sync message starts with 0x00, so a client tells a notice from the first sync message by
// its first byte.
inline constexpr char refusal_marker = 0x00;
inline constexpr std::size_t max_refusal_detail = 256;
enum class refusal_reason : std::uint8_t {
  removed = 1,  // the client's member was removed; detail: the 32-byte id of the record with
                // which the removal took effect
};
std::string encode_refusal(refusal_reason reason, std::string_view detail);
// False when `message` is not a refusal notice; else *reason and *detail (a view into it).
// An unknown reason is still a notice (reason as sent).
bool decode_refusal(std::string_view message, std::uint8_t* reason, std::string_view* detail);

}  // namespace zwerm::net
