// Multi-node sync in the deterministic in-process network (tests/node/sync/sim.hpp):
// catch-up, live push, a line of five, partitions, a node killed mid catch-up, reconnect cost
// and wire overhead.
#include <gtest/gtest.h>

#include <cstdlib>

#include "crypto/sodium.hpp"
#include "tests/node/sync/sim.hpp"

namespace zwerm::node::sync {
namespace {

using sim::network;

class SyncEngine : public ::testing::Test {
 protected:
  void SetUp() override { crypto::init(); }

  // `feeds` authors with `per_feed` records of `size` bytes each, after the genesis record.
  std::vector<std::string> history(std::size_t feeds, std::size_t per_feed, std::size_t size) {
    std::vector<std::string> out{c.genesis.bytes};
    for (std::size_t i = 0; i < feeds; ++i) {
      auto f = c.feed(per_feed, size, crypto::generate_key_pair());
      out.insert(out.end(), f.begin(), f.end());
    }
    return out;
  }

  static std::size_t bytes_of(const std::vector<std::string>& records) {
    std::size_t n = 0;
    for (const auto& r : records) n += r.size();
    return n;
  }

  void expect_same(network& net, std::size_t a, std::size_t b) {
    EXPECT_EQ(*net.replica(a).frontier_digest(), *net.replica(b).frontier_digest())
        << "nodes " << a << " and " << b;
    EXPECT_EQ(net.replica(a).all_records(), net.replica(b).all_records())
        << "nodes " << a << " and " << b;
  }

  sim::community_maker c = sim::community_maker::make();
};

TEST_F(SyncEngine, TwoNodesCatchUpTenThousandRecordsThenPushLiveBothWays) {
  auto records = history(20, 500, 300);
  network net(c.genesis.community, {});
  auto a = net.add_node_with(records);
  auto b = net.add_node();
  auto link = net.connect(b, a);
  net.run();
  EXPECT_TRUE(net.misbehaviours().empty());
  EXPECT_EQ(net.replica(b).record_count(), records.size());
  EXPECT_EQ(net.replica(b).appends(), records.size());  // nothing stored twice
  expect_same(net, a, b);
  EXPECT_EQ(net.engine(a).stats(net.engine(a).sessions()[0]).in_flight_bytes, 0u);

  // Live push: new records on either side reach the other without any reconciliation.
  std::uint64_t live_from_a = 0, live_from_b = 0;
  net.on_appended = [&](std::size_t n, const record_key&, std::uint64_t) {
    (n == b ? live_from_a : live_from_b)++;
  };
  auto ka = crypto::generate_key_pair(), kb = crypto::generate_key_pair();
  auto fa = c.feed(30, 300, ka), fb = c.feed(30, 300, kb);
  for (std::size_t i = 0; i < 30; ++i) {
    net.write(a, {fa[i]});
    net.write(b, {fb[i]});
    net.run();
  }
  EXPECT_EQ(live_from_a, 30u + 30u);  // b wrote 30 itself and received 30
  EXPECT_EQ(live_from_b, 30u + 30u);
  expect_same(net, a, b);
  EXPECT_TRUE(net.connected(link));
  EXPECT_TRUE(net.misbehaviours().empty());
}

TEST_F(SyncEngine, WireBytesPerRecordDuringCatchUpStayUnderOnePointZeroSeven) {
  auto records = history(20, 500, 300);
  network net(c.genesis.community, {});
  auto a = net.add_node_with(records);
  auto b = net.add_node();
  auto link = net.connect(b, a);
  net.run();
  ASSERT_EQ(net.replica(b).record_count(), records.size());
  const double wire = static_cast<double>(net.stats(link, 0).wire + net.stats(link, 1).wire);
  const double ratio = wire / static_cast<double>(bytes_of(records));
  RecordProperty("wire_ratio", std::to_string(ratio));
  std::printf("catch-up: %zu records, %zu record bytes, %.0f wire bytes both ways: ratio %.4f\n",
              records.size(), bytes_of(records), wire, ratio);
  EXPECT_LE(ratio, 1.07);
  EXPECT_GE(ratio, 1.0);
}

TEST_F(SyncEngine, ReconnectWithTenThousandSharedFeedsAndNothingNewCostsUnderOneKiB) {
  auto records = history(10'000, 1, 200);
  network net(c.genesis.community, {});
  auto a = net.add_node_with(records);
  auto b = net.add_node_with(records);
  ASSERT_EQ(net.replica(a).feed_count(), 10'001u);
  auto link = net.connect(b, a);
  net.run();
  const auto wire = net.stats(link, 0).wire + net.stats(link, 1).wire;
  std::printf(
      "reconnect, 10,000 shared feeds: %llu wire bytes both ways in %llu messages\n",
      static_cast<unsigned long long>(wire),
      static_cast<unsigned long long>(net.stats(link, 0).messages + net.stats(link, 1).messages));
  EXPECT_LE(wire, 1024u);
  EXPECT_TRUE(net.engine(a).stats(net.engine(a).sessions()[0]).in_sync);
  EXPECT_TRUE(net.engine(b).stats(net.engine(b).sessions()[0]).in_sync);

  // One new record on one side: reconciliation touches only the differing bucket.
  auto extra = c.feed(1, 200, crypto::generate_key_pair());
  ASSERT_TRUE(net.replica(a).ingest(extra).ok());  // written while disconnected
  net.disconnect(link);
  auto again = net.connect(b, a);
  net.run();
  expect_same(net, a, b);
  const auto wire2 = net.stats(again, 0).wire + net.stats(again, 1).wire;
  std::printf("reconnect with one new record among 10,000 feeds: %llu wire bytes\n",
              static_cast<unsigned long long>(wire2));
  EXPECT_LE(wire2, 12u * 1024u);  // buckets (4 KiB) + one bucket's heads + the record
}

TEST_F(SyncEngine, AnIdleConnectionCostsUnderTenBytesPerSecond) {
  // Two nodes in sync, each probing its only peer every 60 s (the anti-entropy period
  // PROTOCOL.md §5.6 recommends), for one virtual hour. net/ adds at most one keepalive (an
  // empty message: 4 + 34 bytes on the wire) per direction per 30 s of silence; counted as if
  // it were always sent.
  network net(c.genesis.community, {});
  auto a = net.add_node_with(history(50, 2, 300));
  auto b = net.add_node_with(net.replica(a).all_records());
  auto link = net.connect(a, b);
  net.run();
  const auto start = net.stats(link, 0).wire + net.stats(link, 1).wire;
  const std::uint64_t hour_us = 3600ull * 1'000'000;
  const std::uint64_t t0 = net.now_us();
  while (net.now_us() < t0 + hour_us) {
    net.anti_entropy_round();
    net.run_until(net.now_us() + 60'000'000);
  }
  const auto sync_bytes = net.stats(link, 0).wire + net.stats(link, 1).wire - start;
  const double keepalive_bytes = 2.0 * (3600.0 / 30.0) * static_cast<double>(sim::wire_bytes(0));
  const double per_second = (static_cast<double>(sync_bytes) + keepalive_bytes) / 3600.0;
  std::printf("idle connection: %.2f bytes/s (sync %.2f, keepalives at most %.2f)\n", per_second,
              static_cast<double>(sync_bytes) / 3600.0, keepalive_bytes / 3600.0);
  EXPECT_GT(sync_bytes, 0u);  // the probes did run
  EXPECT_LE(per_second, 10.0);
  EXPECT_EQ(net.replica(a).record_count(), net.replica(b).record_count());
}

TEST_F(SyncEngine, ARecordWrittenAtOneEndOfALineOfFiveReachesTheOther) {
  network net(c.genesis.community, {});
  std::vector<std::size_t> n;
  for (int i = 0; i < 5; ++i) n.push_back(net.add_node_with({c.genesis.bytes}));
  for (int i = 0; i + 1 < 5; ++i) net.connect(n[i], n[i + 1]);  // each dials its neighbour
  net.run();
  auto author = crypto::generate_key_pair();
  auto feed = c.feed(3, 300, author);
  net.write(n[0], {feed[0]});
  net.run();
  EXPECT_EQ(*net.replica(n[4]).head_seq(author.pk), 1u);
  net.write(n[0], {feed[1], feed[2]});
  net.run();
  for (int i = 1; i < 5; ++i) expect_same(net, n[0], n[i]);
  EXPECT_TRUE(net.misbehaviours().empty());
}

TEST_F(SyncEngine, PartitionedSidesWriteAndConvergeAfterHealing) {
  network net(c.genesis.community, {});
  auto base = history(4, 10, 250);
  std::vector<std::size_t> left, right;
  for (int i = 0; i < 3; ++i) left.push_back(net.add_node_with(base));
  for (int i = 0; i < 3; ++i) right.push_back(net.add_node_with({c.genesis.bytes}));
  for (int i = 0; i < 3; ++i) {
    for (int j = i + 1; j < 3; ++j) {
      net.connect(left[i], left[j]);
      net.connect(right[i], right[j]);
    }
  }
  auto bridge = net.connect(left[0], right[0]);
  net.run();
  for (auto r : right) expect_same(net, left[0], r);

  net.disconnect(bridge);
  // Both sides write, each node its own member's feed, several records each.
  std::vector<crypto::key_pair> keys;
  for (int i = 0; i < 6; ++i) keys.push_back(crypto::generate_key_pair());
  std::vector<std::vector<std::string>> feeds;
  for (int i = 0; i < 6; ++i) feeds.push_back(c.feed(25, 300, keys[i]));
  for (std::size_t k = 0; k < 25; ++k) {
    for (int i = 0; i < 3; ++i) {
      net.write(left[i], {feeds[i][k]});
      net.write(right[i], {feeds[3 + i][k]});
    }
    net.run_until(net.now_us() + 500);
  }
  net.run();
  EXPECT_NE(*net.replica(left[0]).frontier_digest(), *net.replica(right[0]).frontier_digest());
  for (int i = 1; i < 3; ++i) {
    expect_same(net, left[0], left[i]);
    expect_same(net, right[0], right[i]);
  }

  // How far right[0] lags behind what its peers are known to hold: nothing of the left's new
  // feeds is known across the cut yet, and its own side's feeds are complete.
  EXPECT_EQ(net.engine(right[0]).best_known_seq(keys[0].pk), 0u);
  EXPECT_EQ(net.engine(right[0]).best_known_seq(keys[4].pk), 25u);

  net.connect(right[2], left[1]);  // heal through other nodes than before
  net.run();
  for (auto x : left) {
    for (auto y : right) expect_same(net, x, y);
  }
  EXPECT_EQ(net.engine(right[2]).best_known_seq(keys[0].pk), 25u);  // learnt from left[1]
  EXPECT_EQ(net.replica(right[0]).record_count(), base.size() + 6 * 25);
  EXPECT_TRUE(net.misbehaviours().empty());
}

TEST_F(SyncEngine, ANodeKilledDuringCatchUpResumesWithoutDuplicatesOrLoss) {
  auto records = history(20, 500, 300);
  network net(c.genesis.community, {});
  auto a = net.add_node_with(records);
  auto b = net.add_node();
  net.connect(b, a);
  net.run(60);  // part of the catch-up
  const auto partial = net.replica(b).record_count();
  ASSERT_GT(partial, 0u);
  ASSERT_LT(partial, records.size());
  net.kill_node_sessions(b);  // its engine state for the link is gone; the replica stays
  net.run();                  // messages in flight are lost
  EXPECT_EQ(net.replica(b).record_count(), partial);

  net.connect(b, a);
  net.run();
  EXPECT_EQ(net.replica(b).record_count(), records.size());
  EXPECT_EQ(net.replica(b).appends(), records.size());  // none stored twice
  expect_same(net, a, b);
  EXPECT_TRUE(net.misbehaviours().empty());
}

TEST_F(SyncEngine, AntiEntropyRepairsWhatLivePushMissed) {
  network net(c.genesis.community, {});
  auto a = net.add_node_with({c.genesis.bytes});
  auto b = net.add_node_with({c.genesis.bytes});
  net.connect(a, b);
  net.run();
  // Records slipped into a's replica without the engine being told (as if a push was lost).
  auto feed = c.feed(5, 300, crypto::generate_key_pair());
  ASSERT_TRUE(net.replica(a).ingest(feed).ok());
  net.run();
  EXPECT_EQ(net.replica(b).record_count(), 1u);
  while (net.replica(b).record_count() != 6) {
    ASSERT_LT(net.now_us(), 10'000'000u) << "anti-entropy never repaired the difference";
    net.anti_entropy_round();
    net.run();
  }
  expect_same(net, a, b);
}

}  // namespace
}  // namespace zwerm::node::sync
