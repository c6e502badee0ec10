// The keyed hash for fixed_bytes (base/bytes.hpp) in unordered containers: std::hash of a key,
// signature or id is SipHash-2-4 (libsodium) under a random per-process key, so a peer cannot
// aim many values at one bucket. Include it wherever a fixed_bytes type keys an unordered_map
// or unordered_set.
#pragma once

#include <cstddef>
#include <functional>
#include <type_traits>

#include "base/bytes.hpp"

namespace zwerm::crypto {
// SipHash-2-4 of `bytes` under a key drawn at random once per process. Hash tables keyed by
// values a peer chooses (member keys, record ids) use it, so a peer cannot aim many keys at one
// bucket: an 8-byte prefix would be cheap to grind.
std::size_t keyed_hash(const void* bytes, std::size_t n) noexcept;
}  // namespace zwerm::crypto

template <std::size_t N, class Tag>
struct std::hash<zwerm::crypto::fixed_bytes<N, Tag>> {
  std::size_t operator()(const zwerm::crypto::fixed_bytes<N, Tag>& b) const noexcept {
    return zwerm::crypto::keyed_hash(b.bytes.data(), N);
  }
};

#if defined(__GLIBCXX__)
// libstdc++ stores each node's hash code in unordered containers only when the hash is not
// "fast" (its documented customisation point; every hash counts as fast unless told). SipHash
// is not: without the stored code every rehash and every bucket walk recomputes it, which
// costs the ingest of a large community about 0.4 µs per record (docs/PERFORMANCE.md).
template <std::size_t N, class Tag>
struct std::__is_fast_hash<std::hash<zwerm::crypto::fixed_bytes<N, Tag>>> : std::false_type {};
#endif
