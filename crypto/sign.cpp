#include "crypto/sign.hpp"

#include <sodium.h>

namespace zwerm::crypto {

key_pair generate_key_pair() {
  key_pair kp;
  crypto_sign_keypair(kp.pk.data(), kp.sk.data());
  return kp;
}

key_pair key_pair_from_seed(const seed& s) {
  key_pair kp;
  crypto_sign_seed_keypair(kp.pk.data(), kp.sk.data(), s.data());
  return kp;
}

signature sign(std::string_view message, const secret_key& sk) {
  signature sig;
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), sk.data());
  return sig;
}

bool verify(const signature& sig, std::string_view message, const public_key& pk) {
  return crypto_sign_verify_detached(sig.data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), pk.data()) == 0;
}

bool can_handshake(const public_key& pk) {
  unsigned char curve[crypto_scalarmult_curve25519_BYTES];
  return crypto_sign_ed25519_pk_to_curve25519(curve, pk.data()) == 0;
}

}  // namespace zwerm::crypto
