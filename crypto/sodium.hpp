// Process-wide libsodium start-up.
#pragma once

namespace zwerm::crypto {

// Initialises libsodium once; safe to call from any thread, any number of times. Throws
// std::runtime_error if libsodium cannot start (a fatal condition: no randomness).
void init();

}  // namespace zwerm::crypto
