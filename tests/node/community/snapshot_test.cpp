// Snapshots: deterministic bytes, round trips, and damaged input refused without crashing.
#include <random>

#include <gtest/gtest.h>

#include "node/community/snapshot.hpp"
#include "node/community/views.hpp"
#include "tests/node/community/random_history.hpp"

namespace zwerm::node::community {
namespace {

std::unique_ptr<state> build(std::uint64_t seed, test::random_history* out = nullptr) {
  auto rh = test::make_random_history(seed);
  auto s = std::make_unique<state>(rh.h.community);
  std::vector<record> v = rh.h.records;
  std::sort(v.begin(), v.end(),
            [](const record& a, const record& b) { return position_of(a) < position_of(b); });
  for (const auto& r : v) s->apply(r);
  if (out) *out = std::move(rh);
  return s;
}

TEST(Snapshot, RoundTripKeepsEveryView) {
  test::random_history rh;
  auto s = build(21, &rh);
  std::string bytes = encode_snapshot(*s);
  auto back = decode_snapshot(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(test::first_difference(test::all_views(*back.value(), rh.last_ts),
                                   test::all_views(*s, rh.last_ts)),
            "");
  EXPECT_EQ(back.value()->head(), s->head());
  EXPECT_EQ(back.value()->applied(), s->applied());
  // What admission and the join rule need but no view shows: when members were removed and
  // when invites were made.
  ASSERT_EQ(back.value()->members.size(), s->members.size());
  for (std::size_t i = 0; i < s->members.size(); ++i) {
    EXPECT_EQ(back.value()->members[i].removed_at, s->members[i].removed_at) << i;
  }
  ASSERT_EQ(back.value()->invites.size(), s->invites.size());
  for (const auto& [id, inv] : s->invites) {
    EXPECT_EQ(back.value()->invites.at(id).made_at, inv.made_at);
  }
  // The restored state can only move forward from its head.
  position before_head = *s->head();
  before_head.lamport -= 1;
  EXPECT_FALSE(back.value()->can_rewind_to(before_head));
}

TEST(Snapshot, TheEmptyStateRoundTrips) {
  state empty(community_id{});
  auto back = decode_snapshot(encode_snapshot(empty));
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back.value()->created);
}

TEST(Snapshot, EveryTruncationIsRefused) {
  auto s = build(22);
  std::string bytes = encode_snapshot(*s);
  for (std::size_t n = 0; n < bytes.size(); n += 1 + n / 64) {
    auto r = decode_snapshot(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(r.ok()) << "prefix " << n;
    EXPECT_EQ(r.error().code(), status_code::corruption);
  }
  auto extra = decode_snapshot(bytes + "x");
  EXPECT_FALSE(extra.ok());
}

TEST(Snapshot, FlippedBytesNeverCrashAndDecodedStatesAnswerViews) {
  auto s = build(23);
  std::string bytes = encode_snapshot(*s);
  std::mt19937_64 rng(5);
  int refused = 0;
  for (int i = 0; i < 400; ++i) {
    std::string damaged = bytes;
    std::size_t at = std::uniform_int_distribution<std::size_t>(0, damaged.size() - 1)(rng);
    damaged[at] = static_cast<char>(damaged[at] ^ (1 << (i % 8)));
    auto r = decode_snapshot(damaged);
    if (!r.ok()) {
      ++refused;
      continue;
    }
    // A flip that still decodes (e.g. inside a name) must leave a state every view can read.
    (void)test::all_views(*r.value(), 0);
  }
  EXPECT_GT(refused, 0);
}

TEST(Snapshot, AnotherVersionIsUnsupported) {
  auto s = build(24);
  std::string bytes = encode_snapshot(*s);
  for (std::uint32_t v : {snapshot_version - 1, snapshot_version + 1}) {
    bytes[4] = static_cast<char>(v);  // the version varint follows the 4-byte magic
    auto r = decode_snapshot(bytes);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), status_code::unsupported);
    EXPECT_NE(r.error().message().find("rebuilt from the log"), std::string::npos);
  }
  auto junk = decode_snapshot("not a snapshot");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.error().code(), status_code::corruption);
}

}  // namespace
}  // namespace zwerm::node::community
