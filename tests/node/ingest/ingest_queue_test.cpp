// node::ingest_queue: verification on worker threads, commits on the writer in submission
// order, coalesced commits whose jobs see each other's feed heads, per-job outcomes.
#include "node/ingest/ingest_queue.hpp"

#include <gtest/gtest.h>

#include <mutex>

#include "node/records/record_chain.hpp"
#include "tests/node/signed_feeds.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::node {
namespace {

// What one job saw, written by the writer thread and read by the test after drain().
struct job_log {
  std::mutex mu;
  std::vector<int> order;  // job numbers in the order committed() ran
  std::map<int, std::vector<store::outcome>> outcomes;
  std::map<int, std::size_t> appended;
  std::map<int, std::size_t> rejected;  // records parse_record refused
  std::map<int, std::size_t> vouched;   // records that reached prepare() signature_vouched
  std::map<int, std::string> errors;
};

// Commits every record that verified and extends its feed (as the sync replica does).
class test_job final : public ingest_job {
 public:
  test_job(int number, std::vector<std::string> raw, job_log& log)
      : ingest_job(std::move(raw)), number_(number), log_(log) {}

  status prepare(std::vector<record_result<record>> verified, commit_batch& batch) override {
    std::size_t rejected = 0, vouched = 0;
    for (auto& v : verified) {
      if (!v) {
        ++rejected;
        continue;
      }
      vouched += v->signature_vouched;
      auto head = batch.head(v->community, v->author);
      if (!head) return head.error();
      auto verdict = check_chain(*v, *head);
      std::optional<feed_head> after;
      if (verdict.ok()) after = head_after(*v);
      batch.add({v->id, v->community, v->author, v->seq, v->prev, v->lamport, v->bytes}, after);
    }
    std::lock_guard lock(log_.mu);
    log_.rejected[number_] = rejected;
    log_.vouched[number_] = vouched;
    return {};
  }

  void committed(const status& st, std::span<const store::record_outcome> outcomes,
                 std::vector<store::record_entry> appended) override {
    std::lock_guard lock(log_.mu);
    log_.order.push_back(number_);
    if (!st.ok()) log_.errors[number_] = st.message();
    for (const auto& o : outcomes) log_.outcomes[number_].push_back(o.kind);
    log_.appended[number_] = appended.size();
  }

 private:
  int number_;
  job_log& log_;
};

class IngestQueue : public ::testing::TestWithParam<std::size_t> {
 protected:
  void SetUp() override {
    auto s = store::store::open(home_.path() / "db");
    ASSERT_TRUE(s.ok()) << s.error().message();
    store_ = std::move(*s);
  }

  zwerm::testing::temp_dir home_{"zwerm-ingest-queue"};
  std::unique_ptr<store::store> store_;
  community_id community_ =
      community_of_genesis(crypto::record_id_of("ingest queue test community"));
};

TEST_P(IngestQueue, CommitsEveryJobInSubmissionOrderWithTheHeadsOfTheJobsBefore) {
  // One feed split over 20 jobs: each job's first record extends the previous job's last, so
  // a job prepared against the store alone (not the commit's heads) would see a gap.
  auto records = test::signed_feeds(community_, 1, 400);
  job_log log;
  {
    ingest_queue q(*store_, {.verify_threads = GetParam(), .max_commit_records = 64});
    EXPECT_EQ(q.verify_threads(), GetParam());
    for (int j = 0; j < 20; ++j) {
      std::vector<std::string> raw;
      for (int i = 0; i < 20; ++i) raw.push_back(records[j * 20 + i].bytes);
      q.submit(std::make_unique<test_job>(j, std::move(raw), log));
    }
    q.drain();
    EXPECT_EQ(q.queued_records(), 0u);
  }
  ASSERT_EQ(log.order.size(), 20u);
  for (int j = 0; j < 20; ++j) {
    EXPECT_EQ(log.order[j], j);
    EXPECT_EQ(log.appended[j], 20u) << "job " << j;
    ASSERT_EQ(log.outcomes[j].size(), 20u);
    for (auto o : log.outcomes[j]) EXPECT_EQ(o, store::outcome::appended) << "job " << j;
    EXPECT_TRUE(log.errors[j].empty()) << log.errors[j];
  }
  auto head = store_->head(community_, test::feed_key(0).pk);
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->seq, 400u);
  EXPECT_TRUE(store_->check().ok());
}

TEST_P(IngestQueue, ABadSignatureIsRefusedAndTheRecordsBehindItWaitInThePendingArea) {
  auto records = test::signed_feeds(community_, 2, 50);  // interleaved: a0 b0 a1 b1 ...
  std::vector<std::string> first, second;
  for (std::size_t i = 0; i < 50; ++i) first.push_back(records[i].bytes);
  for (std::size_t i = 50; i < 100; ++i) second.push_back(records[i].bytes);
  first[10][first[10].size() - 3] ^= 0x20;  // author 0's seq 6 loses its signature
  job_log log;
  {
    ingest_queue q(*store_, {.verify_threads = GetParam()});
    q.submit(std::make_unique<test_job>(0, first, log));
    q.submit(std::make_unique<test_job>(1, second, log));
    q.submit(std::make_unique<test_job>(2, std::vector<std::string>{},
                                        log));  // an empty job is reported too
    q.drain();
  }
  ASSERT_EQ(log.order, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(log.rejected[0], 1u);
  EXPECT_EQ(log.rejected[1], 0u);
  // Author 1's 50 records all land; author 0's stop at seq 5, the rest waits for seq 6.
  EXPECT_EQ(log.appended[0] + log.appended[1], 50u + 5u);
  std::size_t pending = 0;
  for (int j = 0; j < 2; ++j) {
    for (auto o : log.outcomes[j]) pending += o == store::outcome::pending;
  }
  EXPECT_EQ(pending, 44u);
  auto head = store_->head(community_, test::feed_key(0).pk);
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->seq, 5u);
  EXPECT_TRUE(store_->check().ok());
}

// Authentication by chain (PROTOCOL.md §2.11): in a job holding a run of one feed, only the
// run's last record has its signature checked before prepare(); the others come marked
// vouched. Off, every signature is checked.
TEST_P(IngestQueue, OnlyTheLastRecordOfARunIsCheckedOnArrival) {
  auto records = test::signed_feeds(community_, 1, 40);
  std::vector<std::string> raw;
  for (const auto& r : records) raw.push_back(r.bytes);
  job_log log;
  for (bool by_chain : {true, false}) {
    ingest_queue q(*store_, {.verify_threads = GetParam(), .chain_authentication = by_chain});
    q.submit(std::make_unique<test_job>(by_chain ? 0 : 1, raw, log));
    q.drain();
  }
  EXPECT_EQ(log.vouched[0], 39u);
  EXPECT_EQ(log.rejected[0], 0u);
  EXPECT_EQ(log.vouched[1], 0u);
  EXPECT_EQ(log.rejected[1], 0u);
}

// A bad signature in the middle of a run is vouched for by the run's end (the later check
// finds it); a bad one at the end makes every record of the run checked on its own.
TEST_P(IngestQueue, ABadLastSignatureMakesTheRunCheckedRecordByRecord) {
  auto records = test::signed_feeds(community_, 1, 40);
  std::vector<std::string> middle, last;
  for (const auto& r : records) middle.push_back(r.bytes);
  last = middle;
  middle[10][middle[10].size() - 3] ^= 0x20;
  last[10][last[10].size() - 3] ^= 0x20;
  last[39][last[39].size() - 3] ^= 0x20;
  job_log log;
  {
    ingest_queue q(*store_, {.verify_threads = GetParam()});
    q.submit(std::make_unique<test_job>(0, middle, log));
    q.submit(std::make_unique<test_job>(1, last, log));
    q.drain();
  }
  EXPECT_EQ(log.rejected[0], 0u);
  EXPECT_EQ(log.vouched[0], 39u);
  EXPECT_EQ(log.rejected[1], 2u);
  EXPECT_EQ(log.vouched[1], 0u);
}

INSTANTIATE_TEST_SUITE_P(threads, IngestQueue, ::testing::Values(1, 2, 3));

}  // namespace
}  // namespace zwerm::node
