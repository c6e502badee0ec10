// Box-stream (Scuttlebutt): the encrypted, authenticated framing used after the handshake.
// Pure functions of bytes, no I/O, so framing is testable and fuzzable without sockets.
//
// A frame is a 34-byte boxed header (be16 length ‖ body MAC) followed by the body ciphertext
// of 1..4096 bytes. The goodbye frame is a boxed header of 18 zero bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "crypto/shs.hpp"

namespace zwerm::crypto {

inline constexpr std::size_t box_header_size = 34;
inline constexpr std::size_t box_max_body = 4096;

// Adds one to a 24-byte big-endian nonce, wrapping.
void increment_nonce(box_nonce& n);

class box_stream_sealer {
 public:
  box_stream_sealer(const box_key& key, const box_nonce& nonce);
  ~box_stream_sealer();
  // Appends frames for `plain` to `out`, splitting into bodies of at most 4096 bytes.
  // An empty `plain` appends nothing.
  void seal(std::string_view plain, std::string& out);
  // Appends the goodbye frame; nothing may be sealed after it.
  void goodbye(std::string& out);

 private:
  box_key key_;
  box_nonce nonce_;
};

class box_stream_opener {
 public:
  enum class header_result { body, goodbye, bad };

  box_stream_opener(const box_key& key, const box_nonce& nonce);
  ~box_stream_opener();
  // Opens a 34-byte header. On `body`, *body_len is in 1..4096 and open_body must follow
  // with exactly that many bytes. `bad` is fatal: the stream cannot continue.
  header_result open_header(std::string_view header, std::size_t* body_len);
  // Decrypts the body that the last header announced and appends it to `out`; false is fatal.
  bool open_body(std::string_view cipher, std::string& out);

 private:
  box_key key_;
  box_nonce nonce_;
  std::array<std::uint8_t, 16> pending_tag_{};
  std::size_t pending_len_ = 0;
};

}  // namespace zwerm::crypto
