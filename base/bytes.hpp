// Fixed-size byte strings with a type per meaning (keys, signatures, ids), so a public key can
// never be passed where a record id is expected. Byte buffers of any length are std::string
// (owning) and std::string_view (borrowed): they go straight into LevelDB and sockets.
// Hashing them for unordered containers needs crypto/keyed_hash.hpp (a keyed SipHash).
//
// The namespace is still zwerm::crypto, as when these lived in crypto/: every module names
// them crypto::public_key, crypto::to_text and so on.
#pragma once

#include <algorithm>
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace zwerm::crypto {

template <std::size_t N, class Tag>
struct fixed_bytes {
  static constexpr std::size_t size_bytes = N;
  std::array<std::uint8_t, N> bytes{};

  static constexpr std::size_t size() { return N; }
  std::uint8_t* data() { return bytes.data(); }
  const std::uint8_t* data() const { return bytes.data(); }
  std::string_view view() const { return {reinterpret_cast<const char*>(bytes.data()), N}; }
  std::string str() const { return std::string(view()); }

  // Copies exactly N bytes; returns false (and leaves *out unchanged) on a length mismatch.
  static bool from(std::string_view in, fixed_bytes* out) {
    if (in.size() != N) return false;
    std::memcpy(out->bytes.data(), in.data(), N);
    return true;
  }
  bool is_zero() const {
    return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
  }

  friend auto operator<=>(const fixed_bytes&, const fixed_bytes&) = default;
  friend bool operator==(const fixed_bytes&, const fixed_bytes&) = default;
};

using public_key = fixed_bytes<32, struct public_key_tag>;    // Ed25519 public key = member id
using secret_key = fixed_bytes<64, struct secret_key_tag>;    // Ed25519 seed ‖ public key
using signature = fixed_bytes<64, struct signature_tag>;      // detached Ed25519 signature
using digest = fixed_bytes<32, struct digest_tag>;            // BLAKE2b-256 (ids: base/ids.hpp)
using sha256_digest = fixed_bytes<32, struct sha256_tag>;     // SHA-256 (handshake)
using network_key = fixed_bytes<32, struct network_key_tag>;  // a community's SHS network key

// Lowercase hex, for logs and test vectors.
std::string to_hex(std::string_view bytes);
// Decodes lowercase or uppercase hex; false on odd length or a non-hex character.
bool from_hex(std::string_view hex, std::string* out);
// The value of one hex digit (either case), or -1.
int hex_value(char c);

template <class T>
std::string to_hex(const T& fixed) {
  return to_hex(fixed.view());
}

// Big-endian unsigned integers of `bytes` bytes (1..8) in byte strings (files and store values
// zwerm writes): appended to `out`, or read from in[at, at + bytes), which the caller has checked
// is there.
inline void put_be(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline std::uint64_t get_be(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<std::uint8_t>(in[at + i]);
  return v;
}

}  // namespace zwerm::crypto
