#include "crypto/wipe.hpp"

#include <sodium.h>

namespace zwerm::crypto {

void wipe_memory(void* p, std::size_t n) {
  sodium_memzero(p, n);
}

void wipe_string(std::string& secret) {
  sodium_memzero(secret.data(), secret.size());
}

}  // namespace zwerm::crypto
