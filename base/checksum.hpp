// A fast checksum against accidental damage (not an adversary): XXH64, the 64-bit xxHash
// (Yann Collet's published algorithm, seed 0 unless given). Used where bytes live outside
// LevelDB's own block checksums, e.g. the community state snapshot files
// (node/daemon/state_store.hpp). Several GB/s on one core. Pure function.
#pragma once

#include <cstdint>
#include <string_view>

namespace zwerm::crypto {

std::uint64_t xxh64(std::string_view bytes, std::uint64_t seed = 0) noexcept;

}  // namespace zwerm::crypto
