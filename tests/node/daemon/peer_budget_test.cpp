// Peer budgets: buckets refill at their rate, an over-budget message says how long to wait,
// scores rise, decay and lead to a disconnect and then a ban.
#include "node/daemon/peer_budget.hpp"

#include <gtest/gtest.h>

namespace zwerm::node {
namespace {

using namespace std::chrono_literals;

budget_options small() {
  budget_options o;
  o.messages_per_s = 10;
  o.messages_burst = 10;
  o.bytes_per_s = 1000;
  o.bytes_burst = 1000;
  o.records_per_s = 5;
  o.records_burst = 5;
  return o;
}

TEST(SessionBudget, WithinTheBurstNothingWaits) {
  const auto t0 = budget_clock::now();
  session_budget b(small(), t0);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(b.spend(10, 0, t0), 0ms) << i;
  // The 11th message at once is one message over: a tenth of a second at 10 a second.
  EXPECT_EQ(b.spend(10, 0, t0), 100ms);
}

TEST(SessionBudget, BucketsRefillAtTheirRate) {
  const auto t0 = budget_clock::now();
  session_budget b(small(), t0);
  for (int i = 0; i < 10; ++i) (void)b.spend(1, 0, t0);
  EXPECT_GT(b.spend(1, 0, t0), 0ms);
  // A second later ten more fit again (the deficit of one is paid back first).
  for (int i = 0; i < 9; ++i) EXPECT_EQ(b.spend(1, 0, t0 + 1s), 0ms) << i;
}

TEST(SessionBudget, BytesAndRecordsHaveTheirOwnBuckets) {
  const auto t0 = budget_clock::now();
  session_budget bytes(small(), t0);
  EXPECT_EQ(bytes.spend(1000, 0, t0), 0ms);
  EXPECT_EQ(bytes.spend(500, 0, t0), 500ms);  // 500 bytes over at 1000 a second
  session_budget records(small(), t0);
  EXPECT_EQ(records.spend(1, 5, t0), 0ms);
  EXPECT_EQ(records.spend(1, 5, t0), 1000ms);  // 5 records over at 5 a second
}

TEST(PeerScores, OverBudgetSlowsThenDisconnectsThenBans) {
  const auto t0 = budget_clock::now();
  peer_scores scores(small());
  crypto::public_key k;
  k.bytes.fill(1);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(scores.over_budget(k, 0ms, t0), budget_verdict::slow) << i;
  EXPECT_EQ(scores.over_budget(k, 0ms, t0), budget_verdict::disconnect);
  // Back at half the threshold: four more to the next disconnect, and the third one bans.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(scores.over_budget(k, 0ms, t0), budget_verdict::slow);
  EXPECT_EQ(scores.over_budget(k, 0ms, t0), budget_verdict::disconnect);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(scores.over_budget(k, 0ms, t0), budget_verdict::slow);
  EXPECT_EQ(scores.over_budget(k, 0ms, t0), budget_verdict::ban);
}

TEST(PeerScores, ALongWaitWeighsItsSeconds) {
  const auto t0 = budget_clock::now();
  peer_scores scores(small());
  crypto::public_key k;
  k.bytes.fill(3);
  EXPECT_EQ(scores.over_budget(k, 2500ms, t0), budget_verdict::slow);
  EXPECT_NEAR(scores.score(k, t0), 3.5, 1e-9);
  EXPECT_EQ(scores.over_budget(k, 10s, t0), budget_verdict::disconnect);
}

TEST(PeerScores, ScoresDecayAndAQuietKeyStartsAfresh) {
  const auto t0 = budget_clock::now();
  peer_scores scores(small());
  crypto::public_key k;
  k.bytes.fill(2);
  for (int i = 0; i < 8; ++i) (void)scores.over_budget(k, 0ms, t0);  // one disconnect
  EXPECT_DOUBLE_EQ(scores.score(k, t0), 4);
  EXPECT_NEAR(scores.score(k, t0 + 30s), 2, 1e-9);  // one half-life
  // Quiet for long: the disconnects are forgotten, so two more disconnects do not ban.
  const auto later = t0 + 10min;
  for (int round = 0; round < 2; ++round) {
    budget_verdict v = budget_verdict::slow;
    for (int i = 0; i < 8 && v == budget_verdict::slow; ++i) v = scores.over_budget(k, 0ms, later);
    EXPECT_EQ(v, budget_verdict::disconnect) << round;
  }
}

TEST(PeerScores, MemoryIsBounded) {
  budget_options o = small();
  o.max_keys = 16;
  peer_scores scores(o);
  const auto t0 = budget_clock::now();
  for (int i = 0; i < 1000; ++i) {
    crypto::public_key k;
    k.bytes.fill(0);
    k.bytes[0] = static_cast<std::uint8_t>(i);
    k.bytes[1] = static_cast<std::uint8_t>(i >> 8);
    (void)scores.over_budget(k, 0ms, t0);
  }
  EXPECT_LE(scores.size(), 16u);
}

}  // namespace
}  // namespace zwerm::node
