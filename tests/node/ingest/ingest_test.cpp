#include "node/ingest/ingest.hpp"

#include <gtest/gtest.h>

#include "tests/node/signed_feeds.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::node {
namespace {

class IngestTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  void SetUp() override {
    auto s = store::store::open(home_.path() / "db");
    ASSERT_TRUE(s.ok()) << s.error().message();
    store_ = std::move(*s);
  }

  static std::vector<std::string> bytes_of(const std::vector<record>& rs) {
    std::vector<std::string> out;
    for (const auto& r : rs) out.push_back(r.bytes);
    return out;
  }

  zwerm::testing::temp_dir home_{"zwerm-ingest"};
  std::unique_ptr<store::store> store_;
  community_id community_ = community_of_genesis(crypto::record_id_of("ingest test community"));
};

TEST_P(IngestTest, VerifiesAndCommitsABatch) {
  ingestor in(*store_, {GetParam()});
  EXPECT_EQ(in.verify_threads(), GetParam());
  auto records = test::signed_feeds(community_, 8, 25);
  auto raw = bytes_of(records);
  std::vector<store::view_change> views{{"ingest/count", "200"}};
  auto r = in.ingest_bytes(raw, views);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->items.size(), 200u);
  for (const auto& item : r->items) {
    EXPECT_FALSE(item.rejected);
    EXPECT_EQ(item.stored.kind, store::outcome::appended);
  }
  ASSERT_EQ(r->appended.size(), 200u);
  EXPECT_EQ(r->appended[0].type, "contribution");
  EXPECT_EQ(store_->frontier(community_)->size(), 8u);
  EXPECT_EQ(*store_->get_view("ingest/count"), std::optional<std::string>("200"));
  auto stored = store_->get(records[17].id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->bytes, records[17].bytes);
  EXPECT_TRUE(store_->check().ok()) << store_->check().message();

  auto again = in.ingest_bytes(raw);
  ASSERT_TRUE(again.ok());
  for (const auto& item : again->items) EXPECT_EQ(item.stored.kind, store::outcome::duplicate);
}

TEST_P(IngestTest, ABadSignatureIsRejectedAndItsSuccessorsWait) {
  ingestor in(*store_, {GetParam()});
  auto records = test::signed_feeds(community_, 1, 60);
  auto raw = bytes_of(records);
  raw[9].back() ^= 0x01;  // seq 10: flip one bit of the signature
  raw[30][40] ^= 0x01;    // seq 31: flip one bit of the payload
  auto r = in.ingest_bytes(raw);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(r->items[9].rejected);
  EXPECT_EQ(r->items[9].rejected->reason, reject_reason::bad_signature);
  EXPECT_EQ(r->items[9].stored.kind, store::outcome::dropped);
  EXPECT_TRUE(r->items[30].rejected);
  EXPECT_EQ(r->items[10].stored.kind, store::outcome::pending);
  EXPECT_EQ(r->appended.size(), 9u);
  EXPECT_EQ((*store_->head(community_, records[0].author))->seq, 9u);

  // The honest copy of seq 10 arrives: 10..30 append, 32..60 still wait for 31.
  auto fill = in.ingest_bytes(std::vector<std::string>{records[9].bytes});
  ASSERT_TRUE(fill.ok());
  EXPECT_EQ(fill->appended.size(), 21u);
  EXPECT_EQ(fill->appended.back().seq, 30u);
  EXPECT_EQ(fill->appended[5].body, records[14].body);  // re-parsed from the pending area
  auto rest = in.ingest_records(std::vector<record>{records[30]});
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->appended.size(), 30u);
  EXPECT_EQ(*store_->pending_count(), 0u);
  EXPECT_TRUE(store_->check().ok()) << store_->check().message();
}

TEST_P(IngestTest, GarbageBytesAreRejectedNotFatal) {
  ingestor in(*store_, {GetParam()});
  std::vector<std::string> raw{"", "{}", std::string(100, '\xff'), std::string(20000, 'a')};
  auto r = in.ingest_bytes(raw);
  ASSERT_TRUE(r.ok());
  for (const auto& item : r->items) EXPECT_TRUE(item.rejected);
  EXPECT_TRUE(r->appended.empty());
}

TEST_P(IngestTest, ThePoolGivesTheSameVerdictsAsInlineVerification) {
  ingestor pooled(*store_, {GetParam()});
  ingestor inline_(*store_, {1});
  auto raw = bytes_of(test::signed_feeds(community_, 20, 20));
  for (std::size_t i = 0; i < raw.size(); i += 7) raw[i][i % 200] ^= 0x20;
  auto a = pooled.verify(raw);
  auto b = inline_.verify(raw);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].ok(), b[i].ok()) << i;
    if (a[i].ok()) {
      EXPECT_EQ(a[i]->id, b[i]->id);
    } else {
      EXPECT_EQ(a[i].reason(), b[i].reason());
    }
  }
}

TEST_P(IngestTest, ThePipelineCommitsEveryBatchInOrder) {
  auto records = test::signed_feeds(community_, 10, 40);
  auto raw = bytes_of(records);
  raw[123].back() ^= 0x04;  // one bad signature: its feed's later records wait
  std::vector<std::uint64_t> order;
  std::size_t appended = 0, rejected = 0, pending = 0;
  {
    ingest_pipeline pipe(*store_, {GetParam()}, [&](std::uint64_t batch, result<ingest_result> r) {
      ASSERT_TRUE(r.ok()) << r.error().message();
      order.push_back(batch);
      appended += r->appended.size();
      for (const auto& item : r->items) {
        if (item.rejected) ++rejected;
        if (item.stored.kind == store::outcome::pending) ++pending;
      }
    });
    for (std::size_t i = 0; i < raw.size(); i += 50) {
      const auto no =
          pipe.submit(std::span(raw).subspan(i, 50), {{"pipe/last", std::to_string(i)}});
      EXPECT_EQ(no, i / 50 + 1);
    }
    pipe.drain();
    EXPECT_EQ(order.size(), 8u);
    // More after a drain, then the destructor commits what is still queued.
    pipe.submit(std::vector<std::string>{records[123].bytes});
  }
  EXPECT_EQ(order, (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(rejected, 1u);
  EXPECT_EQ(pending, 27u);  // seq 14..40 of the feed whose seq 13 was bad
  EXPECT_EQ(appended, 400u);
  EXPECT_EQ(*store_->get_view("pipe/last"), std::optional<std::string>("350"));
  EXPECT_TRUE(store_->check().ok()) << store_->check().message();
}

INSTANTIATE_TEST_SUITE_P(threads, IngestTest, ::testing::Values(1, 2, 3));

}  // namespace
}  // namespace zwerm::node
