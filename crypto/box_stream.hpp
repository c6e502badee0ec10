// Box-stream (Scuttlebutt): the encrypted, authenticated framing used after the handshake.
// Pure functions of bytes, no I/O, so framing is testable and fuzzable without sockets.
//
// A frame is a 34-byte boxed header (be16 length ‖ body MAC) followed by the body ciphertext
// of 1..4096 bytes. The goodbye frame is a boxed header of 18 zero bytes. docs/PROTOCOL.md
// §4.2 has the byte layout. Keys and nonces come from shs_session_keys: a sealer takes
// (encrypt_key, encrypt_nonce), an opener (decrypt_key, decrypt_nonce).
//
// Both classes are single-threaded value holders; they wipe their key on destruction. The
// opener never throws on peer bytes: a refused header or body is reported by its return value
// and leaves the opener failed for good (the connection must be closed). Truncation: the
// transport reads until EOF; an EOF while !ended() is a truncated stream, not a clean close.
#pragma once

#include <cstddef>
#include <cstdint>
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
  // Appends the goodbye frame; nothing may be sealed after it (seal() and goodbye() then
  // throw std::logic_error: that is a bug of the caller).
  void goodbye(std::string& out);

 private:
  box_key key_;
  box_nonce nonce_;
  bool finished_ = false;
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

  // True once the goodbye frame was opened: the peer ended the stream cleanly. Any call after
  // that is refused (`bad` / false) and makes the opener failed.
  bool ended() const { return phase_ == phase::ended; }
  // True after a refused header or body, or a call out of order (open_body without a header,
  // a body of another length than announced): the stream cannot continue.
  bool failed() const { return phase_ == phase::failed; }

 private:
  enum class phase : std::uint8_t { header, body, ended, failed };
  void fail();

  phase phase_ = phase::header;
  box_key key_;
  box_nonce nonce_;
  std::array<std::uint8_t, 16> pending_tag_{};
  std::size_t pending_len_ = 0;
};

}  // namespace zwerm::crypto
