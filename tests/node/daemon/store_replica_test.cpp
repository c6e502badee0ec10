// store_replica: the sync engine over a real LevelDB store in a temp dir, and the digests of
// docs/PROTOCOL.md §5.3 computed by the store and by memory_replica, byte for byte.
#include "node/daemon/store_replica.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <random>

#include "crypto/sodium.hpp"
#include "node/sync/engine.hpp"
#include "node/sync/memory_replica.hpp"
#include "tests/node/sync/sim.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::node::sync {
namespace {

class StoreReplica : public ::testing::Test {
 protected:
  void SetUp() override { crypto::init(); }

  std::unique_ptr<store::store> open(const std::string& name) {
    auto s = store::store::open(dir / name);
    if (!s) ADD_FAILURE() << s.error().message();
    return s ? std::move(*s) : nullptr;
  }

  std::vector<std::string> history(std::size_t feeds, std::size_t per_feed) {
    std::vector<std::string> out{c.genesis.bytes};
    for (std::size_t i = 0; i < feeds; ++i) {
      auto f = c.feed(per_feed, 300, crypto::generate_key_pair());
      out.insert(out.end(), f.begin(), f.end());
    }
    return out;
  }

  sim::community_maker c = sim::community_maker::make();
  testing::temp_dir dir{"zwerm-sync-store"};
};

TEST_F(StoreReplica, DigestsAgreeWithTheMemoryReplica) {
  auto records = history(300, 2);
  // A fork in one feed, so the forked flag is digested on both sides too.
  auto k = crypto::generate_key_pair();
  auto f = c.feed(1, 300, k);
  feed_writer w(k, c.genesis.community, std::nullopt, c.genesis.lamport);
  auto other = w.append("note", R"({"fork":1})", 7);
  ASSERT_TRUE(other.ok());
  records.push_back(f[0]);
  records.push_back(other->bytes);

  auto s = open("a");
  ASSERT_TRUE(s);
  store_replica sr(*s, c.genesis.community);
  memory_replica mr(c.genesis.community);
  auto a = sr.ingest(records);
  auto b = mr.ingest(records);
  ASSERT_TRUE(a.ok()) << a.error().message();
  ASSERT_TRUE(b.ok());
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(a->outcomes[i].outcome, b->outcomes[i].outcome)
        << i << ": " << a->outcomes[i].reason << " / " << b->outcomes[i].reason;
  }
  EXPECT_EQ(a->outcomes.back().outcome, ingest_outcome::forked);
  EXPECT_EQ(*sr.frontier_digest(), *mr.frontier_digest());
  EXPECT_EQ(*sr.bucket_digests(), *mr.bucket_digests());
  for (int bucket = 0; bucket < 256; ++bucket) {
    auto x = sr.bucket_heads(static_cast<std::uint8_t>(bucket));
    auto y = mr.bucket_heads(static_cast<std::uint8_t>(bucket));
    ASSERT_TRUE(x.ok() && y.ok());
    EXPECT_EQ(*x, *y) << "bucket " << bucket;
  }
}

TEST_F(StoreReplica, ClassifiesPeerFaultsAndHoldsGaps) {
  auto s = open("a");
  ASSERT_TRUE(s);
  store_replica r(*s, c.genesis.community);
  auto k = crypto::generate_key_pair();
  auto f = c.feed(3, 300, k);
  std::string forged = f[0];
  forged[forged.size() - 1] ^= 1;
  auto rep = r.ingest({forged, f[2]});
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->outcomes[0].outcome, ingest_outcome::invalid);
  EXPECT_EQ(rep->outcomes[1].outcome, ingest_outcome::pending);
  rep = r.ingest({f[0], f[1]});
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->appended.size(), 3u);
  EXPECT_EQ(*r.head_seq(k.pk), 3u);
  record_fields bad;
  bad.community = c.genesis.community;
  bad.seq = 4;
  bad.prev = c.genesis.id;
  bad.lamport = 9;
  bad.type = "note";
  auto wrong = write_record(bad, k);
  ASSERT_TRUE(wrong.ok());
  // A validly signed record whose prev is not this node's seq 3: the author's doing (a fork,
  // or a prev that never was), so it is refused without blaming whoever relayed it.
  rep = r.ingest({wrong->bytes});
  EXPECT_EQ(rep->outcomes[0].outcome, ingest_outcome::fork_continuation);
  auto read = r.read_feed(k.pk, 2, 1 << 20, SIZE_MAX);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, (std::vector<std::string>{f[1], f[2]}));
}

// A member's feed forks at seq 2; this node keeps 2b. The other side's 3a, 4a, 5a are fork
// continuations (not stored, not a fault), also 3a before the fork proof arrives. The memory
// replica agrees outcome for outcome and digest for digest.
TEST_F(StoreReplica, RecordsGoingOnFromTheOtherSideOfAForkAreContinuationsNotBadChains) {
  const auto f = sim::forked_feed::make(c.genesis, 2, 5);
  const auto& k = f.key;
  const node::record *s1 = &f.a(1), *s2b = &f.b, *s2a = &f.a(2), *s3a = &f.a(3), *s4a = &f.a(4),
                     *s5a = &f.a(5);

  auto s = open("a");
  ASSERT_TRUE(s);
  store_replica sr(*s, c.genesis.community);
  memory_replica mr(c.genesis.community);
  const std::vector<std::vector<std::string>> batches{
      {c.genesis.bytes, s1->bytes, s2b->bytes},
      {s3a->bytes},                          // no proof yet, but 3a names another 2
      {s2a->bytes, s3a->bytes, s4a->bytes},  // the proof, then its side going on
      {s3a->bytes},                          // the feed is held as forked now
      {s5a->bytes},                          // past a gap, after the last one refused
  };
  const std::vector<std::vector<ingest_outcome>> expected{
      {ingest_outcome::stored, ingest_outcome::stored, ingest_outcome::stored},
      {ingest_outcome::fork_continuation},
      {ingest_outcome::forked, ingest_outcome::fork_continuation,
       ingest_outcome::fork_continuation},
      {ingest_outcome::fork_continuation},
      {ingest_outcome::fork_continuation},
  };
  for (std::size_t b = 0; b < batches.size(); ++b) {
    auto x = sr.ingest(batches[b]);
    auto y = mr.ingest(batches[b]);
    ASSERT_TRUE(x.ok()) << x.error().message();
    ASSERT_TRUE(y.ok());
    ASSERT_EQ(x->outcomes.size(), expected[b].size());
    for (std::size_t i = 0; i < expected[b].size(); ++i) {
      EXPECT_EQ(x->outcomes[i].outcome, expected[b][i])
          << "batch " << b << " record " << i << ": " << x->outcomes[i].reason;
      EXPECT_EQ(y->outcomes[i].outcome, expected[b][i])
          << "batch " << b << " record " << i << ": " << y->outcomes[i].reason;
    }
    EXPECT_EQ(x->appended.size(), b == 0 ? 3u : 0u) << "batch " << b;
  }
  auto head = s->head(c.genesis.community, k.pk);
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->seq, 2u);
  EXPECT_EQ((*head)->id, s2b->id);
  EXPECT_TRUE((*head)->forked);
  EXPECT_EQ(*s->pending_count(), 0u);
  EXPECT_EQ(mr.pending_count(), 0u);
  EXPECT_FALSE(*s->contains(s3a->id));
  EXPECT_EQ(*sr.frontier_digest(), *mr.frontier_digest());
}

// The race behind a relayed fork continuation: a member's feed forks at seq 3 and this node
// keeps 3b. The other side's 5a arrives before 4a (a live push overtaken by a fetch), past a
// gap, so the store holds it; then 4a is refused as a fork continuation, and 5a, which goes on
// from 4a, leaves the pending area with it. 6a, going on from 5a, is refused too, not held.
// Within one message (5a before 4a) 5a is reported as a continuation as well.
TEST_F(StoreReplica, ARecordHeldPastAGapGoesWhenTheRecordItChainsToIsARefusedContinuation) {
  const auto f = sim::forked_feed::make(c.genesis, 3, 6);
  const auto& k = f.key;
  const node::record *s1 = &f.a(1), *s2 = &f.a(2), *s3b = &f.b, *s3a = &f.a(3), *s4a = &f.a(4),
                     *s5a = &f.a(5), *s6a = &f.a(6);

  auto s = open("a");
  ASSERT_TRUE(s);
  store_replica sr(*s, c.genesis.community);
  auto one = [&](const std::string& bytes) {
    auto rep = sr.ingest({bytes});
    EXPECT_TRUE(rep.ok()) << rep.error().message();
    return rep.ok() && rep->outcomes.size() == 1 ? rep->outcomes[0] : record_outcome{};
  };
  auto rep = sr.ingest({c.genesis.bytes, s1->bytes, s2->bytes, s3b->bytes});
  ASSERT_TRUE(rep.ok()) << rep.error().message();
  ASSERT_EQ(rep->appended.size(), 4u);
  EXPECT_EQ(one(s3a->bytes).outcome, ingest_outcome::forked);
  EXPECT_EQ(one(s5a->bytes).outcome, ingest_outcome::pending);  // nothing refused yet
  ASSERT_EQ(*s->pending_count(), 1u);
  auto four = one(s4a->bytes);
  EXPECT_EQ(four.outcome, ingest_outcome::fork_continuation) << four.reason;
  EXPECT_EQ(*s->pending_count(), 0u);  // 5a is not held past a gap any more
  auto six = one(s6a->bytes);
  EXPECT_EQ(six.outcome, ingest_outcome::fork_continuation) << six.reason;
  EXPECT_EQ(*s->pending_count(), 0u);
  auto head = s->head(c.genesis.community, k.pk);
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->seq, 3u);
  EXPECT_EQ((*head)->id, s3b->id);
  EXPECT_TRUE((*head)->forked);
  for (const auto* r : {&*s4a, &*s5a, &*s6a}) EXPECT_FALSE(*s->contains(r->id));
  EXPECT_TRUE(s->check().ok()) << s->check().message();

  // Both in one message, 5a first: the store holds 5a in the commit, and it goes right after.
  auto s2nd = open("b");
  ASSERT_TRUE(s2nd);
  store_replica sr2(*s2nd, c.genesis.community);
  ASSERT_TRUE(sr2.ingest({c.genesis.bytes, s1->bytes, s2->bytes, s3b->bytes, s3a->bytes}).ok());
  rep = sr2.ingest({s5a->bytes, s4a->bytes});
  ASSERT_TRUE(rep.ok()) << rep.error().message();
  ASSERT_EQ(rep->outcomes.size(), 2u);
  for (const auto& o : rep->outcomes) {
    EXPECT_EQ(o.outcome, ingest_outcome::fork_continuation) << o.reason;
  }
  EXPECT_EQ(*s2nd->pending_count(), 0u);
  rep = sr2.ingest({s6a->bytes});
  ASSERT_TRUE(rep.ok()) << rep.error().message();
  EXPECT_EQ(rep->outcomes.at(0).outcome, ingest_outcome::fork_continuation);
  EXPECT_EQ(*s2nd->pending_count(), 0u);
  EXPECT_TRUE(s2nd->check().ok()) << s2nd->check().message();
}

TEST_F(StoreReplica, VerificationOnAThreadPoolGivesTheSameOutcomes) {
  auto k = crypto::generate_key_pair();
  auto f = c.feed(300, 300, k);
  std::vector<std::string> batch{c.genesis.bytes};
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (i == 150) continue;  // a gap: the rest waits
    batch.push_back(f[i]);
  }
  batch[7][batch[7].size() - 5] ^= 0x40;  // a bad signature
  auto inline_store = open("inline");
  auto pooled_store = open("pooled");
  ASSERT_TRUE(inline_store && pooled_store);
  node::ingestor pool(*pooled_store, {.verify_threads = 2});
  store_replica a(*inline_store, c.genesis.community), b(*pooled_store, c.genesis.community, &pool);
  auto ra = a.ingest(batch);
  auto rb = b.ingest(batch);
  ASSERT_TRUE(ra.ok() && rb.ok());
  ASSERT_EQ(ra->outcomes.size(), rb->outcomes.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(ra->outcomes[i].outcome, rb->outcomes[i].outcome) << i;
  }
  EXPECT_EQ(rb->outcomes[7].outcome, ingest_outcome::invalid);
  EXPECT_EQ(rb->outcomes.back().outcome, ingest_outcome::pending);
  EXPECT_EQ(*b.head_seq(k.pk), 6u);  // seq 7 was forged; 8.. wait behind it
  EXPECT_EQ(*a.frontier_digest(), *b.frontier_digest());
}

struct queue_sink final : message_sink {
  std::deque<std::string> out;
  void send(std::string m) override { out.push_back(std::move(m)); }
};

TEST_F(StoreReplica, TwoStoreBackedEnginesCatchUpAndStayInSyncAcrossReopen) {
  auto records = history(10, 200);
  {
    auto sa = open("a");
    auto sb = open("b");
    ASSERT_TRUE(sa && sb);
    store_replica ra(*sa, c.genesis.community), rb(*sb, c.genesis.community);
    ASSERT_TRUE(ra.ingest(records).ok());
    engine_callbacks cbs;
    cbs.on_misbehaviour = [](session_id, const member_id&, const misbehaviour& m) {
      ADD_FAILURE() << m.reason;
    };
    cbs.on_local_error = [](session_id, const status& st) { ADD_FAILURE() << st.message(); };
    engine ea(ra, {}, cbs), eb(rb, {}, cbs);
    queue_sink qa, qb;
    auto ia = ea.attach(crypto::generate_key_pair().pk, false, qa);
    auto ib = eb.attach(crypto::generate_key_pair().pk, true, qb);
    while (!qa.out.empty() || !qb.out.empty()) {
      while (!qa.out.empty()) {
        auto m = std::move(qa.out.front());
        qa.out.pop_front();
        eb.on_message(ib, m);
      }
      while (!qb.out.empty()) {
        auto m = std::move(qb.out.front());
        qb.out.pop_front();
        ea.on_message(ia, m);
      }
    }
    EXPECT_EQ(*ra.frontier_digest(), *rb.frontier_digest());
    EXPECT_TRUE(sb->check().ok());
  }
  // Reopened, the two stores still agree: a reconnect is two hellos and nothing more.
  auto sa = open("a");
  auto sb = open("b");
  ASSERT_TRUE(sa && sb);
  store_replica ra(*sa, c.genesis.community), rb(*sb, c.genesis.community);
  engine_callbacks cbs;
  cbs.on_misbehaviour = [](session_id, const member_id&, const misbehaviour& m) {
    ADD_FAILURE() << m.reason;
  };
  engine ea(ra, {}, cbs), eb(rb, {}, cbs);
  queue_sink qa, qb;
  auto ia = ea.attach(crypto::generate_key_pair().pk, false, qa);
  auto ib = eb.attach(crypto::generate_key_pair().pk, true, qb);
  ASSERT_EQ(qa.out.size(), 1u);
  ASSERT_EQ(qb.out.size(), 1u);
  eb.on_message(ib, qa.out.front());
  ea.on_message(ia, qb.out.front());
  EXPECT_EQ(qa.out.size(), 1u);  // nothing after the hellos
  EXPECT_EQ(qb.out.size(), 1u);
  EXPECT_TRUE(ea.stats(ia).in_sync);
  EXPECT_TRUE(eb.stats(ib).in_sync);
  auto all = rb.read_feed(c.founder.pk, 1, 1 << 20, SIZE_MAX);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);
}

// Delivers queued messages between two engines, alternating, at most `limit` deliveries.
// Returns the number delivered.
std::size_t pump(engine& ea, session_id ia, queue_sink& qa, engine& eb, session_id ib,
                 queue_sink& qb, std::size_t limit) {
  std::size_t n = 0;
  while ((!qa.out.empty() || !qb.out.empty()) && n < limit) {
    if (!qa.out.empty()) {
      auto m = std::move(qa.out.front());
      qa.out.pop_front();
      eb.on_message(ib, m);
      ++n;
    }
    if (!qb.out.empty() && n < limit) {
      auto m = std::move(qb.out.front());
      qb.out.pop_front();
      ea.on_message(ia, m);
      ++n;
    }
  }
  return n;
}

TEST_F(StoreReplica, AStoreClosedDuringCatchUpResumesAfterReopenWithoutLossOrDuplicates) {
  auto records = history(20, 200);
  auto sa = open("a");
  ASSERT_TRUE(sa);
  store_replica ra(*sa, c.genesis.community);
  ASSERT_TRUE(ra.ingest(records).ok());
  engine_callbacks cbs;
  cbs.on_misbehaviour = [](session_id, const member_id&, const misbehaviour& m) {
    ADD_FAILURE() << m.reason;
  };
  cbs.on_local_error = [](session_id, const status& st) { ADD_FAILURE() << st.message(); };
  auto count = [](store::store& s) -> std::uint64_t {
    auto cs = s.communities();
    return cs.ok() && !cs->empty() ? cs->front().records : 0;
  };
  std::uint64_t partial = 0;
  {
    auto sb = open("b");
    ASSERT_TRUE(sb);
    store_replica rb(*sb, c.genesis.community);
    engine ea(ra, {}, cbs), eb(rb, {}, cbs);
    queue_sink qa, qb;
    auto ia = ea.attach(crypto::generate_key_pair().pk, false, qa);
    auto ib = eb.attach(crypto::generate_key_pair().pk, true, qb);
    pump(ea, ia, qa, eb, ib, qb, 12);  // hellos, reconciliation and a few batches
    partial = count(*sb);
    ASSERT_GT(partial, 0u);
    ASSERT_LT(partial, records.size());
    ea.detach(ia);  // the connection dies with messages in flight; b's process ends here
  }
  auto sb = open("b");
  ASSERT_TRUE(sb);
  EXPECT_TRUE(sb->check().ok());
  EXPECT_EQ(count(*sb), partial);  // everything committed survived the close
  store_replica rb(*sb, c.genesis.community);
  engine ea(ra, {}, cbs), eb(rb, {}, cbs);
  queue_sink qa, qb;
  auto ia = ea.attach(crypto::generate_key_pair().pk, false, qa);
  auto ib = eb.attach(crypto::generate_key_pair().pk, true, qb);
  pump(ea, ia, qa, eb, ib, qb, SIZE_MAX);
  EXPECT_EQ(count(*sb), records.size());
  EXPECT_EQ(*rb.frontier_digest(), *ra.frontier_digest());
  // Resumed from the heads it had: only the missing records crossed the second time.
  EXPECT_EQ(eb.stats(ib).records_received, records.size() - partial);
  EXPECT_EQ(eb.stats(ib).records_duplicate, 0u);
  EXPECT_TRUE(sb->check().ok());
}

}  // namespace
}  // namespace zwerm::node::sync
