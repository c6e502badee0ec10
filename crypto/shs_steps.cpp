#include "crypto/shs_steps.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace zwerm::crypto {
namespace {

static_assert(crypto_auth_BYTES == 32 && crypto_auth_KEYBYTES == 32);
static_assert(crypto_scalarmult_BYTES == 32 && crypto_scalarmult_SCALARBYTES == 32);
static_assert(crypto_secretbox_KEYBYTES == 32 && crypto_secretbox_MACBYTES == 16);
static_assert(crypto_secretbox_NONCEBYTES == 24 && crypto_sign_BYTES == 64);
static_assert(crypto_hash_sha256_BYTES == 32);

// The handshake boxes each use a fresh key exactly once, so the nonce is fixed at zero.
constexpr unsigned char zero_nonce[crypto_secretbox_NONCEBYTES] = {};

// Incremental SHA-256 over several pieces, without copying secrets into a temporary buffer.
class sha256_builder {
 public:
  sha256_builder() {
    if (crypto_hash_sha256_init(&st_) != 0) throw std::runtime_error("sha256 init failed");
  }
  ~sha256_builder() { sodium_memzero(&st_, sizeof st_); }
  sha256_builder& add(const std::uint8_t* p, std::size_t n) {
    if (crypto_hash_sha256_update(&st_, p, n) != 0) throw std::runtime_error("sha256 failed");
    return *this;
  }
  template <class T>
  sha256_builder& add(const T& fixed) {
    return add(fixed.data(), T::size());
  }
  template <class Out>
  Out finish() {
    static_assert(Out::size() == crypto_hash_sha256_BYTES);
    Out out;
    if (crypto_hash_sha256_final(&st_, out.data()) != 0) throw std::runtime_error("sha256 failed");
    return out;
  }

 private:
  crypto_hash_sha256_state st_;
};

}  // namespace

void wipe(void* p, std::size_t n) {
  sodium_memzero(p, n);
}

shs_mac shs_app_mac(const network_key& network, const x25519_public_key& eph) {
  shs_mac mac;
  // crypto_auth cannot fail for in-memory buffers; the check keeps the "every return code" rule.
  if (crypto_auth(mac.data(), eph.data(), eph.size(), network.data()) != 0) {
    throw std::runtime_error("crypto_auth failed");
  }
  return mac;
}

bool shs_verify_app_mac(const network_key& network, const shs_mac& mac,
                        const x25519_public_key& eph) {
  return crypto_auth_verify(mac.data(), eph.data(), eph.size(), network.data()) == 0;
}

std::optional<shs_secret> shs_x25519(const x25519_secret_key& sk, const x25519_public_key& pk) {
  shs_secret out;
  if (crypto_scalarmult(out.data(), sk.data(), pk.data()) != 0) {
    wipe(out);
    return std::nullopt;
  }
  return out;
}

std::optional<x25519_public_key> shs_curve_pk(const public_key& pk) {
  x25519_public_key out;
  if (crypto_sign_ed25519_pk_to_curve25519(out.data(), pk.data()) != 0) return std::nullopt;
  return out;
}

std::optional<x25519_secret_key> shs_curve_sk(const secret_key& sk) {
  x25519_secret_key out;
  if (crypto_sign_ed25519_sk_to_curve25519(out.data(), sk.data()) != 0) {
    wipe(out);
    return std::nullopt;
  }
  return out;
}

std::optional<ephemeral_key_pair> shs_ephemeral_from_ed25519_seed(const seed& s) {
  key_pair ed;
  if (crypto_sign_seed_keypair(ed.pk.data(), ed.sk.data(), s.data()) != 0) return std::nullopt;
  auto pk = shs_curve_pk(ed.pk);
  auto sk = shs_curve_sk(ed.sk);
  wipe(ed.sk);
  if (!pk || !sk) return std::nullopt;
  ephemeral_key_pair kp{*pk, *sk};
  wipe(*sk);
  return kp;
}

ephemeral_key_pair generate_ephemeral_key_pair() {
  ephemeral_key_pair kp;
  if (crypto_box_keypair(kp.pk.data(), kp.sk.data()) != 0) {
    throw std::runtime_error("crypto_box_keypair failed");
  }
  return kp;
}

std::array<std::uint8_t, 64> shs_challenge(const network_key& network,
                                           const x25519_public_key& eph) {
  std::array<std::uint8_t, 64> msg;
  shs_mac mac = shs_app_mac(network, eph);
  std::memcpy(msg.data(), mac.data(), 32);
  std::memcpy(msg.data() + 32, eph.data(), 32);
  return msg;
}

std::optional<x25519_public_key> shs_verify_challenge(const network_key& network,
                                                      std::span<const std::uint8_t> msg,
                                                      shs_mac* mac_out) {
  if (msg.size() != 64) return std::nullopt;
  shs_mac mac;
  x25519_public_key eph;
  std::memcpy(mac.data(), msg.data(), 32);
  std::memcpy(eph.data(), msg.data() + 32, 32);
  if (!shs_verify_app_mac(network, mac, eph)) return std::nullopt;
  if (mac_out) *mac_out = mac;
  return eph;
}

shs_secret shs_msg3_key(const network_key& network, const shs_secret& ab, const shs_secret& aB) {
  return sha256_builder().add(network).add(ab).add(aB).finish<shs_secret>();
}

shs_secret shs_msg4_key(const network_key& network, const shs_secret& ab, const shs_secret& aB,
                        const shs_secret& Ab) {
  return sha256_builder().add(network).add(ab).add(aB).add(Ab).finish<shs_secret>();
}

std::array<std::uint8_t, 96> shs_client_hello_plain(const network_key& network,
                                                    const key_pair& client,
                                                    const public_key& server,
                                                    const sha256_digest& ab_hash) {
  std::array<std::uint8_t, 96> signed_msg;  // N ‖ B ‖ sha256(ab)
  std::memcpy(signed_msg.data(), network.data(), 32);
  std::memcpy(signed_msg.data() + 32, server.data(), 32);
  std::memcpy(signed_msg.data() + 64, ab_hash.data(), 32);
  std::array<std::uint8_t, 96> plain;  // sig_A ‖ A
  if (crypto_sign_detached(plain.data(), nullptr, signed_msg.data(), signed_msg.size(),
                           client.sk.data()) != 0) {
    throw std::runtime_error("crypto_sign_detached failed");
  }
  std::memcpy(plain.data() + 64, client.pk.data(), 32);
  sodium_memzero(signed_msg.data(), signed_msg.size());
  return plain;
}

bool shs_verify_client_hello_plain(const network_key& network, const public_key& server,
                                   const sha256_digest& ab_hash,
                                   std::span<const std::uint8_t> plain96, public_key* client) {
  if (plain96.size() != 96) return false;
  std::array<std::uint8_t, 96> signed_msg;
  std::memcpy(signed_msg.data(), network.data(), 32);
  std::memcpy(signed_msg.data() + 32, server.data(), 32);
  std::memcpy(signed_msg.data() + 64, ab_hash.data(), 32);
  bool ok = crypto_sign_verify_detached(plain96.data(), signed_msg.data(), signed_msg.size(),
                                        plain96.data() + 64) == 0;
  sodium_memzero(signed_msg.data(), signed_msg.size());
  if (ok && client) std::memcpy(client->data(), plain96.data() + 64, 32);
  return ok;
}

namespace {
// N ‖ sig_A ‖ A ‖ sha256(ab): what the server signs in msg4.
std::array<std::uint8_t, 160> accept_signed_message(const network_key& network,
                                                    std::span<const std::uint8_t> hello96,
                                                    const sha256_digest& ab_hash) {
  std::array<std::uint8_t, 160> m;
  std::memcpy(m.data(), network.data(), 32);
  std::memcpy(m.data() + 32, hello96.data(), 96);
  std::memcpy(m.data() + 128, ab_hash.data(), 32);
  return m;
}
}  // namespace

signature shs_server_accept_sig(const network_key& network, const secret_key& server_sk,
                                std::span<const std::uint8_t> client_hello_plain96,
                                const sha256_digest& ab_hash) {
  if (client_hello_plain96.size() != 96) throw std::invalid_argument("msg3 plaintext is 96 bytes");
  auto m = accept_signed_message(network, client_hello_plain96, ab_hash);
  signature sig;
  if (crypto_sign_detached(sig.data(), nullptr, m.data(), m.size(), server_sk.data()) != 0) {
    throw std::runtime_error("crypto_sign_detached failed");
  }
  sodium_memzero(m.data(), m.size());
  return sig;
}

bool shs_verify_server_accept_sig(const network_key& network, const public_key& server,
                                  std::span<const std::uint8_t> client_hello_plain96,
                                  const sha256_digest& ab_hash, const signature& sig_b) {
  if (client_hello_plain96.size() != 96) return false;
  auto m = accept_signed_message(network, client_hello_plain96, ab_hash);
  bool ok = crypto_sign_verify_detached(sig_b.data(), m.data(), m.size(), server.data()) == 0;
  sodium_memzero(m.data(), m.size());
  return ok;
}

std::string shs_box(std::span<const std::uint8_t> plain, const shs_secret& key) {
  std::string out(plain.size() + crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_easy(reinterpret_cast<unsigned char*>(out.data()), plain.data(),
                            plain.size(), zero_nonce, key.data()) != 0) {
    throw std::runtime_error("crypto_secretbox_easy failed");
  }
  return out;
}

std::optional<std::string> shs_unbox(std::span<const std::uint8_t> boxed, const shs_secret& key) {
  if (boxed.size() < crypto_secretbox_MACBYTES) return std::nullopt;
  std::string out(boxed.size() - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()), boxed.data(),
                                 boxed.size(), zero_nonce, key.data()) != 0) {
    return std::nullopt;
  }
  return out;
}

shs_secret shs_box_secret(const shs_secret& msg4_key) {
  return sha256_builder().add(msg4_key).finish<shs_secret>();
}

box_key shs_stream_key(const shs_secret& box_secret, const public_key& receiver) {
  return sha256_builder().add(box_secret).add(receiver).finish<box_key>();
}

box_nonce shs_stream_nonce(const shs_mac& receiver_mac) {
  box_nonce n;
  std::memcpy(n.data(), receiver_mac.data(), n.size());
  return n;
}

}  // namespace zwerm::crypto
