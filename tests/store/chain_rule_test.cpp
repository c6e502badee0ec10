// One table of cases pins the feed chain rule (base/feed_chain.hpp) and every place that
// applies it: zwerm::check_chain itself, node::check_chain over a parsed record (sync and the
// memory replica), and the store's ingest, which routes positions its own way (pending area,
// fork proofs) but must reach the same verdict for every case.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/feed_chain.hpp"
#include "crypto/hash.hpp"
#include "node/records/record_chain.hpp"
#include "store/store.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm {
namespace {

// Records are stand-ins: a payload of text and 64 bytes where the signature would be (the
// store checks ids, not signatures). Their ids are real BLAKE2b-256 hashes of the payloads, so
// that store::check() can vouch for the store after each case.
std::map<record_id, std::string>& payloads() {
  static std::map<record_id, std::string> known;
  return known;
}
record_id id_of(const std::string& payload) {
  const record_id id = crypto::record_id_of(payload);
  payloads()[id] = payload;
  return id;
}
// The id of the record at seq i of the feed the table builds on, and ids no feed holds.
record_id id_at(std::uint64_t seq) {
  return id_of("the feed's record " + std::to_string(seq));
}
record_id other_id(std::uint8_t n) {
  return id_of("another record " + std::to_string(n));
}
constexpr std::uint64_t lamport_at(std::uint64_t seq) {
  return 10 * seq;
}

struct chain_case {
  const char* name;
  std::uint64_t head_seq;  // the feed holds seq 1..head_seq (0: nothing)
  feed_link record;
  std::optional<record_id> held_at_seq;  // what check_chain's caller passes, if it looked it up
  chain_verdict verdict;
  store::outcome stored;  // what the store's ingest makes of the record
};

const std::vector<chain_case>& cases() {
  using store::outcome;
  static const std::vector<chain_case> table = {
      {"the first record of an empty feed",
       0,
       {1, std::nullopt, 5, id_at(1)},
       std::nullopt,
       chain_verdict::next,
       outcome::appended},
      {"seq 1 with a prev",
       0,
       {1, id_at(9), 5, id_at(1)},
       std::nullopt,
       chain_verdict::seq_prev_mismatch,
       outcome::dropped},
      {"seq 2 without a prev",
       1,
       {2, std::nullopt, 25, id_at(2)},
       std::nullopt,
       chain_verdict::seq_prev_mismatch,
       outcome::dropped},
      {"seq 0",
       0,
       {0, std::nullopt, 5, id_at(0)},
       std::nullopt,
       chain_verdict::seq_prev_mismatch,
       outcome::dropped},
      {"the next record",
       2,
       {3, id_at(2), 21, id_at(3)},
       std::nullopt,
       chain_verdict::next,
       outcome::appended},
      {"the next record naming an older prev",
       2,
       {3, id_at(1), 31, id_at(3)},
       std::nullopt,
       chain_verdict::wrong_prev,
       outcome::dropped},
      {"the next record naming no record held",
       2,
       {3, other_id(1), 31, id_at(3)},
       std::nullopt,
       chain_verdict::wrong_prev,
       outcome::dropped},
      {"the next record with its prev's lamport",
       2,
       {3, id_at(2), lamport_at(2), id_at(3)},
       std::nullopt,
       chain_verdict::lamport_not_increasing,
       outcome::dropped},
      {"the next record with a lower lamport",
       2,
       {3, id_at(2), 1, id_at(3)},
       std::nullopt,
       chain_verdict::lamport_not_increasing,
       outcome::dropped},
      {"the head again",
       2,
       {2, id_at(1), lamport_at(2), id_at(2)},
       std::nullopt,
       chain_verdict::duplicate,
       outcome::duplicate},
      {"another record at the head's seq",
       2,
       {2, id_at(1), 99, other_id(2)},
       std::nullopt,
       chain_verdict::conflict,
       outcome::forked},
      {"an older record again, looked up",
       3,
       {1, std::nullopt, lamport_at(1), id_at(1)},
       id_at(1),
       chain_verdict::duplicate,
       outcome::duplicate},
      {"an older record again, not looked up",
       3,
       {1, std::nullopt, lamport_at(1), id_at(1)},
       std::nullopt,
       chain_verdict::needs_lookup,
       outcome::duplicate},
      {"another record at an older seq",
       3,
       {2, id_at(1), 77, other_id(3)},
       id_at(2),
       chain_verdict::conflict,
       outcome::forked},
      {"a record past a gap",
       2,
       {5, other_id(4), 50, other_id(5)},
       std::nullopt,
       chain_verdict::gap,
       outcome::pending},
      {"a record past a gap in an empty feed",
       0,
       {3, other_id(6), 30, other_id(7)},
       std::nullopt,
       chain_verdict::gap,
       outcome::pending},
  };
  return table;
}

std::optional<feed_head> tip(std::uint64_t head_seq) {
  if (head_seq == 0) return std::nullopt;
  feed_head h;  // the rule reads seq, id and lamport only
  h.seq = head_seq;
  h.id = id_at(head_seq);
  h.lamport = lamport_at(head_seq);
  return h;
}

TEST(ChainRule, TheRuleGivesEachCaseItsVerdict) {
  for (const auto& c : cases()) {
    const chain_check got = check_chain(c.record, tip(c.head_seq), c.held_at_seq);
    EXPECT_EQ(to_string(got.verdict), std::string(to_string(c.verdict))) << c.name;
    EXPECT_EQ(got.message.empty(),
              c.verdict == chain_verdict::next || c.verdict == chain_verdict::duplicate)
        << c.name << ": " << got.message;
  }
}

TEST(ChainRule, AParsedRecordGetsTheSameVerdict) {
  for (const auto& c : cases()) {
    node::record r;
    r.seq = c.record.seq;
    r.prev = c.record.prev;
    r.lamport = c.record.lamport;
    r.id = c.record.id;
    EXPECT_EQ(to_string(node::check_chain(r, tip(c.head_seq), c.held_at_seq).verdict),
              std::string(to_string(c.verdict)))
        << c.name;
  }
}

// The store's entry for a stand-in record (its id checked by the store as for any record).
store::record_entry entry(const community_id& community, const crypto::public_key& author,
                          const feed_link& l) {
  store::record_entry e;
  e.id = l.id;
  e.community = community;
  e.author = author;
  e.seq = l.seq;
  e.prev = l.prev;
  e.lamport = l.lamport;
  e.bytes = payloads().at(l.id) + std::string(64, 's');
  return e;
}

TEST(ChainRule, TheStoreReachesTheSameVerdictForEveryCase) {
  const store::ingest_flags checked;  // the store hashes every payload itself
  community_id community;
  community.bytes[0] = 1;
  std::uint8_t n = 0;
  for (const auto& c : cases()) {
    testing::temp_dir dir("zwerm-chain-rule");
    auto s = store::store::open(dir.path() / "db");
    ASSERT_TRUE(s.ok()) << s.error().message();
    crypto::public_key author;
    author.bytes[0] = ++n;
    std::vector<store::record_entry> feed;
    for (std::uint64_t seq = 1; seq <= c.head_seq; ++seq) {
      feed.push_back(entry(community, author,
                           {seq, seq == 1 ? std::nullopt : std::optional(id_at(seq - 1)),
                            lamport_at(seq), id_at(seq)}));
    }
    if (!feed.empty()) {
      ASSERT_TRUE((*s)->ingest(feed, {}, checked).ok()) << c.name;
    }
    auto report = (*s)->ingest(std::vector{entry(community, author, c.record)}, {}, checked);
    ASSERT_TRUE(report.ok()) << c.name << ": " << report.error().message();
    ASSERT_EQ(report->outcomes.size(), 1u);
    EXPECT_EQ(to_string(report->outcomes[0].kind), std::string(to_string(c.stored)))
        << c.name << ": " << report->outcomes[0].reason;
    if (c.stored == store::outcome::dropped) {
      // The store's reason is the rule's own sentence.
      const auto rule = check_chain(c.record, tip(c.head_seq), c.held_at_seq);
      EXPECT_EQ(report->outcomes[0].reason, rule.message) << c.name;
    }
    EXPECT_TRUE((*s)->check().ok()) << c.name << ": " << (*s)->check().message();
  }
}

}  // namespace
}  // namespace zwerm
