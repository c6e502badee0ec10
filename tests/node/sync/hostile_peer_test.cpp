// Peers that break the rules: the bad record is not stored (a fork is kept as proof), the
// peer is reported, and sync with honest peers goes on. Also the engine driven directly,
// without the simulator: protocol order, windows, peer exchange.
#include <gtest/gtest.h>

#include <deque>

#include "crypto/sodium.hpp"
#include "tests/node/sync/sim.hpp"

namespace zwerm::node::sync {
namespace {

using sim::network;

class HostilePeer : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    honest = net.add_node_with({c.genesis.bytes});
    other = net.add_node_with({c.genesis.bytes});
    hostile = net.add_node_with({c.genesis.bytes});
    net.connect(honest, other);
    bad_link = net.connect(hostile, honest);
    net.run();
    ASSERT_TRUE(net.misbehaviours().empty());
  }

  // After the attack: the honest pair still syncs a new record both ways.
  void expect_honest_sync_goes_on() {
    auto k = crypto::generate_key_pair();
    auto f = c.feed(2, 300, k);
    net.write(other, {f[0]});
    net.run();
    EXPECT_EQ(*net.replica(honest).head_seq(k.pk), 1u);
    auto k2 = crypto::generate_key_pair();
    net.write(honest, c.feed(1, 300, k2));
    net.run();
    EXPECT_EQ(*net.replica(other).head_seq(k2.pk), 1u);
  }

  static std::string records_message(std::vector<std::string> items, bool live) {
    records m;
    m.live = live;
    m.items = std::move(items);
    return encode(m);
  }

  sim::community_maker c = sim::community_maker::make();
  network net{c.genesis.community, {}};
  std::size_t honest = 0, other = 0, hostile = 0, bad_link = 0;
};

TEST_F(HostilePeer, BadSignatureIsNotStoredAndThePeerIsReported) {
  auto k = crypto::generate_key_pair();
  auto f = c.feed(1, 300, k);
  std::string forged = f[0];
  forged[forged.size() - 10] ^= 0x20;  // inside the signature
  net.inject(bad_link, hostile, records_message({forged}, true));
  net.run();
  ASSERT_EQ(net.misbehaviours().size(), 1u);
  EXPECT_EQ(net.misbehaviours()[0].node, honest);
  EXPECT_EQ(net.misbehaviours()[0].what.kind, misbehaviour_kind::bad_record);
  EXPECT_NE(net.misbehaviours()[0].what.reason.find("signature"), std::string::npos)
      << net.misbehaviours()[0].what.reason;
  EXPECT_EQ(net.misbehaviours()[0].peer, net.key(hostile).pk);
  EXPECT_EQ(*net.replica(honest).head_seq(k.pk), 0u);
  EXPECT_EQ(net.replica(honest).pending_count(), 0u);
  EXPECT_FALSE(net.connected(bad_link));
  expect_honest_sync_goes_on();
}

TEST_F(HostilePeer, StreamedRecordPastAGapIsRefusedBeforeIngest) {
  auto k = crypto::generate_key_pair();
  auto f = c.feed(3, 300, k);
  net.write(honest, {f[0]});
  net.run();
  net.inject(bad_link, hostile, records_message({f[2]}, false));  // seq 3 after seq 1
  net.run();
  ASSERT_EQ(net.misbehaviours().size(), 1u);
  EXPECT_EQ(net.misbehaviours()[0].what.kind, misbehaviour_kind::out_of_order);
  EXPECT_EQ(*net.replica(honest).head_seq(k.pk), 1u);
  EXPECT_EQ(net.replica(honest).pending_count(), 0u);  // not even held aside
  EXPECT_FALSE(net.connected(bad_link));
  expect_honest_sync_goes_on();
}

TEST_F(HostilePeer, DescendingSeqsInOneMessageAreOutOfOrder) {
  auto k = crypto::generate_key_pair();
  auto f = c.feed(2, 300, k);
  net.inject(bad_link, hostile, records_message({f[1], f[0]}, true));
  net.run();
  ASSERT_EQ(net.misbehaviours().size(), 1u);
  EXPECT_EQ(net.misbehaviours()[0].what.kind, misbehaviour_kind::out_of_order);
  EXPECT_EQ(net.replica(honest).record_count(), 1u);
  expect_honest_sync_goes_on();
}

TEST_F(HostilePeer, ForkedRecordIsKeptAsProofOnlyAndReported) {
  auto k = crypto::generate_key_pair();
  auto f = c.feed(2, 300, k);
  net.write(other, f);
  net.run();
  ASSERT_EQ(*net.replica(honest).head_seq(k.pk), 2u);
  feed_writer w(k, c.genesis.community, std::nullopt, c.genesis.lamport);
  ASSERT_TRUE(w.append("note", "{}", 1).ok());
  auto fork = w.append("note", R"({"twice":true})", 2);  // a second seq 2
  ASSERT_TRUE(fork.ok());
  net.inject(bad_link, hostile, records_message({fork->bytes}, true));
  net.run();
  ASSERT_GE(net.misbehaviours().size(), 1u);
  EXPECT_EQ(net.misbehaviours()[0].what.kind, misbehaviour_kind::forked);
  EXPECT_EQ(net.misbehaviours()[0].node, honest);
  EXPECT_EQ(net.replica(honest).read_feed(k.pk, 2, 1, SIZE_MAX)->front(), f[1]);  // log unchanged
  EXPECT_EQ(net.replica(honest).fork_proofs(), 1u);
  EXPECT_TRUE(net.replica(honest).forked(k.pk));
  expect_honest_sync_goes_on();
}

TEST_F(HostilePeer, APeerClaimingRecordsItNeverSendsCannotBlockTheFeed) {
  // The hostile peer announces 40 records of a feed it does not have; the honest node asks it
  // (and no one else) for them. Later a peer that really holds them connects.
  auto k = crypto::generate_key_pair();
  auto f = c.feed(40, 300, k);
  have h;
  h.entries = {{k.pk, 40}};
  net.inject(bad_link, hostile, encode(h));
  net.run();
  EXPECT_EQ(net.engine(honest).fetching(), 1u);
  std::vector<std::string> all{c.genesis.bytes};
  all.insert(all.end(), f.begin(), f.end());
  auto holder = net.add_node_with(all);
  net.connect(holder, honest);
  net.run();
  EXPECT_EQ(*net.replica(honest).head_seq(k.pk), 0u);  // still waiting on the liar
  int rounds = 0;
  while (*net.replica(honest).head_seq(k.pk) != 40 && rounds < 5) {
    net.engine(honest).anti_entropy();
    net.run();
    ++rounds;
  }
  EXPECT_EQ(*net.replica(honest).head_seq(k.pk), 40u);
  EXPECT_LE(rounds, 2);  // given up after one full period without progress
  EXPECT_EQ(net.engine(honest).fetching(), 0u);
}

TEST_F(HostilePeer, MalformedMessagesAndWrongOrderAreReported) {
  net.inject(bad_link, hostile, std::string("\x06\xff\xff\xff\x0f", 5));
  net.run();
  ASSERT_EQ(net.misbehaviours().size(), 1u);
  EXPECT_EQ(net.misbehaviours()[0].what.kind, misbehaviour_kind::malformed_message);
  EXPECT_FALSE(net.connected(bad_link));

  auto link2 = net.connect(hostile, honest);
  net.run();
  net.inject(link2, hostile, encode(heads_request{bucket_set().set(1)}));  // no round open
  net.run();
  ASSERT_EQ(net.misbehaviours().size(), 2u);
  EXPECT_EQ(net.misbehaviours()[1].what.kind, misbehaviour_kind::protocol_violation);

  auto link3 = net.connect(hostile, honest);
  net.run();
  net.inject(link3, hostile, encode(ack{1}));  // nothing in flight
  net.run();
  ASSERT_EQ(net.misbehaviours().size(), 3u);
  EXPECT_EQ(net.misbehaviours()[2].what.kind, misbehaviour_kind::protocol_violation);
  expect_honest_sync_goes_on();
}

TEST_F(HostilePeer, ClaimingMoreFeedsThanTheBoundIsAViolation) {
  // Default bound 100,000: six have messages of 20,000 made-up feeds each (1 MiB limit). (A
  // heads message outside a round is refused before its claims count.)
  for (int m = 0; m < 6; ++m) {
    have h;
    for (std::uint32_t i = 0; i < 20'000; ++i) {
      member_id a;
      a.bytes[0] = static_cast<std::uint8_t>(m);
      a.bytes[28] = static_cast<std::uint8_t>(i >> 24);
      a.bytes[29] = static_cast<std::uint8_t>(i >> 16);
      a.bytes[30] = static_cast<std::uint8_t>(i >> 8);
      a.bytes[31] = static_cast<std::uint8_t>(i);
      h.entries.push_back({a, 1});
    }
    net.inject(bad_link, hostile, encode(h));
  }
  net.run();
  ASSERT_EQ(net.misbehaviours().size(), 1u);
  EXPECT_NE(net.misbehaviours()[0].what.reason.find("more than 100000 feeds"), std::string::npos)
      << net.misbehaviours()[0].what.reason;
  EXPECT_FALSE(net.connected(bad_link));
  EXPECT_EQ(net.engine(honest).fetching(), 0u);  // the detach dropped its wants
  expect_honest_sync_goes_on();
}

// --- the engine without the simulator ---------------------------------------------------

struct queue_sink final : message_sink {
  std::deque<std::string> out;
  void send(std::string m) override { out.push_back(std::move(m)); }
};

TEST(SyncEngineDirect, HelloFirstWrongCommunityAndPeerExchange) {
  crypto::init();
  auto c = sim::community_maker::make();
  memory_replica ra(c.genesis.community), rb(c.genesis.community);
  std::vector<misbehaviour> seen;
  std::vector<peer_address> got;
  engine_callbacks ca, cb;
  ca.on_misbehaviour = [&](session_id, const member_id&, const misbehaviour& m) {
    seen.push_back(m);
  };
  ca.on_peers = [&](session_id, const std::vector<peer_address>& p) { got = p; };
  cb.on_misbehaviour = ca.on_misbehaviour;
  cb.addresses_to_share = [] {
    crypto::public_key k;
    k.bytes.fill(7);
    return std::vector<peer_address>{{k, "10.0.0.7:4040"}, {k, std::string(300, 'x')}};
  };
  engine ea(ra, {}, ca), eb(rb, {}, cb);
  queue_sink sa, sb;
  auto ida = ea.attach(crypto::generate_key_pair().pk, true, sa);
  auto idb = eb.attach(crypto::generate_key_pair().pk, false, sb);
  ASSERT_EQ(sa.out.size(), 1u);  // hello at once
  ASSERT_EQ(sa.out[0].size(), 68u);

  // A message before hello is a protocol violation.
  engine ec(rb, {}, cb);
  queue_sink sc;
  auto idc = ec.attach(crypto::generate_key_pair().pk, false, sc);
  ec.on_message(idc, encode(ack{1}));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_NE(seen[0].reason.find("before hello"), std::string::npos);
  EXPECT_TRUE(ec.stats(idc).closed);

  // A hello naming another community is refused.
  engine ed(rb, {}, cb);
  queue_sink sd;
  auto idd = ed.attach(crypto::generate_key_pair().pk, false, sd);
  ed.on_message(idd, encode(hello{.community = sim::community_maker::make().genesis.community}));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_NE(seen[1].reason.find("another community"), std::string::npos);

  // Exchange hellos; equal frontiers: in sync, nothing more is sent.
  eb.on_message(idb, sa.out.front());
  ea.on_message(ida, sb.out.front());
  sa.out.clear();
  sb.out.clear();
  EXPECT_TRUE(ea.stats(ida).in_sync);
  EXPECT_TRUE(eb.stats(idb).in_sync);

  ea.request_peers(ida);
  ASSERT_EQ(sa.out.size(), 1u);
  eb.on_message(idb, sa.out.front());
  ASSERT_EQ(sb.out.size(), 1u);
  ea.on_message(ida, sb.out.front());
  ASSERT_EQ(got.size(), 1u);  // the over-long address is not shared
  EXPECT_EQ(got[0].address, "10.0.0.7:4040");
  EXPECT_EQ(seen.size(), 2u);
}

TEST(SyncEngineDirect, CatchUpNeverExceedsTheWindow) {
  crypto::init();
  auto c = sim::community_maker::make();
  memory_replica ra(c.genesis.community), rb(c.genesis.community);
  std::vector<std::string> recs{c.genesis.bytes};
  for (int i = 0; i < 4; ++i) {
    auto f = c.feed(200, 300, crypto::generate_key_pair());
    recs.insert(recs.end(), f.begin(), f.end());
  }
  ASSERT_TRUE(ra.ingest(recs).ok());
  engine_options opts;
  opts.window_bytes = 16 * 1024;
  opts.batch_bytes = 4 * 1024;
  engine_callbacks cbs;
  cbs.on_misbehaviour = [](session_id, const member_id&, const misbehaviour& m) {
    FAIL() << m.reason;
  };
  engine ea(ra, opts, cbs), eb(rb, opts, cbs);
  queue_sink sa, sb;
  auto ida = ea.attach(crypto::generate_key_pair().pk, false, sa);
  auto idb = eb.attach(crypto::generate_key_pair().pk, true, sb);
  std::size_t max_in_flight = 0;
  // Deliver one message at a time, alternating, and watch a's unacknowledged bytes.
  for (int guard = 0; guard < 100000 && (!sa.out.empty() || !sb.out.empty()); ++guard) {
    if (!sa.out.empty()) {
      auto m = std::move(sa.out.front());
      sa.out.pop_front();
      eb.on_message(idb, m);
    }
    max_in_flight = std::max(max_in_flight, ea.stats(ida).in_flight_bytes);
    if (!sb.out.empty()) {
      auto m = std::move(sb.out.front());
      sb.out.pop_front();
      ea.on_message(ida, m);
    }
  }
  EXPECT_EQ(rb.record_count(), recs.size());
  EXPECT_GT(max_in_flight, 0u);
  // The window may be overshot by at most one batch (plus one record).
  EXPECT_LE(max_in_flight, opts.window_bytes + opts.batch_bytes + max_record_size);
  EXPECT_EQ(ea.stats(ida).in_flight_bytes, 0u);
}

}  // namespace
}  // namespace zwerm::node::sync
