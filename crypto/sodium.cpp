#include "crypto/sodium.hpp"

#include <sodium.h>

#include <stdexcept>

namespace zwerm::crypto {

void init() {
  // sodium_init is thread-safe and idempotent: 0 first time, 1 afterwards, -1 on failure.
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace zwerm::crypto
