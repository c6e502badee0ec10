// Authentication by chain in zwermd's sync set-up (store_replica over a node::ingest_queue with
// node::deferred_signatures; PROTOCOL.md §2.11): one signature per run of a feed on arrival, the
// rest checked later; a chain with a bad signature in the middle is stored and blames nobody;
// a node that holds such a record never ends a range it serves there, so relaying it to a
// third node blames nobody either; a bad signature at the end of a run is the sender's fault,
// as before.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "crypto/sodium.hpp"
#include "node/daemon/store_replica.hpp"
#include "node/ingest/deferred_signatures.hpp"
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

void damage_signature(std::string& record) {
  record[record.size() - 9] ^= 0x10;
}

// One node: a store in its own directory, the queue, the deferred checks (no background
// thread: the test runs check_all() when it wants), the replica and an engine.
struct node_under_test {
  node_under_test(const std::filesystem::path& dir, const community_id& community,
                  std::vector<misbehaviour>& faults, engine_options eo = {}) {
    auto s = store::store::open(dir);
    if (!s) throw std::runtime_error(s.error().message());
    db = std::move(*s);
    auto d = node::deferred_signatures::open(*db, {.background = false});
    if (!d) throw std::runtime_error(d.error().message());
    deferred = std::move(*d);
    queue = std::make_unique<node::ingest_queue>(*db, node::ingest_queue_options{});
    replica =
        std::make_unique<store_replica>(*db, community, *queue, posted.poster(), deferred.get());
    engine_callbacks cbs;
    cbs.on_misbehaviour = [&faults](session_id, const member_id&, const misbehaviour& m) {
      faults.push_back(m);
    };
    cbs.on_local_error = [](session_id, const status& st) { ADD_FAILURE() << st.message(); };
    eng = std::make_unique<engine>(*replica, eo, cbs);
  }
  ~node_under_test() {
    eng.reset();
    queue.reset();  // before the deferred checks its jobs use
  }
  // Stops everything but the store, as a kill would leave it.
  void stop_keeping_store() {
    eng.reset();
    queue.reset();
    deferred.reset();
  }
  void settle() {
    if (queue->queued_records() > 0) queue->drain();
    posted.run();
  }

  posted_calls posted;
  std::unique_ptr<store::store> db;
  std::unique_ptr<node::deferred_signatures> deferred;
  std::unique_ptr<node::ingest_queue> queue;
  std::unique_ptr<store_replica> replica;
  std::unique_ptr<engine> eng;
};

// Runs two engines against each other until nothing moves.
void converse(node_under_test& a, session_id ia, queue_sink& qa, node_under_test& b, session_id ib,
              queue_sink& qb) {
  for (int idle = 0; idle < 3;) {
    bool moved = false;
    while (!qa.out.empty()) {
      b.eng->on_message(ib, qa.out.front());
      qa.out.pop_front();
      moved = true;
    }
    while (!qb.out.empty()) {
      a.eng->on_message(ia, qb.out.front());
      qb.out.pop_front();
      moved = true;
    }
    a.settle();
    b.settle();
    moved = a.posted.run() + b.posted.run() > 0 || moved;
    idle = moved ? 0 : idle + 1;
  }
}

class ChainAuth : public ::testing::Test {
 protected:
  void SetUp() override { crypto::init(); }

  std::unique_ptr<node_under_test> make(const std::string& name, engine_options eo = {}) {
    return std::make_unique<node_under_test>(dir.path() / name, c.genesis.community, faults, eo);
  }

  // Hands `records` to `n` as one non-live records message from a fresh peer.
  session_id send(node_under_test& n, queue_sink& sink, std::vector<std::string> records) {
    const session_id sid = n.eng->attach(crypto::generate_key_pair().pk, false, sink);
    n.eng->on_message(sid, encode(hello{.community = c.genesis.community}));
    n.eng->on_message(sid, encode(sync::records{false, std::move(records)}));
    n.settle();
    return sid;
  }

  // A node `name` that holds the genesis and has been sent `records` as one message.
  std::unique_ptr<node_under_test> receiver(const std::string& name,
                                            const std::vector<std::string>& records,
                                            engine_options eo = {}) {
    auto n = make(name, eo);
    EXPECT_TRUE(n->replica->ingest({c.genesis.bytes}).ok());
    last_session = send(*n, sinks.emplace_back(), records);
    return n;
  }

  sim::community_maker c = sim::community_maker::make();
  testing::temp_dir dir{"zwerm-chain-auth"};
  session_id last_session = 0;   // of the last receiver()
  std::deque<queue_sink> sinks;  // what receivers' sessions send; they outlive the nodes
  std::vector<misbehaviour> faults;
};

TEST_F(ChainAuth, ACatchUpChecksOneSignaturePerRunAndTheRestLater) {
  auto k = crypto::generate_key_pair();
  std::vector<std::string> records{c.genesis.bytes};
  auto f = c.feed(1000, 300, k);
  records.insert(records.end(), f.begin(), f.end());
  auto a = make("a");
  auto b = make("b");
  ASSERT_TRUE(a->replica->ingest(records).ok());
  queue_sink qa, qb;
  auto ia = a->eng->attach(crypto::generate_key_pair().pk, false, qa);
  auto ib = b->eng->attach(crypto::generate_key_pair().pk, true, qb);
  converse(*a, ia, qa, *b, ib, qb);
  EXPECT_TRUE(faults.empty()) << faults.front().reason;
  EXPECT_EQ(*a->replica->frontier_digest(), *b->replica->frontier_digest());
  EXPECT_EQ(*b->replica->head_seq(k.pk), 1000u);
  // About 165 records per message: all but one record of each feed's run per message waits.
  const std::uint64_t unchecked = b->deferred->unchecked_count();
  EXPECT_GT(unchecked, 900u);
  EXPECT_LT(unchecked, 1000u);
  ASSERT_TRUE(b->deferred->check_all().ok());
  EXPECT_EQ(b->deferred->unchecked_count(), 0u);
  EXPECT_EQ(b->deferred->checked_count(), unchecked);
  EXPECT_EQ(b->deferred->bad_count(), 0u);
  EXPECT_TRUE(b->db->scan_views("sigq/")->empty());
  EXPECT_TRUE(b->db->check().ok());
}

TEST_F(ChainAuth, ABadMiddleSignatureIsStoredAndBlamesNobody) {
  auto k = crypto::generate_key_pair();
  auto f = c.feed(100, 300, k);
  damage_signature(f[49]);  // seq 50
  auto b = receiver("b", f);
  const session_id sid = last_session;
  EXPECT_TRUE(faults.empty()) << faults.front().reason;
  EXPECT_FALSE(b->eng->stats(sid).closed);
  EXPECT_EQ(*b->replica->head_seq(k.pk), 100u);
  EXPECT_TRUE(b->deferred->unchecked(c.genesis.community, k.pk, 50));
  EXPECT_FALSE(b->deferred->unchecked(c.genesis.community, k.pk, 100));  // the run's end: checked
  ASSERT_TRUE(b->deferred->check_all().ok());
  EXPECT_TRUE(b->deferred->held_bad(c.genesis.community, k.pk, 50));
  EXPECT_FALSE(b->deferred->held_bad(c.genesis.community, k.pk, 49));
  EXPECT_EQ(b->deferred->bad_count(), 1u);
  // The fact survives a restart.
  b->stop_keeping_store();
  auto again = node::deferred_signatures::open(*b->db, {.background = false});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)->held_bad(c.genesis.community, k.pk, 50));
  EXPECT_EQ((*again)->unchecked_count(), 0u);
}

TEST_F(ChainAuth, UncheckedRangesSurviveARestartAndAreCheckedThen) {
  auto k = crypto::generate_key_pair();
  auto f = c.feed(300, 300, k);
  damage_signature(f[199]);  // seq 200
  auto b = receiver("b", f);
  EXPECT_EQ(b->deferred->unchecked_count(), 299u);
  b->stop_keeping_store();  // a kill before the background check got anywhere
  auto again = node::deferred_signatures::open(*b->db, {.low_priority = false, .background = true});
  ASSERT_TRUE(again.ok());
  for (int i = 0; i < 500 && (*again)->unchecked_count() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ((*again)->unchecked_count(), 0u);
  EXPECT_EQ((*again)->checked_count(), 299u);
  EXPECT_TRUE((*again)->held_bad(c.genesis.community, k.pk, 200));
}

TEST_F(ChainAuth, ARangeServedNeverEndsAtAHeldBadSignature) {
  auto k = crypto::generate_key_pair();
  auto f = c.feed(100, 300, k);
  damage_signature(f[49]);  // seq 50
  auto b = receiver("b", f);
  // Still unchecked: serving checks the last record on the spot and steps back.
  auto upto50 = b->replica->read_feed(k.pk, 41, 1 << 20, 10);
  ASSERT_TRUE(upto50.ok());
  ASSERT_EQ(upto50->size(), 9u);  // 41..49
  EXPECT_TRUE(b->deferred->held_bad(c.genesis.community, k.pk, 50));
  // A range that would be seq 50 alone goes on to 51, which vouches for it.
  auto alone = b->replica->read_feed(k.pk, 50, 1, 1);
  ASSERT_TRUE(alone.ok());
  ASSERT_EQ(alone->size(), 2u);
  EXPECT_EQ((*alone)[0], f[49]);
  EXPECT_EQ((*alone)[1], f[50]);
  // Elsewhere ranges are as asked.
  auto plain = b->replica->read_feed(k.pk, 1, 1 << 20, 10);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->size(), 10u);
  auto through = b->replica->read_feed(k.pk, 45, 1 << 20, 10);
  ASSERT_TRUE(through.ok());
  EXPECT_EQ(through->size(), 10u);  // 45..54: 50 inside is fine
}

// b holds a's chain with a bad signature at seq 50 (stored on the word of seq 100) and relays
// it to c, in messages of one record (so one range would be seq 50 alone) and of about seven:
// c stores everything, nobody is blamed, and c's own later check finds the same bad bytes.
TEST_F(ChainAuth, RelayingAChainWithABadMiddleSignatureBlamesNobody) {
  auto k = crypto::generate_key_pair();
  auto f = c.feed(100, 300, k);
  damage_signature(f[49]);
  for (std::size_t batch : {std::size_t{1}, std::size_t{7 * 300}}) {
    SCOPED_TRACE("batch_bytes " + std::to_string(batch));
    auto b = receiver("b" + std::to_string(batch), f, engine_options{.batch_bytes = batch});
    auto cn = make("c" + std::to_string(batch));
    queue_sink qb, qc;
    auto ib = b->eng->attach(crypto::generate_key_pair().pk, false, qb);
    auto ic = cn->eng->attach(crypto::generate_key_pair().pk, true, qc);
    converse(*b, ib, qb, *cn, ic, qc);
    EXPECT_TRUE(faults.empty()) << faults.front().reason;
    EXPECT_EQ(*cn->replica->head_seq(k.pk), 100u);
    EXPECT_EQ(*b->replica->frontier_digest(), *cn->replica->frontier_digest());
    ASSERT_TRUE(cn->deferred->check_all().ok());
    EXPECT_TRUE(cn->deferred->held_bad(c.genesis.community, k.pk, 50));
    EXPECT_EQ(cn->deferred->bad_count(), 1u);
  }
}

TEST_F(ChainAuth, ABadSignatureAtTheEndOfARunIsTheSendersFault) {
  auto k = crypto::generate_key_pair();
  auto f = c.feed(100, 300, k);
  damage_signature(f[99]);  // seq 100, the message's last
  damage_signature(f[19]);  // and seq 20: checked on its own once the run's check failed
  auto b = receiver("b", f);
  const session_id sid = last_session;
  ASSERT_GE(faults.size(), 1u);
  EXPECT_EQ(faults[0].kind, misbehaviour_kind::bad_record);
  EXPECT_TRUE(b->eng->stats(sid).closed);
  EXPECT_EQ(*b->replica->head_seq(k.pk), 19u);
  EXPECT_EQ(b->deferred->unchecked_count(), 0u);  // the whole run was checked one by one
  EXPECT_TRUE(b->db->check().ok());
}

TEST_F(ChainAuth, WithoutDeferredChecksAVouchedRecordIsCheckedOnTheWriter) {
  auto k = crypto::generate_key_pair();
  auto f = c.feed(100, 300, k);
  damage_signature(f[49]);
  auto s = store::store::open(dir.path() / "plain");
  ASSERT_TRUE(s.ok());
  node::ingest_queue queue(**s, {});
  posted_calls posted;
  store_replica r(**s, c.genesis.community, queue, posted.poster());  // no deferred checks
  ASSERT_TRUE(r.ingest({c.genesis.bytes}).ok());
  std::optional<ingest_report> rep;
  r.ingest_async(f, [&](result<ingest_report> got) {
    ASSERT_TRUE(got.ok());
    rep = std::move(*got);
  });
  queue.drain();
  posted.run();
  ASSERT_TRUE(rep);
  // Seq 50 is dropped (no blame: not `invalid`); 51..100 wait past the gap.
  EXPECT_EQ(rep->outcomes[49].outcome, ingest_outcome::dropped) << rep->outcomes[49].reason;
  EXPECT_EQ(rep->outcomes[50].outcome, ingest_outcome::pending);
  EXPECT_EQ(*r.head_seq(k.pk), 49u);
}

}  // namespace
}  // namespace zwerm::node::sync
