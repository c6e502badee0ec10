// The individual computations of Secret Handshake v1, as pure functions of bytes.
//
// shs_client and shs_server (crypto/shs.hpp) are built only from these functions; they are
// public so that tests can replay, step by step, the calls recorded from the JS reference
// implementation (tests/vectors/shs1-test-secret-handshake.data.json). Production code
// outside crypto/ should use the state machines, not these steps.
//
// Names follow docs/PROTOCOL.md §4: N network key, A/B client/server long-term Ed25519 keys,
// a/b client/server ephemeral X25519 keys, ab/aB/Ab the three shared secrets. Every function
// that can fail returns std::nullopt or false instead of a value; none throws on bad input.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/bytes.hpp"
#include "crypto/shs.hpp"
#include "crypto/sign.hpp"

namespace zwerm::crypto {

using x25519_public_key = decltype(ephemeral_key_pair::pk);
using x25519_secret_key = decltype(ephemeral_key_pair::sk);
using shs_mac = fixed_bytes<32, struct shs_mac_tag>;        // hmac(N, ephemeral pk)
using shs_secret = fixed_bytes<32, struct shs_secret_tag>;  // ab, aB, Ab and keys hashed from them

// hmac(N, eph) = HMAC-SHA-512-256 (crypto_auth) of the ephemeral public key under N.
shs_mac shs_app_mac(const network_key& network, const x25519_public_key& eph);
// Constant-time check of a received hmac.
bool shs_verify_app_mac(const network_key& network, const shs_mac& mac,
                        const x25519_public_key& eph);

// X25519. nullopt when the peer's point has low order (the result would be all zeros).
std::optional<shs_secret> shs_x25519(const x25519_secret_key& sk, const x25519_public_key& pk);
// Ed25519 -> X25519. nullopt for a public key of small or mixed order, or not on the curve.
std::optional<x25519_public_key> shs_curve_pk(const public_key& pk);
std::optional<x25519_secret_key> shs_curve_sk(const secret_key& sk);

// The ephemeral key the JS reference derives from 32 random bytes: the X25519 form of the
// Ed25519 key pair with that seed. Only for replaying recorded vectors; zwerm's own ephemeral
// keys come from generate_ephemeral_key_pair().
std::optional<ephemeral_key_pair> shs_ephemeral_from_ed25519_seed(const seed& s);

// msg1 / msg2: hmac(N, eph) ‖ eph.
std::array<std::uint8_t, 64> shs_challenge(const network_key& network,
                                           const x25519_public_key& eph);
// Splits a received msg1 / msg2 and checks its hmac; nullopt when it does not verify.
std::optional<x25519_public_key> shs_verify_challenge(const network_key& network,
                                                      std::span<const std::uint8_t> msg,
                                                      shs_mac* mac_out);

// sha256(N ‖ ab ‖ aB): the key of the msg3 box.
shs_secret shs_msg3_key(const network_key& network, const shs_secret& ab, const shs_secret& aB);
// sha256(N ‖ ab ‖ aB ‖ Ab): the key of the msg4 box.
shs_secret shs_msg4_key(const network_key& network, const shs_secret& ab, const shs_secret& aB,
                        const shs_secret& Ab);

// The msg3 plaintext sig_A ‖ A with sig_A = sign(A_sk, N ‖ B ‖ sha256(ab)).
std::array<std::uint8_t, 96> shs_client_hello_plain(const network_key& network,
                                                    const key_pair& client,
                                                    const public_key& server,
                                                    const sha256_digest& ab_hash);
// Checks sig_A of a msg3 plaintext; on success *client receives A.
bool shs_verify_client_hello_plain(const network_key& network, const public_key& server,
                                   const sha256_digest& ab_hash,
                                   std::span<const std::uint8_t> plain96, public_key* client);
// sig_B = sign(B_sk, N ‖ sig_A ‖ A ‖ sha256(ab)), the msg4 plaintext.
signature shs_server_accept_sig(const network_key& network, const secret_key& server_sk,
                                std::span<const std::uint8_t> client_hello_plain96,
                                const sha256_digest& ab_hash);
bool shs_verify_server_accept_sig(const network_key& network, const public_key& server,
                                  std::span<const std::uint8_t> client_hello_plain96,
                                  const sha256_digest& ab_hash, const signature& sig_b);

// Box with the all-zero nonce (used once per key): 16-byte MAC ‖ ciphertext.
std::string shs_box(std::span<const std::uint8_t> plain, const shs_secret& key);
// Opens such a box; nullopt when the MAC does not verify.
std::optional<std::string> shs_unbox(std::span<const std::uint8_t> boxed, const shs_secret& key);

// box_secret = sha256(msg4 key); a stream key = sha256(box_secret ‖ the receiving side's pk).
shs_secret shs_box_secret(const shs_secret& msg4_key);
box_key shs_stream_key(const shs_secret& box_secret, const public_key& receiver);
// A stream nonce: the first 24 bytes of the receiving side's hmac.
box_nonce shs_stream_nonce(const shs_mac& receiver_mac);

// Overwrites a secret with zeros in a way the compiler cannot drop (sodium_memzero).
void wipe(void* p, std::size_t n);
template <class T>
void wipe(T& fixed) {
  wipe(fixed.data(), T::size());
}

}  // namespace zwerm::crypto
