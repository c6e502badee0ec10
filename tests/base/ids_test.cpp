#include "base/ids.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <type_traits>

#include "base/base64url.hpp"

namespace zwerm {
namespace {

// A record id and a community id are distinct types: neither converts to the other, nor does a
// plain digest (a token's hash, a frontier digest) convert to either, and they do not compare.
static_assert(!std::is_same_v<record_id, community_id>);
static_assert(!std::is_convertible_v<record_id, community_id>);
static_assert(!std::is_convertible_v<community_id, record_id>);
static_assert(!std::is_convertible_v<crypto::digest, record_id>);
static_assert(!std::is_convertible_v<crypto::digest, community_id>);
static_assert(!std::is_convertible_v<record_id, crypto::digest>);
static_assert(!std::is_convertible_v<community_id, crypto::digest>);
static_assert(!std::is_assignable_v<community_id&, const record_id&>);
static_assert(!std::is_assignable_v<record_id&, const community_id&>);
static_assert(!std::is_constructible_v<community_id, record_id>);
static_assert(!std::is_constructible_v<record_id, community_id>);
template <class A, class B>
concept equality_comparable_with = requires(const A& a, const B& b) {
  a == b;
};
static_assert(!equality_comparable_with<record_id, community_id>);
static_assert(equality_comparable_with<record_id, record_id>);
static_assert(equality_comparable_with<community_id, community_id>);
// The named conversions are the way across.
static_assert(std::is_same_v<decltype(community_of_genesis(record_id{})), community_id>);
static_assert(std::is_same_v<decltype(genesis_of(community_id{})), record_id>);

record_id sample() {
  record_id id;
  for (std::size_t i = 0; i < id.size(); ++i) id.bytes[i] = static_cast<std::uint8_t>(3 * i + 1);
  return id;
}

TEST(Ids, AGenesisAndItsCommunityShareTheirBytes) {
  const record_id genesis = sample();
  const community_id c = community_of_genesis(genesis);
  EXPECT_EQ(c.view(), genesis.view());
  EXPECT_EQ(genesis_of(c), genesis);
  EXPECT_EQ(crypto::to_text(c), crypto::to_text(genesis));
  EXPECT_EQ(crypto::short_id(c), crypto::short_id(genesis));
}

TEST(Ids, TextFormsRoundTripForBothTypes) {
  const record_id r = sample();
  record_id r_back;
  ASSERT_TRUE(crypto::from_text(crypto::to_text(r), &r_back));
  EXPECT_EQ(r_back, r);
  const community_id c = community_of_genesis(r);
  community_id c_back;
  ASSERT_TRUE(crypto::from_text(crypto::to_text(c), &c_back));
  EXPECT_EQ(c_back, c);
  EXPECT_EQ(crypto::to_hex(c), crypto::to_hex(r));
}

TEST(Ids, OrderLikeTheirBytes) {
  record_id a, b;
  b.bytes[0] = 1;
  EXPECT_LT(a, b);
  std::set<community_id> s{community_of_genesis(b), community_of_genesis(a)};
  EXPECT_EQ(*s.begin(), community_of_genesis(a));
  std::map<record_id, int> m{{b, 2}, {a, 1}};
  EXPECT_EQ(m.begin()->second, 1);
}

}  // namespace
}  // namespace zwerm
