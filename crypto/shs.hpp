// Secret Handshake v1 (Scuttlebutt's SHS), the cryptographic state machines only: no I/O.
//
// Message sizes: msg1 (client hello) 64, msg2 (server hello) 64, msg3 (client auth) 112,
// msg4 (server accept) 80. See docs/PROTOCOL.md, "Transport", for the byte layout.
//
// Both classes are single-use and not thread-safe. Every method that consumes a peer message
// returns false when the message must be refused (wrong length, bad hmac, low-order key, box
// that does not open, bad signature, a long-term key without an X25519 form: all alike); the
// caller then closes the connection without sending anything more, and the object stays
// refused. Peer bytes never throw. Calling a method out of order (auth() before a successful
// read_server_hello, session_keys() before the end, ...) is a bug of the caller and throws
// std::logic_error. Ephemeral and long-term secrets and the intermediate shared secrets are
// wiped (sodium_memzero) as soon as the session keys exist, on refusal, and on destruction.
// The individual computations are in crypto/shs_steps.hpp.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string_view>

#include "base/bytes.hpp"
#include "crypto/sign.hpp"

namespace zwerm::crypto {

inline constexpr std::size_t shs_msg1_size = 64;
inline constexpr std::size_t shs_msg2_size = 64;
inline constexpr std::size_t shs_msg3_size = 112;
inline constexpr std::size_t shs_msg4_size = 80;

using box_key = fixed_bytes<32, struct box_key_tag>;
using box_nonce = fixed_bytes<24, struct box_nonce_tag>;

// An X25519 key pair used for one connection only.
struct ephemeral_key_pair {
  fixed_bytes<32, struct x25519_pk_tag> pk;
  fixed_bytes<32, struct x25519_sk_tag> sk;
};
ephemeral_key_pair generate_ephemeral_key_pair();

// The outcome of a completed handshake: the two box-stream directions and who the peer is.
struct shs_session_keys {
  box_key encrypt_key;
  box_nonce encrypt_nonce;
  box_key decrypt_key;
  box_nonce decrypt_nonce;
  public_key remote;  // the peer's long-term key
};

class shs_client {
 public:
  // `ephemeral` is for replaying recorded vectors in tests; production passes nothing.
  shs_client(const network_key& network, const key_pair& local, const public_key& server,
             std::optional<ephemeral_key_pair> ephemeral = std::nullopt);
  ~shs_client();
  shs_client(const shs_client&) = delete;
  shs_client& operator=(const shs_client&) = delete;

  std::array<std::uint8_t, shs_msg1_size> hello() const;
  bool read_server_hello(std::span<const std::uint8_t> msg2);
  std::array<std::uint8_t, shs_msg3_size> auth();  // after read_server_hello succeeded
  bool read_server_accept(std::span<const std::uint8_t> msg4);
  shs_session_keys session_keys() const;  // after read_server_accept succeeded

 private:
  struct state;
  state* s_;
};

class shs_server {
 public:
  // `networks` are the keys of every community this node serves (at least one, else
  // std::invalid_argument); the client's hello selects one (network_index()). Every key is
  // tried on each hello, so the time taken does not tell which one matched.
  shs_server(std::span<const network_key> networks, const key_pair& local,
             std::optional<ephemeral_key_pair> ephemeral = std::nullopt);
  ~shs_server();
  shs_server(const shs_server&) = delete;
  shs_server& operator=(const shs_server&) = delete;

  bool read_client_hello(std::span<const std::uint8_t> msg1);
  std::size_t network_index() const;  // which of `networks` the hello used
  std::array<std::uint8_t, shs_msg2_size> hello() const;
  bool read_client_auth(std::span<const std::uint8_t> msg3);
  public_key client_key() const;  // after read_client_auth succeeded
  std::array<std::uint8_t, shs_msg4_size> accept();
  shs_session_keys session_keys() const;  // after accept()

 private:
  struct state;
  state* s_;
};

}  // namespace zwerm::crypto
