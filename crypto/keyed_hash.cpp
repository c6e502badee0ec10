#include "crypto/keyed_hash.hpp"

#include <sodium.h>

#include <array>
#include <cstdlib>
#include <cstring>

namespace zwerm::crypto {

std::size_t keyed_hash(const void* bytes, std::size_t n) noexcept {
  // The key is made on first use; sodium_init() makes randombytes safe to call from here even
  // before crypto::init() ran.
  static const auto key = [] {
    std::array<unsigned char, crypto_shorthash_KEYBYTES> k;
    if (sodium_init() < 0) std::abort();
    randombytes_buf(k.data(), k.size());
    return k;
  }();
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, static_cast<const unsigned char*>(bytes), n, key.data());
  std::size_t h;
  std::memcpy(&h, out, sizeof h);
  return h;
}

}  // namespace zwerm::crypto
