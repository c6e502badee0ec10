#include "crypto/hash.hpp"

#include <sodium.h>

namespace zwerm::crypto {

static_assert(sizeof(crypto_generichash_state) <= 384, "blake2b state buffer too small");

digest blake2b256(std::string_view bytes) {
  digest d;
  crypto_generichash(d.data(), d.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  return d;
}

record_id record_id_of(std::string_view payload) {
  return record_id{blake2b256(payload).bytes};
}

sha256_digest sha256(std::string_view bytes) {
  sha256_digest d;
  crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return d;
}

blake2b256_state::blake2b256_state() {
  crypto_generichash_init(reinterpret_cast<crypto_generichash_state*>(state_), nullptr, 0,
                          digest::size());
}

void blake2b256_state::update(std::string_view bytes) {
  crypto_generichash_update(reinterpret_cast<crypto_generichash_state*>(state_),
                            reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

digest blake2b256_state::finish() {
  digest d;
  crypto_generichash_final(reinterpret_cast<crypto_generichash_state*>(state_), d.data(), d.size());
  return d;
}

void random_bytes(void* out, std::size_t n) {
  randombytes_buf(out, n);
}

}  // namespace zwerm::crypto
