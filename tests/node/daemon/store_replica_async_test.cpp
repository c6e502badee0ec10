// store_replica over a node::ingest_queue (zwermd's set-up): the engine goes on receiving
// while earlier records messages are verified and committed on the queue's threads, and the
// reports come back later through a posted function. The same results as inline ingest, and
// every peer fault is still caught: a bad signature, a streamed record past a gap (checked
// against the feed including the messages still being ingested), a fork.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <mutex>

#include "crypto/sodium.hpp"
#include "node/daemon/store_replica.hpp"
#include "node/ingest/ingest_queue.hpp"
#include "node/records/record_parse.hpp"
#include "node/sync/engine.hpp"
#include "tests/node/daemon/posted_calls.hpp"
#include "tests/node/sync/sim.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::node::sync {
namespace {

using async_test::posted_calls;
using async_test::queue_sink;

class StoreReplicaAsync : public ::testing::Test {
 protected:
  void SetUp() override { crypto::init(); }

  std::unique_ptr<store::store> open(const std::string& name) {
    auto s = store::store::open(dir / name);
    if (!s) ADD_FAILURE() << s.error().message();
    return s ? std::move(*s) : nullptr;
  }

  sim::community_maker c = sim::community_maker::make();
  testing::temp_dir dir{"zwerm-sync-async"};
  std::vector<misbehaviour> faults;

  engine_callbacks callbacks() {
    engine_callbacks cbs;
    cbs.on_misbehaviour = [this](session_id, const member_id&, const misbehaviour& m) {
      faults.push_back(m);
    };
    cbs.on_local_error = [](session_id, const status& st) { ADD_FAILURE() << st.message(); };
    return cbs;
  }
};

TEST_F(StoreReplicaAsync, CatchUpWithMessagesInFlightStoresEverythingOnce) {
  std::vector<std::string> records{c.genesis.bytes};
  for (int i = 0; i < 8; ++i) {
    auto f = c.feed(250, 300, crypto::generate_key_pair());
    records.insert(records.end(), f.begin(), f.end());
  }
  auto sa = open("a");
  auto sb = open("b");
  ASSERT_TRUE(sa && sb);
  store_replica ra(*sa, c.genesis.community);
  ASSERT_TRUE(ra.ingest(records).ok());
  posted_calls posted;
  node::ingest_queue queue(*sb, {.verify_threads = 2});
  store_replica rb(*sb, c.genesis.community, queue, posted.poster());
  std::vector<record_key> absorbed;
  auto cbs = callbacks();
  cbs.on_appended = [&](const std::vector<record_key>& keys) {
    absorbed.insert(absorbed.end(), keys.begin(), keys.end());
  };
  std::size_t most_in_flight = 0;
  engine ea(ra, {}, callbacks()), eb(rb, {}, cbs);
  queue_sink qa, qb;
  auto ia = ea.attach(crypto::generate_key_pair().pk, false, qa);
  auto ib = eb.attach(crypto::generate_key_pair().pk, true, qb);
  for (int idle = 0; idle < 3;) {
    bool moved = false;
    // Everything a sends is received before any report comes back: up to a's whole window
    // is being ingested at once.
    while (!qa.out.empty()) {
      eb.on_message(ib, qa.out.front());
      qa.out.pop_front();
      moved = true;
    }
    most_in_flight = std::max(most_in_flight, eb.stats(ib).ingesting_bytes);
    while (!qb.out.empty()) {
      ea.on_message(ia, qb.out.front());
      qb.out.pop_front();
      moved = true;
    }
    if (queue.queued_records() > 0) queue.drain();
    moved = posted.run() > 0 || moved;
    idle = moved ? 0 : idle + 1;
  }
  EXPECT_TRUE(faults.empty()) << faults.front().reason;
  EXPECT_GT(most_in_flight, 60u * 1024) << "several records messages should have been in flight";
  EXPECT_EQ(*ra.frontier_digest(), *rb.frontier_digest());
  EXPECT_EQ(eb.stats(ib).records_received, records.size());
  EXPECT_EQ(eb.stats(ib).records_stored, records.size());
  EXPECT_EQ(eb.stats(ib).records_duplicate, 0u);
  EXPECT_EQ(eb.stats(ib).ingesting_bytes, 0u);
  EXPECT_EQ(ea.stats(ia).in_flight_bytes, 0u);  // every byte acknowledged
  EXPECT_EQ(absorbed.size(), records.size());
  EXPECT_TRUE(sb->check().ok());
}

// The owner applies appended records to the community state without reading back those the
// queue kept parsed; the others (appended by ingest(), or promoted from the pending area) are
// read back from the store. Either way every record comes back once, as stored.
TEST_F(StoreReplicaAsync, TakeAppendedGivesEveryRecordOnceKeptOrReadBack) {
  auto s = open("b");
  ASSERT_TRUE(s);
  posted_calls posted;
  node::ingest_queue queue(*s, {.verify_threads = 1});
  store_replica replica(*s, c.genesis.community, queue, posted.poster());
  const auto first = c.feed(5, 200, crypto::generate_key_pair());
  const auto second = c.feed(7, 200, crypto::generate_key_pair());
  std::vector<std::string> inline_batch{c.genesis.bytes};
  inline_batch.insert(inline_batch.end(), first.begin(), first.begin() + 3);
  ASSERT_TRUE(replica.ingest(inline_batch).ok());  // not kept: read back later
  std::vector<std::string> queued(first.begin() + 3, first.end());
  queued.insert(queued.end(), second.begin(), second.end());
  bool reported = false;
  replica.ingest_async(queued, [&](result<ingest_report> r) {
    ASSERT_TRUE(r.ok()) << r.error().message();
    reported = true;
  });
  queue.drain();
  posted.run();
  ASSERT_TRUE(reported);
  std::vector<record_key> keys;
  std::map<std::pair<member_id, std::uint64_t>, record_id> want;
  for (const auto* batch : {&inline_batch, &queued}) {
    for (const auto& bytes : *batch) {
      auto r = parse_record(bytes);
      ASSERT_TRUE(r.ok());
      keys.push_back({r->author, r->seq});
      want[{r->author, r->seq}] = r->id;
    }
  }
  const std::vector<record> got = replica.take_appended(keys);
  ASSERT_EQ(got.size(), want.size());
  std::map<std::pair<member_id, std::uint64_t>, record_id> seen;
  for (const auto& r : got) {
    EXPECT_TRUE(seen.emplace(std::pair{r.author, r.seq}, r.id).second) << "twice: seq " << r.seq;
  }
  EXPECT_EQ(seen, want);
}

// A hostile peer's records messages, injected straight into b's engine.
class HostileInFlight : public StoreReplicaAsync {
 protected:
  void SetUp() override {
    StoreReplicaAsync::SetUp();
    store = open("b");
    ASSERT_TRUE(store);
    queue = std::make_unique<node::ingest_queue>(*store, node::ingest_queue_options{});
    replica = std::make_unique<store_replica>(*store, c.genesis.community, *queue, posted.poster());
    ASSERT_TRUE(replica->ingest({c.genesis.bytes}).ok());
    eng = std::make_unique<engine>(*replica, engine_options{}, callbacks());
    sid = eng->attach(crypto::generate_key_pair().pk, false, sink);
    eng->on_message(sid, encode(hello{.community = c.genesis.community}));
    ASSERT_TRUE(eng->stats(sid).hello_received);
  }

  void send(std::vector<std::string> items, bool live = false) {
    eng->on_message(sid, encode(records{live, std::move(items)}));
  }
  void finish() {
    queue->drain();
    posted.run();
  }

  posted_calls posted;
  std::unique_ptr<store::store> store;
  std::unique_ptr<node::ingest_queue> queue;
  std::unique_ptr<store_replica> replica;
  std::unique_ptr<engine> eng;
  queue_sink sink;
  session_id sid = 0;
};

TEST_F(HostileInFlight, StreamedMessagesThatFollowOneStillInFlightAreNoGap) {
  auto k = crypto::generate_key_pair();
  auto f = c.feed(300, 300, k);
  send({f.begin(), f.begin() + 100});
  send({f.begin() + 100, f.begin() + 200});  // seq 101 follows seq 100, not yet stored
  EXPECT_TRUE(faults.empty());
  finish();
  send({f.begin() + 200, f.end()});
  finish();
  EXPECT_TRUE(faults.empty()) << faults.front().reason;
  EXPECT_EQ(*replica->head_seq(k.pk), 300u);
  EXPECT_FALSE(eng->stats(sid).closed);
}

TEST_F(HostileInFlight, AStreamedGapBeyondTheMessagesInFlightIsOutOfOrder) {
  auto k = crypto::generate_key_pair();
  auto f = c.feed(300, 300, k);
  send({f.begin(), f.begin() + 100});
  send({f.begin() + 150, f.begin() + 200});  // skips 101..150
  ASSERT_EQ(faults.size(), 1u);
  EXPECT_EQ(faults[0].kind, misbehaviour_kind::out_of_order);
  EXPECT_TRUE(eng->stats(sid).closed);
  finish();
  // The first message was fine and is kept; nothing past the gap was stored.
  EXPECT_EQ(*replica->head_seq(k.pk), 100u);
  EXPECT_TRUE(store->check().ok());
}

TEST_F(HostileInFlight, ABadSignatureIsReportedWhenItsMessageIsDoneAndLaterMessagesDoNotCount) {
  auto k = crypto::generate_key_pair();
  auto f = c.feed(200, 300, k);
  std::vector<std::string> first(f.begin(), f.begin() + 100);
  // Seq 100, the message's last: the record every other one of the message is chained to, so
  // its signature is checked on arrival (a bad one in the middle is chain_auth_test's case).
  first[99][first[99].size() - 7] ^= 0x11;
  send(first);
  send({f.begin() + 100, f.end()});
  EXPECT_TRUE(faults.empty());  // not verified yet
  finish();
  ASSERT_EQ(faults.size(), 1u);
  EXPECT_EQ(faults[0].kind, misbehaviour_kind::bad_record);
  EXPECT_TRUE(eng->stats(sid).closed);
  EXPECT_EQ(eng->stats(sid).ingesting_bytes, 0u);
  // Seq 1..99 stored (each checked on its own once the run's check failed); the forged record
  // never; what followed it waits in the pending area.
  EXPECT_EQ(*replica->head_seq(k.pk), 99u);
  auto forged = parse_record(first[99], signature_check::skip);
  ASSERT_TRUE(forged.ok());
  EXPECT_FALSE(*store->contains(forged->id));
  EXPECT_TRUE(store->check().ok());
}

TEST_F(HostileInFlight, MalformedBytesAreABadRecordBeforeAnythingIsQueued) {
  auto k = crypto::generate_key_pair();
  auto f = c.feed(2, 300, k);
  std::string truncated = f[1].substr(0, 40);
  std::string garbage = "{\"no\":" + std::string(80, 'x');
  send({f[0], garbage});
  ASSERT_EQ(faults.size(), 1u);
  EXPECT_EQ(faults[0].kind, misbehaviour_kind::bad_record);
  EXPECT_EQ(eng->stats(sid).ingesting_bytes, 0u);  // refused before the queue
  EXPECT_EQ(queue->queued_records(), 0u);
  auto peeked = replica->peek(truncated);
  EXPECT_FALSE(peeked.ok());
  EXPECT_FALSE(replica->peek("").ok());
  auto good = replica->peek(f[1]);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->seq, 2u);
  EXPECT_EQ(good->author, k.pk);
}

TEST_F(HostileInFlight, AForkIsKeptAsProofAndReportedAsForked) {
  auto k = crypto::generate_key_pair();
  auto f = c.feed(3, 300, k);
  send({f[0], f[1], f[2]});
  finish();
  feed_writer w(k, c.genesis.community, std::nullopt, c.genesis.lamport);
  auto other = w.append("note", R"({"fork":1})", 7);  // another seq 1
  ASSERT_TRUE(other.ok());
  send({other->bytes}, /*live=*/true);
  finish();
  ASSERT_EQ(faults.size(), 1u);
  EXPECT_EQ(faults[0].kind, misbehaviour_kind::forked);
  EXPECT_FALSE(eng->stats(sid).closed);  // honest peers relay fork proofs
  EXPECT_EQ(*replica->head_seq(k.pk), 3u);
  EXPECT_TRUE(store->check().ok());
}

// The other side of a fork arrives in two records messages handed to the queue one after the
// other: 2a (the conflicting record, a proof once committed) and then 3a, 4a going on from it.
// Whether the queue commits the two together (the store's head is not yet marked forked when
// the second is classified) or one after the other, 3a and 4a are fork continuations, never a
// bad chain.
TEST_F(StoreReplicaAsync, AForkContinuationInTheNextMessageIsNotABadChain) {
  const auto f = sim::forked_feed::make(c.genesis, 2, 4);
  const auto& k = f.key;
  const node::record *s1 = &f.a(1), *s2b = &f.b, *s2a = &f.a(2), *s3a = &f.a(3), *s4a = &f.a(4);

  auto store = open("a");
  ASSERT_TRUE(store);
  posted_calls posted;
  node::ingest_queue queue(*store, {.verify_threads = 2});
  store_replica r(*store, c.genesis.community, queue, posted.poster());
  std::vector<ingest_report> reports;
  auto collect = [&](result<ingest_report> rep) {
    ASSERT_TRUE(rep.ok()) << rep.error().message();
    reports.push_back(std::move(*rep));
  };
  r.ingest_async({c.genesis.bytes, s1->bytes, s2b->bytes}, collect);
  queue.drain();
  r.ingest_async({s2a->bytes}, collect);
  r.ingest_async({s3a->bytes, s4a->bytes}, collect);
  queue.drain();
  posted.run();
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[1].outcomes.at(0).outcome, ingest_outcome::forked);
  ASSERT_EQ(reports[2].outcomes.size(), 2u);
  for (const auto& o : reports[2].outcomes) {
    EXPECT_EQ(o.outcome, ingest_outcome::fork_continuation) << o.reason;
  }
  EXPECT_FALSE(*store->contains(s3a->id));
  EXPECT_EQ(*store->pending_count(), 0u);
  EXPECT_EQ(*r.head_seq(k.pk), 2u);
}

// The race of a relayed fork continuation through the queue: the feed forks at seq 2 (this
// node keeps 2b), and the other side's 3a and 4a arrive in two messages, 4a first (held past
// the gap at 3). Whether the queue commits the two together or one after the other, 4a does
// not stay in the pending area once 3a is refused, and 5a, going on from 4a, is refused and
// not held either.
TEST_F(StoreReplicaAsync, AContinuationHeldPastAGapGoesWhenTheRecordBeforeItIsRefused) {
  const auto f = sim::forked_feed::make(c.genesis, 2, 5);
  const auto& k = f.key;
  const node::record *s1 = &f.a(1), *s2b = &f.b, *s2a = &f.a(2), *s3a = &f.a(3), *s4a = &f.a(4),
                     *s5a = &f.a(5);

  auto store = open("a");
  ASSERT_TRUE(store);
  posted_calls posted;
  node::ingest_queue queue(*store, {.verify_threads = 2});
  store_replica r(*store, c.genesis.community, queue, posted.poster());
  std::vector<ingest_report> reports;
  auto collect = [&](result<ingest_report> rep) {
    ASSERT_TRUE(rep.ok()) << rep.error().message();
    reports.push_back(std::move(*rep));
  };
  r.ingest_async({c.genesis.bytes, s1->bytes, s2b->bytes, s2a->bytes}, collect);
  queue.drain();
  r.ingest_async({s4a->bytes}, collect);  // past the gap at 3
  r.ingest_async({s3a->bytes}, collect);  // goes on from 2a: refused
  queue.drain();
  EXPECT_EQ(*store->pending_count(), 0u);
  r.ingest_async({s5a->bytes}, collect);
  queue.drain();
  posted.run();
  ASSERT_EQ(reports.size(), 4u);
  EXPECT_EQ(reports[0].outcomes.at(3).outcome, ingest_outcome::forked);
  EXPECT_EQ(reports[2].outcomes.at(0).outcome, ingest_outcome::fork_continuation);
  EXPECT_EQ(reports[3].outcomes.at(0).outcome, ingest_outcome::fork_continuation)
      << reports[3].outcomes.at(0).reason;
  EXPECT_EQ(*store->pending_count(), 0u);
  EXPECT_EQ(*r.head_seq(k.pk), 2u);
  EXPECT_TRUE(store->check().ok()) << store->check().message();
}

}  // namespace
}  // namespace zwerm::node::sync
