#include "crypto/sign.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include "base/base64url.hpp"
#include "crypto/hash.hpp"
#include "crypto/keyed_hash.hpp"
#include "crypto/sodium.hpp"

namespace zwerm::crypto {
namespace {

class Sign : public ::testing::Test {
 protected:
  void SetUp() override { init(); }
};

TEST_F(Sign, SignsAndVerifies) {
  key_pair kp = generate_key_pair();
  signature sig = sign("hello", kp.sk);
  EXPECT_TRUE(verify(sig, "hello", kp.pk));
  EXPECT_FALSE(verify(sig, "hellp", kp.pk));
  key_pair other = generate_key_pair();
  EXPECT_FALSE(verify(sig, "hello", other.pk));
}

TEST_F(Sign, EveryFlippedSignatureBitFails) {
  key_pair kp = generate_key_pair();
  signature sig = sign("payload", kp.sk);
  for (std::size_t bit = 0; bit < 512; ++bit) {
    signature bad = sig;
    bad.bytes[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(verify(bad, "payload", kp.pk)) << "bit " << bit;
  }
}

TEST_F(Sign, SeedIsDeterministic) {
  seed s{};
  s.bytes[0] = 7;
  EXPECT_EQ(key_pair_from_seed(s).pk, key_pair_from_seed(s).pk);
  EXPECT_TRUE(can_handshake(key_pair_from_seed(s).pk));
}

TEST_F(Sign, Blake2bKnownAnswer) {
  // BLAKE2b-256 of the empty string.
  EXPECT_EQ(to_hex(blake2b256("")),
            "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  blake2b256_state st;
  st.update("ab");
  st.update("c");
  EXPECT_EQ(st.finish(), blake2b256("abc"));
}

TEST_F(Sign, Sha256KnownAnswer) {
  EXPECT_EQ(to_hex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace zwerm::crypto

namespace zwerm::crypto {
namespace {

// Regression: the hash of ids used to be their first 8 bytes, so a peer could grind member
// keys that all fall into one hash-table bucket.
TEST(KeyedHash, DependsOnEveryByteNotJustAPrefix) {
  digest a{}, b{};
  b.bytes[31] = 1;
  EXPECT_NE(std::hash<digest>{}(a), std::hash<digest>{}(b));
  EXPECT_EQ(std::hash<digest>{}(a), std::hash<digest>{}(a));
  digest c{};
  c.bytes[0] = 1;
  EXPECT_NE(std::hash<digest>{}(a), std::hash<digest>{}(c));
}

}  // namespace
}  // namespace zwerm::crypto
