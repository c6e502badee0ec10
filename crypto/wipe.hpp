// Overwriting secrets with zeros in a way the compiler cannot drop (sodium_memzero), for code
// outside crypto/ that must not include sodium.h.
#pragma once

#include <cstddef>
#include <string>

namespace zwerm::crypto {

void wipe_memory(void* p, std::size_t n);
void wipe_string(std::string& secret);

}  // namespace zwerm::crypto
