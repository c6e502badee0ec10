// Protocol versions (PROTOCOL.md §5.12): nodes of version 1 and 2 replicate together, a newer
// peer's unknown optional messages and hello fields are ignored, no common version closes the
// session without blame; and fork proofs travel in either version's form and are made where
// the two sides of a feed part.
#include <gtest/gtest.h>

#include <algorithm>

#include "crypto/sodium.hpp"
#include "tests/node/sync/sim.hpp"

namespace zwerm::node::sync {
namespace {

using sim::network;

class Versions : public ::testing::Test {
 protected:
  void SetUp() override { crypto::init(); }

  std::vector<std::string> history(std::size_t feeds, std::size_t per_feed) {
    std::vector<std::string> out{c.genesis.bytes};
    for (std::size_t i = 0; i < feeds; ++i) {
      auto f = c.feed(per_feed, 200, crypto::generate_key_pair());
      out.insert(out.end(), f.begin(), f.end());
    }
    return out;
  }

  // Two sides of one author's feed: seqs 1..common alike, then `a_len` and `b_len` records
  // that differ from seq common + 1 on.
  struct forked_feed {
    crypto::key_pair author;
    std::vector<std::string> a, b;
  };
  forked_feed fork(std::size_t common, std::size_t a_len, std::size_t b_len) {
    forked_feed f{crypto::generate_key_pair(), {}, {}};
    feed_writer wa(f.author, c.genesis.community, std::nullopt, c.genesis.lamport);
    feed_writer wb(f.author, c.genesis.community, std::nullopt, c.genesis.lamport);
    for (std::size_t i = 1; i <= std::max(a_len, b_len); ++i) {
      const bool apart = i > common;
      if (i <= a_len) {
        f.a.push_back(
            wa.append("note", apart ? R"({"side":"a"})" : "{}", static_cast<std::int64_t>(i))
                ->bytes);
      }
      if (i <= b_len) {
        f.b.push_back(
            wb.append("note", apart ? R"({"side":"b"})" : "{}", static_cast<std::int64_t>(i))
                ->bytes);
      }
    }
    return f;
  }

  bool only_forks_reported(const network& net) const {
    return std::all_of(net.misbehaviours().begin(), net.misbehaviours().end(),
                       [](const auto& e) { return e.what.kind == misbehaviour_kind::forked; });
  }

  sim::community_maker c = sim::community_maker::make();
};

TEST_F(Versions, NodesOfVersionOneAndTwoReplicateBothWays) {
  network net(c.genesis.community, {});
  auto old_node = net.add_node_with(history(20, 10), /*max_version=*/1);
  auto new_node = net.add_node_with({c.genesis.bytes});
  auto third = net.add_node_with({c.genesis.bytes});
  net.connect(new_node, old_node);
  net.connect(third, new_node);
  net.run();
  EXPECT_TRUE(net.misbehaviours().empty());
  EXPECT_EQ(net.replica(new_node).record_count(), 201u);
  EXPECT_EQ(net.replica(third).record_count(), 201u);
  for (auto sid : net.engine(old_node).sessions()) {
    EXPECT_EQ(net.engine(old_node).stats(sid).version, 1);
  }
  // The two newer nodes speak version 2 between themselves.
  for (auto sid : net.engine(third).sessions()) {
    EXPECT_EQ(net.engine(third).stats(sid).version, 2);
  }
  // Live records flow from the new side to the old one and back.
  auto k = crypto::generate_key_pair();
  net.write(third, c.feed(3, 200, k));
  auto k2 = crypto::generate_key_pair();
  net.write(old_node, c.feed(2, 200, k2));
  net.run();
  EXPECT_EQ(*net.replica(old_node).head_seq(k.pk), 3u);
  EXPECT_EQ(*net.replica(third).head_seq(k2.pk), 2u);
  EXPECT_TRUE(net.misbehaviours().empty());
}

TEST_F(Versions, AForkProofReachesNodesOfBothVersions) {
  network net(c.genesis.community, {});
  auto f = fork(2, 4, 4);
  std::vector<std::string> with_a{c.genesis.bytes}, with_b{c.genesis.bytes};
  with_a.insert(with_a.end(), f.a.begin(), f.a.end());
  with_b.insert(with_b.end(), f.b.begin(), f.b.end());
  auto n_a = net.add_node_with(with_a);
  auto n_b = net.add_node_with(with_b);
  auto old_node = net.add_node_with(with_a, /*max_version=*/1);
  auto newer = net.add_node_with(with_a);
  net.connect(n_a, n_b);
  net.run();
  ASSERT_TRUE(net.replica(n_a).forked(f.author.pk));
  // n_a relays the proof (zwermd does so for every proof it holds, to every new peer) in each
  // peer's version's form.
  net.connect(old_node, n_a);
  net.connect(newer, n_a);
  net.run();
  net.engine(n_a).relay({f.a[2], f.b[2]});
  net.run();
  EXPECT_TRUE(net.replica(old_node).forked(f.author.pk));
  EXPECT_TRUE(net.replica(newer).forked(f.author.pk));
  EXPECT_TRUE(only_forks_reported(net));
}

TEST_F(Versions, TheProofIsMadeWhereTheTwoSidesPart) {
  // One node holds side a up to seq 5, the other side b up to seq 8; they part at seq 3. The
  // node with the shorter side first sees seq 6 of b go on from b's seq 5: it traces the feed
  // back and keeps a proof at seq 3, not at 5 or 6. The other side sees equal-seq heads differ
  // nowhere (its head is ahead), receives a's seq 3..5 when it asks, and keeps a proof at 3.
  for (std::uint8_t v : {std::uint8_t{1}, std::uint8_t{2}}) {
    network net(c.genesis.community, {});
    auto f = fork(2, 5, 8);
    std::vector<std::string> with_a{c.genesis.bytes}, with_b{c.genesis.bytes};
    with_a.insert(with_a.end(), f.a.begin(), f.a.end());
    with_b.insert(with_b.end(), f.b.begin(), f.b.end());
    auto n_a = net.add_node_with(with_a, v);
    auto n_b = net.add_node_with(with_b, v);
    net.connect(n_a, n_b);
    net.run();
    net.anti_entropy_round();
    net.run();
    EXPECT_EQ(net.replica(n_a).fork_seq(f.author.pk), 3u) << "version " << int(v);
    EXPECT_EQ(*net.replica(n_a).head_seq(f.author.pk), 5u);  // its own side stays
    EXPECT_TRUE(only_forks_reported(net));
  }
}

TEST_F(Versions, EqualHeadsWithAnotherIdAreTracedToTheirDivergence) {
  network net(c.genesis.community, {});
  auto f = fork(1, 6, 6);
  std::vector<std::string> with_a{c.genesis.bytes}, with_b{c.genesis.bytes};
  with_a.insert(with_a.end(), f.a.begin(), f.a.end());
  with_b.insert(with_b.end(), f.b.begin(), f.b.end());
  auto n_a = net.add_node_with(with_a);
  auto n_b = net.add_node_with(with_b);
  net.connect(n_a, n_b);
  net.run();
  EXPECT_EQ(net.replica(n_a).fork_seq(f.author.pk), 2u);
  EXPECT_EQ(net.replica(n_b).fork_seq(f.author.pk), 2u);
  EXPECT_TRUE(only_forks_reported(net));
}

// A peer written by hand: this node's engine on one side, the test's bytes on the other.
struct queue_sink final : message_sink {
  std::vector<std::string> out;
  void send(std::string m) override { out.push_back(std::move(m)); }
};

class HandWrittenPeer : public Versions {
 protected:
  void start(hello h) {
    ASSERT_TRUE(ours.ingest({c.genesis.bytes}).ok());
    seen.clear();
    cbs.on_misbehaviour = [this](session_id, const member_id&, const misbehaviour& m) {
      seen.push_back(m);
    };
    us = std::make_unique<engine>(ours, engine_options{}, cbs);
    id = us->attach(crypto::generate_key_pair().pk, false, sink);
    h.community = c.genesis.community;
    us->on_message(id, encode(h));
  }
  memory_replica ours{c.genesis.community};
  engine_callbacks cbs;
  std::unique_ptr<engine> us;
  queue_sink sink;
  session_id id = 0;
  std::vector<misbehaviour> seen;
};

TEST_F(HandWrittenPeer, ANewerPeersExtraHelloFieldsAndOptionalMessagesAreIgnored) {
  hello h;
  h.min_version = 1;
  h.max_version = 7;
  h.features = 0xff;  // capabilities this node does not know
  start(h);
  ASSERT_TRUE(seen.empty());
  EXPECT_EQ(us->stats(id).version, max_protocol_version);
  // An optional message type of version 7, with any body.
  us->on_message(id, std::string("\x7f\x01\x02\x03", 4));
  us->on_message(id, std::string(1, '\x40'));
  EXPECT_TRUE(seen.empty());
  EXPECT_FALSE(us->stats(id).closed);
  EXPECT_EQ(us->stats(id).optional_ignored, 2u);
  // And the session goes on: the peer leads a round and gets its answer.
  buckets b;
  us->on_message(id, encode(b));
  EXPECT_TRUE(seen.empty());
  EXPECT_FALSE(us->stats(id).closed);
}

TEST_F(HandWrittenPeer, AProofGoesAsOneForkProofOnVersionTwoAndAsTwoRecordsOnVersionOne) {
  auto f = fork(0, 1, 1);
  for (std::uint8_t v : {std::uint8_t{2}, std::uint8_t{1}}) {
    hello h;
    h.max_version = v;
    sink.out.clear();
    ours = memory_replica{c.genesis.community};
    start(h);
    sink.out.clear();
    us->relay({f.a[0], f.b[0]}, id);
    std::vector<std::uint8_t> types;
    for (const auto& m : sink.out) types.push_back(static_cast<std::uint8_t>(m[0]));
    if (v == 2) {
      EXPECT_EQ(types, std::vector<std::uint8_t>{0x0c});
      auto back = decode(sink.out[0], 2);
      ASSERT_TRUE(back.ok());
      EXPECT_EQ(std::get<fork_proof>(*back).first, f.a[0]);
      EXPECT_EQ(std::get<fork_proof>(*back).second, f.b[0]);
    } else {
      EXPECT_EQ(types, (std::vector<std::uint8_t>{0x07, 0x07}));
    }
    // Sent before the peer's hello, the proof waits for the version to be known.
    us = std::make_unique<engine>(ours, engine_options{}, cbs);
    sink.out.clear();
    id = us->attach(crypto::generate_key_pair().pk, false, sink);
    us->relay({f.a[0], f.b[0]}, id);
    EXPECT_EQ(sink.out.size(), 1u);  // the hello only
    h.community = c.genesis.community;
    us->on_message(id, encode(h));
    ASSERT_GE(sink.out.size(), 2u);
    EXPECT_EQ(static_cast<std::uint8_t>(sink.out[1][0]), v == 2 ? 0x0c : 0x07);
  }
}

TEST_F(HandWrittenPeer, ARelayedForkProofIsKeptByTheReceiver) {
  auto f = fork(0, 1, 1);
  start(hello{});
  ASSERT_TRUE(ours.ingest({f.a[0]}).ok());
  us->on_message(id, encode(fork_proof{f.a[0], f.b[0]}));
  EXPECT_TRUE(ours.forked(f.author.pk));
  EXPECT_EQ(ours.fork_seq(f.author.pk), 1u);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].kind, misbehaviour_kind::forked);  // marked, not a fault
  EXPECT_FALSE(us->stats(id).closed);
}

TEST_F(HandWrittenPeer, AnOptionalMessageBeforeTheHelloIsRefused) {
  // Optional types are ignored only once the hellos settled a version.
  ASSERT_TRUE(ours.ingest({c.genesis.bytes}).ok());
  cbs.on_misbehaviour = [this](session_id, const member_id&, const misbehaviour& m) {
    seen.push_back(m);
  };
  us = std::make_unique<engine>(ours, engine_options{}, cbs);
  id = us->attach(crypto::generate_key_pair().pk, false, sink);
  us->on_message(id, std::string("\x7f\x01", 2));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(us->stats(id).closed);
  EXPECT_EQ(us->stats(id).optional_ignored, 0u);
}

TEST_F(HandWrittenPeer, AnUnknownCoreMessageTypeIsMalformed) {
  start(hello{});
  us->on_message(id, std::string("\x3f\x00", 2));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].kind, misbehaviour_kind::malformed_message);
}

TEST_F(HandWrittenPeer, AVersionTwoMessageOnAVersionOneSessionIsMalformed) {
  hello h;
  h.max_version = 1;
  start(h);
  ASSERT_EQ(us->stats(id).version, 1);
  us->on_message(id, encode(fork_proof{"a", "b"}, 2));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].kind, misbehaviour_kind::malformed_message);
  EXPECT_NE(seen[0].reason.find("does not exist in version 1"), std::string::npos);
}

TEST_F(HandWrittenPeer, NoCommonVersionClosesWithBothRangesAndNoBlame) {
  hello h;
  h.min_version = 3;
  h.max_version = 4;
  start(h);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].kind, misbehaviour_kind::incompatible);
  EXPECT_NE(seen[0].reason.find("this node speaks 1..2, the peer 3..4"), std::string::npos)
      << seen[0].reason;
  EXPECT_TRUE(us->stats(id).closed);
}

TEST_F(HandWrittenPeer, AForkProofOfTwoFeedsIsABadRecord) {
  start(hello{});
  auto k = crypto::generate_key_pair();
  auto f1 = c.feed(1, 200, k);
  auto f2 = c.feed(2, 200, crypto::generate_key_pair());
  us->on_message(id, encode(fork_proof{f1[0], f2[1]}));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].kind, misbehaviour_kind::bad_record);
}

}  // namespace
}  // namespace zwerm::node::sync
