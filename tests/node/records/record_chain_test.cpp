// check_chain, next_lamport and the total order, on real signed records.
#include "node/records/record_chain.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "node/records/record_writer.hpp"
#include "record_test_helpers.hpp"

namespace zwerm::node {
namespace {

using test::key_from;

class RecordChain : public ::testing::Test {
 protected:
  crypto::key_pair key_ = key_from(3);
  community_id community_ = test::fake_community(9);

  record write(std::uint64_t seq, std::optional<record_id> prev, std::uint64_t lamport,
               std::string body = "{}") {
    record_fields f;
    f.community = community_;
    f.seq = seq;
    f.prev = prev;
    f.lamport = lamport;
    f.ts = 1000;
    f.type = "profile";
    f.body = std::move(body);
    auto r = write_record(f, key_);
    EXPECT_TRUE(r.ok()) << r.error().message();
    return r.ok() ? std::move(r).value() : record{};
  }
};

TEST_F(RecordChain, FirstRecordOfAnEmptyFeedIsNext) {
  record first = write(1, std::nullopt, 3);
  EXPECT_EQ(check_chain(first, std::nullopt).verdict, chain_verdict::next);
  EXPECT_TRUE(check_chain(first, std::nullopt).ok());
}

TEST_F(RecordChain, ARecordPastTheHeadWaitsInAGap) {
  record first = write(1, std::nullopt, 1);
  record second = write(2, first.id, 2);
  record third = write(3, second.id, 3);
  auto empty = check_chain(third, std::nullopt);
  EXPECT_EQ(empty.verdict, chain_verdict::gap);
  EXPECT_NE(empty.message.find("waits until seq 1"), std::string::npos) << empty.message;
  EXPECT_EQ(check_chain(third, head_after(first)).verdict, chain_verdict::gap);
  EXPECT_EQ(check_chain(third, head_after(second)).verdict, chain_verdict::next);
}

TEST_F(RecordChain, NextNeedsTheHeadsIdAsPrev) {
  record first = write(1, std::nullopt, 1);
  record good = write(2, first.id, 2);
  record wrong = write(2, test::fake_id(4), 2);
  EXPECT_EQ(check_chain(good, head_after(first)).verdict, chain_verdict::next);
  auto c = check_chain(wrong, head_after(first));
  EXPECT_EQ(c.verdict, chain_verdict::wrong_prev);
  EXPECT_NE(c.message.find(crypto::to_text(first.id)), std::string::npos) << c.message;
}

TEST_F(RecordChain, LamportMustExceedThePrevRecords) {
  record first = write(1, std::nullopt, 10);
  EXPECT_EQ(check_chain(write(2, first.id, 10), head_after(first)).verdict,
            chain_verdict::lamport_not_increasing);
  EXPECT_EQ(check_chain(write(2, first.id, 9), head_after(first)).verdict,
            chain_verdict::lamport_not_increasing);
  EXPECT_EQ(check_chain(write(2, first.id, 11), head_after(first)).verdict, chain_verdict::next);
  // Lamport may jump: it follows the largest seen in the whole community.
  EXPECT_EQ(check_chain(write(2, first.id, 500), head_after(first)).verdict, chain_verdict::next);
}

TEST_F(RecordChain, DuplicatesAndConflictsAtOrBelowTheHead) {
  record first = write(1, std::nullopt, 1);
  record second = write(2, first.id, 2);
  record third = write(3, second.id, 3);
  record other_second = write(2, first.id, 2, R"({"name":"anders"})");
  feed_head head = head_after(third);
  // At the head: the head's id decides.
  EXPECT_EQ(check_chain(third, head).verdict, chain_verdict::duplicate);
  record other_third = write(3, second.id, 3, R"({"x":1})");
  EXPECT_EQ(check_chain(other_third, head).verdict, chain_verdict::conflict);
  // Below the head: the caller must look up the record held at that seq.
  EXPECT_EQ(check_chain(second, head).verdict, chain_verdict::needs_lookup);
  EXPECT_EQ(check_chain(second, head, second.id).verdict, chain_verdict::duplicate);
  auto c = check_chain(other_second, head, second.id);
  EXPECT_EQ(c.verdict, chain_verdict::conflict);
  EXPECT_NE(c.message.find("forked"), std::string::npos);
}

TEST_F(RecordChain, HandBuiltRecordsWithSeqPrevMismatchAreClassified) {
  record r = write(1, std::nullopt, 1);
  r.prev = test::fake_id(1);
  EXPECT_EQ(check_chain(r, std::nullopt).verdict, chain_verdict::seq_prev_mismatch);
  record s = write(2, test::fake_id(1), 2);
  s.prev.reset();
  EXPECT_EQ(check_chain(s, head_after(r)).verdict, chain_verdict::seq_prev_mismatch);
}

TEST_F(RecordChain, NextLamportIsOnePlusTheLargestSeen) {
  EXPECT_EQ(next_lamport(0), 1u);
  EXPECT_EQ(next_lamport(41), 42u);
  EXPECT_EQ(next_lamport((std::uint64_t{1} << 53) - 1), std::uint64_t{1} << 53);
  EXPECT_EQ(next_lamport(std::uint64_t{1} << 53), 0u);  // no valid successor
}

TEST_F(RecordChain, TotalOrderIsLamportThenAuthorBytesThenSeq) {
  record a = write(1, std::nullopt, 5);
  record b;
  {
    record_fields f;
    f.community = community_;
    f.lamport = 5;
    f.type = "profile";
    auto w = write_record(f, key_from(77));
    ASSERT_TRUE(w.ok());
    b = std::move(w).value();
  }
  record c = write(2, a.id, 4);  // an impossible chain, but order_of only reads fields
  std::vector<order_key> keys = {order_of(a), order_of(b), order_of(c)};
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys[0], order_of(c));  // smallest lamport first
  bool a_first = a.author < b.author;
  EXPECT_EQ(keys[1], a_first ? order_of(a) : order_of(b));
  EXPECT_EQ(keys[2], a_first ? order_of(b) : order_of(a));
  // Same lamport and author: seq decides.
  order_key x{7, key_.pk, 1}, y{7, key_.pk, 2};
  EXPECT_LT(x, y);
}

}  // namespace
}  // namespace zwerm::node
