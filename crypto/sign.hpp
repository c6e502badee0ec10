// Ed25519 keys and detached signatures.
#pragma once

#include <string_view>

#include "base/bytes.hpp"

namespace zwerm::crypto {

struct key_pair {
  public_key pk;
  secret_key sk;  // seed ‖ pk, libsodium's layout
};

key_pair generate_key_pair();
using seed = fixed_bytes<32, struct seed_tag>;
key_pair key_pair_from_seed(const seed& s);

signature sign(std::string_view message, const secret_key& sk);
bool verify(const signature& sig, std::string_view message, const public_key& pk);

// True when the Ed25519 key converts to an X25519 key. A key for which the conversion fails
// (small or mixed order) can sign records that verify but can never complete the Secret
// Handshake, so zwerm refuses it for identities and joining members.
bool can_handshake(const public_key& pk);

}  // namespace zwerm::crypto
