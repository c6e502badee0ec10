// Hashes: BLAKE2b-256 for record ids, SHA-256 for the handshake.
#pragma once

#include <string_view>

#include "base/bytes.hpp"
#include "base/ids.hpp"

namespace zwerm::crypto {

digest blake2b256(std::string_view bytes);
sha256_digest sha256(std::string_view bytes);

// A record's id: the BLAKE2b-256 of its payload (docs/PROTOCOL.md §2.4).
record_id record_id_of(std::string_view payload);

// Incremental BLAKE2b-256 over several pieces (frontier digests).
class blake2b256_state {
 public:
  blake2b256_state();
  void update(std::string_view bytes);
  digest finish();

 private:
  alignas(64) unsigned char state_[384];
};

// Fills out with cryptographically secure random bytes.
void random_bytes(void* out, std::size_t n);

template <class T>
T random_fixed() {
  T v;
  random_bytes(v.data(), T::size());
  return v;
}

}  // namespace zwerm::crypto
