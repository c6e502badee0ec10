#include "store/store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "store/frontier.hpp"
#include "tests/store/synthetic.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::store {
namespace {

using testing::author_named;
using testing::community_named;
using testing::feed_writer;
using testing::make_entry;

class StoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<store> open(options opts = {}) {
    auto s = store::open(dir_ / "db", opts);
    EXPECT_TRUE(s.ok()) << s.error().message();
    return s.ok() ? std::move(*s) : nullptr;
  }

  ingest_report ingest(store& s, const std::vector<record_entry>& batch,
                       const std::vector<view_change>& views = {}) {
    auto r = s.ingest(batch, views);
    EXPECT_TRUE(r.ok()) << r.error().message();
    return r.ok() ? *r : ingest_report{};
  }

  static std::vector<outcome> kinds(const ingest_report& r) {
    std::vector<outcome> out;
    for (const auto& o : r.outcomes) out.push_back(o.kind);
    return out;
  }

  zwerm::testing::temp_dir dir_{"zwerm-store"};
  community_id c_ = community_named("garden");
  crypto::public_key ada_ = author_named("ada");
  crypto::public_key bob_ = author_named("bob");
};

TEST_F(StoreTest, AppendsAFeedAndReadsItBack) {
  auto s = open();
  feed_writer w(c_, ada_);
  std::vector<record_entry> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(w.next());
  auto r = ingest(*s, batch);
  EXPECT_EQ(kinds(r), std::vector<outcome>(5, outcome::appended));
  ASSERT_EQ(r.appended.size(), 5u);

  auto got = s->get(batch[2].id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->bytes, batch[2].bytes);
  EXPECT_EQ(got->seq, 3u);
  EXPECT_EQ(got->prev, batch[1].id);

  auto h = s->head(c_, ada_);
  ASSERT_TRUE(h.ok() && h->has_value());
  EXPECT_EQ((*h)->seq, 5u);
  EXPECT_EQ((*h)->id, batch[4].id);
  EXPECT_FALSE((*h)->forked);

  std::vector<std::uint64_t> seqs;
  for (auto cur = s->read_feed(c_, ada_, 3); cur.valid(); cur.next()) {
    seqs.push_back(cur.entry().seq);
  }
  EXPECT_EQ(seqs, (std::vector<std::uint64_t>{3, 4, 5}));
  EXPECT_EQ(s->get(crypto::record_id_of("nothing")).error().code(), status_code::not_found);
  EXPECT_TRUE(s->check().ok()) << s->check().message();
}

TEST_F(StoreTest, DuplicatesAreNoOpsWithinAndAcrossBatches) {
  auto s = open();
  feed_writer w(c_, ada_);
  auto a = w.next();
  auto b = w.next();
  auto r = ingest(*s, {a, a, b});
  EXPECT_EQ(kinds(r), (std::vector{outcome::appended, outcome::duplicate, outcome::appended}));
  r = ingest(*s, {b, a});
  EXPECT_EQ(kinds(r), (std::vector{outcome::duplicate, outcome::duplicate}));
  EXPECT_TRUE(r.appended.empty());
  EXPECT_EQ((*s->communities())[0].records, 2u);
  EXPECT_TRUE(s->check().ok()) << s->check().message();
}

TEST_F(StoreTest, RecordsPastAGapWaitAndAreAppendedWhenItFills) {
  auto s = open();
  feed_writer w(c_, ada_);
  std::vector<record_entry> feed;
  for (int i = 0; i < 6; ++i) feed.push_back(w.next());

  auto r = ingest(*s, {feed[0], feed[3], feed[2]});  // 1, then 3 and 4 wait for 2
  EXPECT_EQ(kinds(r), (std::vector{outcome::appended, outcome::pending, outcome::pending}));
  EXPECT_EQ(*s->pending_count(), 2u);
  EXPECT_FALSE(*s->contains(feed[2].id));
  EXPECT_EQ((*s->head(c_, ada_))->seq, 1u);
  EXPECT_TRUE(s->check().ok()) << s->check().message();

  r = ingest(*s, {feed[2]});  // again: still pending, not counted twice
  EXPECT_EQ(kinds(r), (std::vector{outcome::pending}));
  EXPECT_EQ(*s->pending_count(), 2u);

  r = ingest(*s, {feed[1]});  // the gap fills: 2, 3, 4 appended in one commit
  EXPECT_EQ(kinds(r), (std::vector{outcome::appended}));
  ASSERT_EQ(r.appended.size(), 3u);
  EXPECT_EQ(r.appended[0].seq, 2u);
  EXPECT_EQ(r.appended[2].seq, 4u);
  EXPECT_EQ(*s->pending_count(), 0u);
  EXPECT_EQ((*s->head(c_, ada_))->seq, 4u);
  EXPECT_TRUE(s->check().ok()) << s->check().message();

  // Within one batch the order of arrival does not matter.
  r = ingest(*s, {feed[5], feed[4]});
  EXPECT_EQ(kinds(r), (std::vector{outcome::appended, outcome::appended}));
}

TEST_F(StoreTest, PendingSurvivesReopenAndFillsLater) {
  feed_writer w(c_, ada_);
  auto r1 = w.next(), r2 = w.next(), r3 = w.next();
  {
    auto s = open();
    EXPECT_EQ(kinds(ingest(*s, {r3})), (std::vector{outcome::pending}));
  }
  auto s = open();
  EXPECT_EQ(*s->pending_count(), 1u);
  auto r = ingest(*s, {r1, r2});
  EXPECT_EQ(r.appended.size(), 3u);
  EXPECT_EQ((*s->head(c_, ada_))->seq, 3u);
  EXPECT_TRUE(s->check().ok()) << s->check().message();
}

TEST_F(StoreTest, PendingBoundsDropWithAReason) {
  options opts;
  opts.max_pending_per_feed = 3;
  opts.max_pending = 4;
  auto s = open(opts);
  feed_writer w(c_, ada_);
  std::vector<record_entry> feed;
  for (int i = 0; i < 10; ++i) feed.push_back(w.next());
  auto r = ingest(*s, {feed[2], feed[3], feed[4], feed[5]});
  EXPECT_EQ(kinds(r),
            (std::vector{outcome::pending, outcome::pending, outcome::pending, outcome::dropped}));
  EXPECT_NE(r.outcomes[3].reason.find("pending area full"), std::string::npos);

  feed_writer wb(c_, bob_);
  auto b1 = wb.next(), b2 = wb.next(), b3 = wb.next(), b4 = wb.next();
  r = ingest(*s, {b3, b4});  // total bound 4: one more fits
  EXPECT_EQ(kinds(r), (std::vector{outcome::pending, outcome::dropped}));
  EXPECT_NE(r.outcomes[1].reason.find("records are waiting"), std::string::npos);
  EXPECT_EQ(*s->pending_count(), 4u);
  EXPECT_TRUE(s->check().ok()) << s->check().message();

  r = ingest(*s, {feed[0], feed[1], b1, b2});
  EXPECT_EQ(r.appended.size(), 8u);  // ada 1..5, bob 1..3
  EXPECT_EQ(*s->pending_count(), 0u);
  EXPECT_TRUE(s->check().ok()) << s->check().message();
}

TEST_F(StoreTest, WrongPrevAndNonIncreasingLamportAreDropped) {
  auto s = open();
  feed_writer w(c_, ada_);
  auto r1 = w.next();
  ASSERT_EQ(kinds(ingest(*s, {r1})), (std::vector{outcome::appended}));
  auto bad_prev = make_entry(c_, ada_, 2, crypto::record_id_of("elsewhere"), 5);
  auto same_lamport = make_entry(c_, ada_, 2, r1.id, r1.lamport);
  auto r = ingest(*s, {bad_prev, same_lamport});
  EXPECT_EQ(kinds(r), (std::vector{outcome::dropped, outcome::dropped}));
  std::set<std::string> reasons{r.outcomes[0].reason, r.outcomes[1].reason};
  EXPECT_TRUE(std::any_of(reasons.begin(), reasons.end(),
                          [](auto& x) { return x.find("wrong prev") != std::string::npos; }));
  EXPECT_TRUE(std::any_of(reasons.begin(), reasons.end(),
                          [](auto& x) { return x.find("lamport") != std::string::npos; }));

  // A pending record that does not chain is dropped when its gap fills.
  auto r2 = make_entry(c_, ada_, 2, r1.id, 2);
  auto r3_bad = make_entry(c_, ada_, 3, crypto::record_id_of("other"), 3);
  EXPECT_EQ(kinds(ingest(*s, {r3_bad})), (std::vector{outcome::pending}));
  r = ingest(*s, {r2});
  EXPECT_EQ(r.appended.size(), 1u);
  EXPECT_EQ(*s->pending_count(), 0u);
  EXPECT_TRUE(s->check().ok()) << s->check().message();
}

TEST_F(StoreTest, MalformedEntriesAreDroppedBeforeAnythingIsWritten) {
  auto s = open();
  auto zero = make_entry(c_, ada_, 0, std::nullopt, 1);
  auto first_with_prev = make_entry(c_, ada_, 1, crypto::record_id_of("x"), 1);
  auto later_without_prev = make_entry(c_, ada_, 2, std::nullopt, 2);
  auto wrong_id = make_entry(c_, ada_, 1, std::nullopt, 1);
  wrong_id.id = crypto::record_id_of("not the payload");
  auto r = ingest(*s, {zero, first_with_prev, later_without_prev, wrong_id});
  EXPECT_EQ(kinds(r), std::vector<outcome>(4, outcome::dropped));
  for (const auto& o : r.outcomes) EXPECT_FALSE(o.reason.empty());
  EXPECT_TRUE(s->communities()->empty());
}

TEST_F(StoreTest, ASecondRecordForASeqIsKeptAsForkProof) {
  auto s = open();
  feed_writer w(c_, ada_);
  auto r1 = w.next(), r2 = w.next(), r3 = w.next();
  ingest(*s, {r1, r2, r3});
  const auto digest_before = *s->frontier_digest(c_);
  auto other2 = make_entry(c_, ada_, 2, r1.id, 2, "equivocation");
  auto r = ingest(*s, {other2});
  EXPECT_EQ(kinds(r), (std::vector{outcome::forked}));
  EXPECT_NE(r.outcomes[0].reason.find("fork"), std::string::npos);
  EXPECT_FALSE(*s->contains(other2.id));  // proof, not log
  auto h = *s->head(c_, ada_);
  EXPECT_TRUE(h->forked);
  EXPECT_EQ(h->seq, 3u);
  EXPECT_NE(*s->frontier_digest(c_), digest_before);  // peers learn of the fork
  auto proofs = s->forks(c_, ada_);
  ASSERT_TRUE(proofs.ok());
  ASSERT_EQ(proofs->size(), 1u);
  EXPECT_EQ((*proofs)[0].kept.id, r2.id);
  EXPECT_EQ((*proofs)[0].other.id, other2.id);
  EXPECT_EQ(kinds(ingest(*s, {other2})), (std::vector{outcome::duplicate}));
  EXPECT_TRUE(s->check().ok()) << s->check().message();

  // In one batch: the one that arrives first in seq order wins, the other is proof.
  auto b1 = make_entry(c_, bob_, 1, std::nullopt, 1, "a");
  auto b1x = make_entry(c_, bob_, 1, std::nullopt, 1, "b");
  r = ingest(*s, {b1, b1x});
  EXPECT_EQ(kinds(r), (std::vector{outcome::appended, outcome::forked}));

  // Fork proofs per feed are bounded.
  options small;
  small.max_fork_proofs_per_feed = 1;
  s.reset();
  s = open(small);
  auto another2 = make_entry(c_, ada_, 2, r1.id, 2, "third");
  r = ingest(*s, {another2});
  EXPECT_EQ(kinds(r), (std::vector{outcome::dropped}));
  EXPECT_TRUE(s->check().ok()) << s->check().message();
}

TEST_F(StoreTest, APendingRecordConflictingWithTheFilledSeqBecomesAForkProof) {
  auto s = open();
  feed_writer w(c_, ada_);
  auto r1 = w.next();
  auto r2 = w.next();
  auto r3 = w.next();
  auto r3x = make_entry(c_, ada_, 3, r2.id, 3, "other");
  ingest(*s, {r1, r3, r3x});  // both 3s wait
  auto r = ingest(*s, {r2});
  EXPECT_EQ(r.appended.size(), 2u);
  EXPECT_TRUE((*s->head(c_, ada_))->forked);
  EXPECT_EQ(s->forks(c_, ada_)->size(), 1u);
  EXPECT_EQ(*s->pending_count(), 0u);
  EXPECT_TRUE(s->check().ok()) << s->check().message();
}

// drop_pending_after takes from the pending area what goes on from a record that will never
// be appended (node/ refused it as the other side of a fork): the record after it and, in turn,
// theirs; records chaining elsewhere, past a seq with nothing dropped, or of other feeds stay.
TEST_F(StoreTest, DroppingPendingRecordsAfterARefusedOneTakesItsSuccessorsAndNothingElse) {
  auto s = open();
  feed_writer w(c_, ada_);
  std::vector<record_entry> feed;
  for (int i = 0; i < 7; ++i) feed.push_back(w.next());
  const auto& r4 = feed[3];
  ingest(*s, {feed[0], feed[1], feed[2]});
  ASSERT_EQ(kinds(ingest(*s, {feed[4], feed[5]})),
            (std::vector{outcome::pending, outcome::pending}));  // 5 and 6 wait for 4
  ASSERT_EQ(*s->pending_count(), 2u);

  auto dropped = s->drop_pending_after(c_, ada_, 4, r4.id);
  ASSERT_TRUE(dropped.ok()) << dropped.error().message();
  ASSERT_EQ(dropped->size(), 2u);
  EXPECT_EQ((*dropped)[0].id, feed[4].id);
  EXPECT_EQ((*dropped)[1].id, feed[5].id);
  EXPECT_EQ((*dropped)[1].prev, feed[4].id);
  EXPECT_EQ(*s->pending_count(), 0u);
  EXPECT_EQ((*s->head(c_, ada_))->seq, 3u);
  EXPECT_TRUE(s->check().ok()) << s->check().message();
  EXPECT_TRUE(s->drop_pending_after(c_, ada_, 4, r4.id)->empty());  // nothing left to drop

  // A 5 whose prev is not 4, a 7 past a 6 nobody holds, and another feed's record stay.
  auto five_elsewhere = make_entry(c_, ada_, 5, crypto::record_id_of("elsewhere"), 5, "x");
  feed_writer b(c_, bob_);
  auto bob1 = b.next(), bob2 = b.next(), bob3 = b.next();
  ingest(*s, {bob1});
  ingest(*s, {feed[4], five_elsewhere, feed[6], bob3});
  ASSERT_EQ(*s->pending_count(), 4u);
  dropped = s->drop_pending_after(c_, ada_, 4, r4.id);
  ASSERT_TRUE(dropped.ok()) << dropped.error().message();
  ASSERT_EQ(dropped->size(), 1u);
  EXPECT_EQ((*dropped)[0].id, feed[4].id);
  EXPECT_EQ(*s->pending_count(), 3u);
  EXPECT_TRUE(s->check().ok()) << s->check().message();

  // Feeds and communities with nothing held drop nothing.
  EXPECT_TRUE(s->drop_pending_after(c_, author_named("cy"), 4, r4.id)->empty());
  EXPECT_TRUE(s->drop_pending_after(community_named("nowhere"), ada_, 4, r4.id)->empty());
  EXPECT_EQ(*s->pending_count(), 3u);

  // The counts hold after a reopen, and the gap still fills with what is left.
  s.reset();
  s = open();
  EXPECT_EQ(*s->pending_count(), 3u);
  EXPECT_TRUE(s->check().ok()) << s->check().message();
  auto r = ingest(*s, {bob2});
  EXPECT_EQ(r.appended.size(), 2u);  // bob 2 and 3
  EXPECT_EQ(*s->pending_count(), 2u);
  EXPECT_TRUE(s->check().ok()) << s->check().message();
}

TEST_F(StoreTest, EverythingPersistsAcrossReopen) {
  feed_writer w(c_, ada_);
  std::vector<record_entry> feed;
  for (int i = 0; i < 20; ++i) feed.push_back(w.next());
  crypto::digest digest;
  {
    auto s = open();
    ingest(*s, feed, {{"members/ada", "active"}});
    ASSERT_TRUE(s->put_peer({"127.0.0.1:7000", "info"}).ok());
    digest = *s->frontier_digest(c_);
  }
  auto s = open();
  EXPECT_EQ((*s->head(c_, ada_))->seq, 20u);
  EXPECT_EQ(*s->frontier_digest(c_), digest);
  EXPECT_EQ(*s->get_view("members/ada"), std::optional<std::string>("active"));
  ASSERT_EQ(s->peers()->size(), 1u);
  EXPECT_EQ((*s->peers())[0].info, "info");
  ASSERT_TRUE(s->erase_peer("127.0.0.1:7000").ok());
  EXPECT_TRUE(s->peers()->empty());
  EXPECT_TRUE(s->check().ok()) << s->check().message();
}

TEST_F(StoreTest, ViewChangesCommitWithTheRecords) {
  auto s = open();
  feed_writer w(c_, ada_);
  ingest(*s, {w.next()}, {{"v/a", "1"}, {"v/b", "2"}, {"w/c", "3"}});
  ingest(*s, {w.next()}, {{"v/a", std::nullopt}});
  auto views = s->scan_views("v/");
  ASSERT_TRUE(views.ok());
  ASSERT_EQ(views->size(), 1u);
  EXPECT_EQ((*views)[0].first, "v/b");
  ASSERT_TRUE(s->write_views(std::vector<view_change>{{"v/b", "4"}}).ok());
  EXPECT_EQ(*s->get_view("v/b"), std::optional<std::string>("4"));
}

TEST_F(StoreTest, TotalOrderIterationFromAPosition) {
  auto s = open();
  feed_writer a(c_, ada_), b(c_, bob_);
  std::vector<record_entry> batch;
  for (int i = 0; i < 5; ++i) {
    batch.push_back(a.next({}, 2));  // lamport 2, 4, 6, 8, 10
    batch.push_back(b.next({}, 3));  // lamport 3, 6, 9, 12, 15
  }
  ingest(*s, batch);
  std::vector<order_position> seen;
  for (auto cur = s->read_order(c_); cur.valid(); cur.next()) seen.push_back(cur.position());
  ASSERT_EQ(seen.size(), 10u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(seen[0].lamport, 2u);

  order_position from{6, {}, 0};
  std::vector<std::uint64_t> lamports;
  for (auto cur = s->read_order(c_, from); cur.valid(); cur.next()) {
    lamports.push_back(cur.entry()->lamport);
  }
  EXPECT_EQ(lamports, (std::vector<std::uint64_t>{6, 6, 8, 9, 10, 12, 15}));
  // Another community's records never show up.
  EXPECT_FALSE(s->read_order(community_named("other")).valid());
}

TEST_F(StoreTest, DigestsMatchARecomputationAndDoNotDependOnArrivalOrder) {
  std::vector<record_entry> all;
  for (int f = 0; f < 40; ++f) {
    feed_writer w(c_, author_named("m" + std::to_string(f)));
    for (int i = 0; i < 1 + f % 4; ++i) all.push_back(w.next());
  }
  auto other = zwerm::testing::temp_dir("zwerm-store-b");
  auto s1 = open();
  auto s2 = store::open(other / "db");
  ASSERT_TRUE(s2.ok());
  ingest(*s1, all);
  std::mt19937 rng(7);
  auto shuffled = all;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  for (std::size_t i = 0; i < shuffled.size(); i += 7) {
    std::vector<record_entry> part(shuffled.begin() + i,
                                   shuffled.begin() + std::min(i + 7, shuffled.size()));
    ASSERT_TRUE((*s2)->ingest(part).ok());
  }
  EXPECT_EQ(*s1->frontier_digest(c_), *(*s2)->frontier_digest(c_));
  EXPECT_EQ(*s1->frontier(c_), *(*s2)->frontier(c_));

  std::array<crypto::digest, 256> expect{};
  auto heads = *s1->frontier(c_);
  ASSERT_EQ(heads.size(), 40u);
  for (const auto& h : heads) xor_into(&expect[h.author.bytes[0]], feed_hash(h));
  EXPECT_EQ(*s1->bucket_digests(c_), expect);
  EXPECT_EQ(*s1->frontier_digest(c_), frontier_digest_of(expect));
  const auto b = heads[0].author.bytes[0];
  auto in_bucket = *s1->bucket_heads(c_, b);
  EXPECT_FALSE(in_bucket.empty());
  for (const auto& h : in_bucket) EXPECT_EQ(h.author.bytes[0], b);
  auto list = *s1->communities();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].id, c_);
  EXPECT_EQ(list[0].feeds, 40u);
  EXPECT_EQ(list[0].records, all.size());
}

TEST_F(StoreTest, CommunitiesAreKeptApart) {
  auto s = open();
  auto other = community_named("kitchen");
  feed_writer a(c_, ada_), b(other, ada_);
  ingest(*s, {a.next(), a.next(), b.next()});
  EXPECT_EQ((*s->head(c_, ada_))->seq, 2u);
  EXPECT_EQ((*s->head(other, ada_))->seq, 1u);
  EXPECT_EQ(s->communities()->size(), 2u);
  EXPECT_NE(*s->frontier_digest(c_), *s->frontier_digest(other));
  EXPECT_TRUE(s->check().ok()) << s->check().message();
}

// forget_community drops every row of one community, pending records and fork proofs and its
// peer addresses included, and nothing of another; the store stays consistent (check) and the
// pending counter right, also after a reopen.
// bytes_by_table (for benchmarks): after a compaction the records table holds at least the
// record bytes; compressed, the same rows take fewer bytes than uncompressed.
TEST_F(StoreTest, BytesByTableSplitsTheFilesAndCompressionShrinksThem) {
  std::uint64_t bytes_of[2] = {0, 0};
  std::uint64_t record_bytes = 0;
  for (bool compress : {false, true}) {
    std::filesystem::remove_all(dir_ / "db");
    options opts;
    opts.compress = compress;
    opts.block_bytes = 8 * 1024;
    auto s = open(opts);
    ASSERT_TRUE(s);
    feed_writer a(c_, ada_);
    std::vector<record_entry> batch;
    record_bytes = 0;
    for (int i = 0; i < 2000; ++i) {
      batch.push_back(a.next());
      record_bytes += batch.back().bytes.size();
    }
    ingest(*s, batch);
    ASSERT_TRUE(s->compact().ok());
    auto by_table = s->bytes_by_table();
    ASSERT_TRUE(by_table.ok()) << by_table.error().message();
    std::vector<std::string> names;
    for (const auto& [name, bytes] : *by_table) names.push_back(name);
    EXPECT_EQ(names,
              (std::vector<std::string>{"records", "id index", "order index", "views", "other"}));
    EXPECT_GT(by_table->at(1).second, 0u);  // the id index
    bytes_of[compress] = by_table->at(0).second;
  }
  EXPECT_GE(bytes_of[0], record_bytes);
  EXPECT_LT(bytes_of[1], bytes_of[0]);
}

TEST_F(StoreTest, ForgettingACommunityDropsAllOfItAndNothingElse) {
  auto s = open();
  auto other = community_named("kitchen");
  feed_writer a(c_, ada_), b(c_, bob_), k(other, ada_);
  std::vector<record_entry> garden;
  for (int i = 0; i < 4; ++i) garden.push_back(a.next());
  auto bob1 = b.next(), bob2 = b.next(), bob3 = b.next();
  auto kitchen1 = k.next(), kitchen2 = k.next(), kitchen3 = k.next();
  (void)bob2;
  (void)kitchen2;
  ingest(*s, {garden[0], garden[1], garden[2], garden[3], bob1, kitchen1});
  ingest(*s, {bob3, kitchen3});  // both wait for their seq 2: pending in each community
  ingest(*s, {make_entry(c_, ada_, 2, garden[0].id, 2, "equivocation")});  // a fork proof
  ASSERT_EQ(*s->pending_count(), 2u);
  const std::string garden_key(reinterpret_cast<const char*>(c_.data()), c_.size());
  const std::string kitchen_key(reinterpret_cast<const char*>(other.data()), other.size());
  ASSERT_TRUE(s->put_peer({garden_key + "192.0.2.1:7411", "info"}).ok());
  ASSERT_TRUE(s->put_peer({kitchen_key + "192.0.2.2:7411", "info"}).ok());
  const auto kitchen_digest = *s->frontier_digest(other);

  auto dropped = s->forget_community(c_);
  ASSERT_TRUE(dropped.ok()) << dropped.error().message();
  EXPECT_EQ(*dropped, 5u);  // ada's 4 and bob's 1 in the log; pending and proofs besides
  for (const auto& r : garden) EXPECT_FALSE(*s->contains(r.id));
  EXPECT_FALSE(s->head(c_, ada_)->has_value());
  EXPECT_FALSE(s->head(c_, bob_)->has_value());
  EXPECT_TRUE(s->frontier(c_)->empty());
  EXPECT_TRUE(s->forks(c_, ada_)->empty());
  EXPECT_EQ(s->communities()->size(), 1u);
  EXPECT_EQ(*s->pending_count(), 1u);  // the kitchen's
  EXPECT_EQ(*s->frontier_digest(other), kitchen_digest);
  EXPECT_TRUE(*s->contains(kitchen1.id));
  auto peers = s->peers();
  ASSERT_TRUE(peers.ok());
  ASSERT_EQ(peers->size(), 1u);
  EXPECT_EQ((*peers)[0].address, kitchen_key + "192.0.2.2:7411");
  EXPECT_TRUE(s->check().ok()) << s->check().message();

  // Forgetting again, or a community the store never held, drops nothing.
  EXPECT_EQ(*s->forget_community(c_), 0u);
  EXPECT_EQ(*s->forget_community(community_named("nowhere")), 0u);
  s.reset();
  s = open();
  EXPECT_EQ(*s->pending_count(), 1u);
  EXPECT_TRUE(s->check().ok()) << s->check().message();
  // The community can come back from scratch, as on a node that joins it again.
  feed_writer fresh(c_, ada_);
  auto again = ingest(*s, {fresh.next()});
  EXPECT_EQ(kinds(again), (std::vector{outcome::appended}));
  EXPECT_TRUE(s->check().ok()) << s->check().message();
}

TEST_F(StoreTest, ReadersOnOtherThreadsSeeWholeBatches) {
  auto s = open();
  std::atomic<bool> done{false};
  std::atomic<int> checks{0};
  std::string failure;
  std::thread reader([&] {
    while (!done.load()) {
      auto h = s->head(c_, ada_);
      if (!h.ok()) {
        failure = h.error().message();
        return;
      }
      const std::uint64_t head = h->has_value() ? (*h)->seq : 0;
      std::uint64_t expect = 1;
      auto cur = s->read_feed(c_, ada_, 1);
      for (; cur.valid(); cur.next(), ++expect) {
        if (cur.entry().seq != expect) {
          failure = "the feed skips from " + std::to_string(expect - 1);
          return;
        }
      }
      if (expect - 1 < head || (expect - 1) % 10 != 0) {  // batches hold 10 records
        failure =
            "a cursor saw " + std::to_string(expect - 1) + " records, head " + std::to_string(head);
        return;
      }
      ++checks;
    }
  });
  feed_writer w(c_, ada_);
  for (int b = 0; b < 40; ++b) {
    std::vector<record_entry> batch;
    for (int i = 0; i < 10; ++i) batch.push_back(w.next());
    ASSERT_TRUE(s->ingest(batch).ok());
  }
  done = true;
  reader.join();
  EXPECT_EQ(failure, "");
  EXPECT_GT(checks.load(), 0);
}

TEST_F(StoreTest, ASecondOpenerInThisProcessIsRefused) {
  auto s = open();
  auto again = store::open(dir_ / "db");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), status_code::busy);
  EXPECT_NE(again.error().message().find("another zwermd is using"), std::string::npos);
}

}  // namespace
}  // namespace zwerm::store
