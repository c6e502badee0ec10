// XXH64: known answers from the reference implementation (the xxhash-wasm package of the
// xxHash project's C code), covering each tail path (0-3 bytes, 4, 8, 32-byte stripes).
#include "base/checksum.hpp"

#include <gtest/gtest.h>

#include <string>

namespace zwerm::crypto {
namespace {

TEST(Checksum, Xxh64KnownAnswers) {
  EXPECT_EQ(xxh64(""), 0xef46db3751d8e999ULL);
  EXPECT_EQ(xxh64("a"), 0xd24ec4f1a98c6e5bULL);
  EXPECT_EQ(xxh64("abc"), 0x44bc2cf5ad770999ULL);
  EXPECT_EQ(xxh64("zwerm"), 0xf76160897413a900ULL);
  EXPECT_EQ(xxh64("0123456789abcdef0123456789abcdef"), 0x642a94958e71e6c5ULL);
  EXPECT_EQ(xxh64("The quick brown fox jumps over the lazy dog"), 0x0b242d361fda71bcULL);
  EXPECT_EQ(xxh64(std::string(1000, 'x')), 0x4cb9a3b69cb700e1ULL);
  std::string counting(257, '\0');
  for (std::size_t i = 0; i < counting.size(); ++i) counting[i] = static_cast<char>(i & 0xff);
  EXPECT_EQ(xxh64(counting), 0x80381162756d40e6ULL);
  EXPECT_EQ(xxh64("zwerm", 42), 0xd6d4c7224ecd3db0ULL);
}

TEST(Checksum, EveryFlippedBitChangesIt) {
  std::string bytes(100, 'z');
  const std::uint64_t base = xxh64(bytes);
  for (std::size_t bit = 0; bit < bytes.size() * 8; ++bit) {
    std::string flipped = bytes;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_NE(xxh64(flipped), base) << bit;
  }
}

}  // namespace
}  // namespace zwerm::crypto
