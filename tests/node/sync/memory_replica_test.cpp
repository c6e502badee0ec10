// The in-memory replica: real signed records, chain rules, pending, forks, digests.
#include "node/sync/memory_replica.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "crypto/sodium.hpp"
#include "tests/node/sync/sim.hpp"

namespace zwerm::node::sync {
namespace {

class MemoryReplica : public ::testing::Test {
 protected:
  void SetUp() override { crypto::init(); }
  sim::community_maker c = sim::community_maker::make();
};

TEST_F(MemoryReplica, StoresAFeedInOrderAndReadsItBack) {
  memory_replica r(c.genesis.community);
  auto author = crypto::generate_key_pair();
  auto feed = c.feed(5, 300, author);
  auto rep = r.ingest(feed);
  ASSERT_TRUE(rep.ok());
  for (const auto& o : rep->outcomes) EXPECT_EQ(o.outcome, ingest_outcome::stored) << o.reason;
  EXPECT_EQ(rep->appended.size(), 5u);
  EXPECT_EQ(*r.head_seq(author.pk), 5u);
  auto read = r.read_feed(author.pk, 2, 650, SIZE_MAX);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 2u);  // 2 × ~300 bytes fit in 650, a third does not
  EXPECT_EQ((*read)[0], feed[1]);
  EXPECT_EQ(r.read_feed(author.pk, 5, 1, SIZE_MAX)->size(), 1u);  // at least one record
  EXPECT_TRUE(r.read_feed(author.pk, 6, 1000, SIZE_MAX)->empty());
  EXPECT_GE(feed[0].size(), 300u);
  EXPECT_LT(feed[0].size(), 310u);
}

TEST_F(MemoryReplica, HoldsRecordsPastAGapUntilItFills) {
  memory_replica r(c.genesis.community);
  auto author = crypto::generate_key_pair();
  auto feed = c.feed(4, 200, author);
  auto rep = r.ingest({feed[2], feed[3]});
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->outcomes[0].outcome, ingest_outcome::pending);
  EXPECT_EQ(rep->outcomes[1].outcome, ingest_outcome::pending);
  EXPECT_EQ(r.pending_count(), 2u);
  EXPECT_EQ(*r.head_seq(author.pk), 0u);
  rep = r.ingest({feed[0], feed[1], feed[1]});
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->outcomes[2].outcome, ingest_outcome::duplicate);
  EXPECT_EQ(rep->appended.size(), 4u);  // two given, two promoted
  EXPECT_EQ(*r.head_seq(author.pk), 4u);
  EXPECT_EQ(r.pending_count(), 0u);
  EXPECT_EQ(r.appends(), 4u);
}

TEST_F(MemoryReplica, RefusesBadSignatureAndOtherCommunity) {
  memory_replica r(c.genesis.community);
  auto author = crypto::generate_key_pair();
  auto feed = c.feed(1, 200, author);
  std::string bad = feed[0];
  bad[bad.size() - 3] ^= 0x01;
  auto rep = r.ingest({bad});
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->outcomes[0].outcome, ingest_outcome::invalid);
  EXPECT_NE(rep->outcomes[0].reason.find("signature"), std::string::npos)
      << rep->outcomes[0].reason;
  auto other = sim::community_maker::make();
  rep = r.ingest(other.feed(1, 200, author));
  EXPECT_EQ(rep->outcomes[0].outcome, ingest_outcome::invalid);
  EXPECT_EQ(r.record_count(), 0u);
}

TEST_F(MemoryReplica, KeepsAForkAsProofAndMarksTheFeed) {
  memory_replica r(c.genesis.community);
  auto author = crypto::generate_key_pair();
  auto feed = c.feed(2, 200, author);
  feed_writer w(author, c.genesis.community, std::nullopt, 1);
  ASSERT_TRUE(w.append("note", "{}", 5).ok());
  auto fork = w.append("note", R"({"other":true})", 6);
  ASSERT_TRUE(fork.ok());
  ASSERT_TRUE(r.ingest(feed).ok());
  auto before = *r.frontier_digest();
  auto rep = r.ingest({fork->bytes});
  EXPECT_EQ(rep->outcomes[0].outcome, ingest_outcome::forked);
  EXPECT_EQ(r.fork_proofs(), 1u);
  EXPECT_TRUE(r.forked(author.pk));
  EXPECT_EQ(*r.head_seq(author.pk), 2u);
  EXPECT_EQ(r.read_feed(author.pk, 2, 1, SIZE_MAX)->front(), feed[1]);  // the log keeps the first
  EXPECT_NE(*r.frontier_digest(), before);  // the forked flag is digested
  EXPECT_EQ(r.ingest({fork->bytes})->outcomes[0].outcome, ingest_outcome::duplicate);
}

// A validly signed record whose prev is not the held seq 1 is the author's doing: refused as a
// fork continuation, not held against the peer that relayed it.
TEST_F(MemoryReplica, RefusesAWrongPrevAsTheAuthorsForkNotThePeersFault) {
  memory_replica r(c.genesis.community);
  auto author = crypto::generate_key_pair();
  auto feed = c.feed(1, 200, author);
  record_fields f;
  f.community = c.genesis.community;
  f.seq = 2;
  f.prev = c.genesis.id;  // not the id of the author's seq 1
  f.lamport = 5;
  f.type = "note";
  auto wrong = write_record(f, author);
  ASSERT_TRUE(wrong.ok()) << wrong.error().message();
  ASSERT_TRUE(r.ingest(feed).ok());
  auto rep = r.ingest({wrong->bytes});
  EXPECT_EQ(rep->outcomes[0].outcome, ingest_outcome::fork_continuation);
  EXPECT_EQ(*r.head_seq(author.pk), 1u);
}

// As store_replica: a record held past a gap goes once the record it chains to is refused as
// the other side of its feed's fork, and so does the rest of that side arriving later.
TEST_F(MemoryReplica, ARecordHeldPastAGapGoesWhenTheRecordItChainsToIsARefusedContinuation) {
  memory_replica r(c.genesis.community);
  const auto f = sim::forked_feed::make(c.genesis, 3, 7);
  const auto& k = f.key;
  const node::record *s1 = &f.a(1), *s2 = &f.a(2), *s3b = &f.b, *s3a = &f.a(3), *s4a = &f.a(4),
                     *s5a = &f.a(5), *s6a = &f.a(6), *s7a = &f.a(7);
  ASSERT_TRUE(r.ingest({c.genesis.bytes, s1->bytes, s2->bytes, s3b->bytes}).ok());
  auto one = [&](const std::string& bytes) { return r.ingest({bytes})->outcomes.at(0).outcome; };
  EXPECT_EQ(one(s3a->bytes), ingest_outcome::forked);
  EXPECT_EQ(one(s6a->bytes), ingest_outcome::pending);
  EXPECT_EQ(one(s5a->bytes), ingest_outcome::pending);
  ASSERT_EQ(r.pending_count(), 2u);
  EXPECT_EQ(one(s4a->bytes), ingest_outcome::fork_continuation);
  EXPECT_EQ(r.pending_count(), 0u);  // 5a and 6a went with it
  EXPECT_EQ(one(s7a->bytes), ingest_outcome::fork_continuation);
  EXPECT_EQ(r.pending_count(), 0u);
  EXPECT_EQ(*r.head_seq(k.pk), 3u);
}

TEST_F(MemoryReplica, DigestsDependOnlyOnTheHeldHeads) {
  std::vector<std::string> all;
  for (int i = 0; i < 40; ++i) {
    auto f = c.feed(3, 120, crypto::generate_key_pair());
    all.insert(all.end(), f.begin(), f.end());
  }
  memory_replica a(c.genesis.community), b(c.genesis.community);
  ASSERT_TRUE(a.ingest(all).ok());
  std::mt19937_64 rng(7);
  auto shuffled = all;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);  // gaps fill through the pending area
  ASSERT_TRUE(b.ingest(shuffled).ok());
  EXPECT_EQ(b.record_count(), all.size());
  EXPECT_EQ(*a.frontier_digest(), *b.frontier_digest());
  EXPECT_EQ(*a.bucket_digests(), *b.bucket_digests());

  // Recompute from the definition (PROTOCOL.md §5.3) over the heads.
  bucket_digest_array expect{};
  for (int bucket = 0; bucket < 256; ++bucket) {
    auto heads = a.bucket_heads(static_cast<std::uint8_t>(bucket));
    ASSERT_TRUE(heads.ok());
    for (const auto& h : *heads) {
      EXPECT_EQ(h.author.bytes[0], bucket);
      xor_into(expect[bucket], feed_hash(h.author, h.seq, h.id, false));
    }
  }
  EXPECT_EQ(*a.bucket_digests(), expect);
  EXPECT_EQ(*a.frontier_digest(), frontier_of(expect));

  memory_replica c2(c.genesis.community);
  ASSERT_TRUE(c2.ingest(std::vector<std::string>(all.begin(), all.end() - 1)).ok());
  EXPECT_NE(*a.frontier_digest(), *c2.frontier_digest());
}

}  // namespace
}  // namespace zwerm::node::sync
