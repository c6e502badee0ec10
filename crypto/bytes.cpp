#include "crypto/bytes.hpp"

#include <sodium.h>

#include <array>
#include <cstdlib>

namespace zwerm::crypto {

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool from_hex(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    bytes.push_back(static_cast<char>(hi << 4 | lo));
  }
  *out = std::move(bytes);
  return true;
}

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
