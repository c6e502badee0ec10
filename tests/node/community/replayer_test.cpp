// The replayer: direct application, one rewind per batch, checkpoints, forks, open().
#include <gtest/gtest.h>

#include "node/community/replayer.hpp"
#include "node/community/snapshot.hpp"
#include "node/community/views.hpp"
#include "tests/node/community/random_history.hpp"

namespace zwerm::node::community {
namespace {

using test::memory_store;

struct counting_source {
  const memory_store& store;
  int calls = 0;
  std::uint64_t visited = 0;
  record_source get() {
    return [this](const std::optional<position>& after, const position_filter& needed,
                  const record_visitor& visit) {
      ++calls;
      return store.source()(after, needed, [&](const record& r) {
        ++visited;
        return visit(r);
      });
    };
  }
};

std::vector<record> in_total_order(std::vector<record> v) {
  std::sort(v.begin(), v.end(),
            [](const record& a, const record& b) { return position_of(a) < position_of(b); });
  return v;
}

TEST(Replayer, RecordsAfterTheHeadApplyWithoutReadingTheStore) {
  auto rh = test::make_random_history(11);
  auto sorted = in_total_order(rh.h.records);
  memory_store store;
  counting_source src{store};
  replayer rep(rh.h.community);
  for (std::size_t i = 0; i < sorted.size(); i += 10) {
    std::vector<record> batch(sorted.begin() + i, sorted.begin() + std::min(i + 10, sorted.size()));
    auto r = rep.absorb(batch, src.get());
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->rewound);
    for (const auto& x : batch) store.add(x);
  }
  EXPECT_EQ(src.calls, 0);
  EXPECT_EQ(rep.current().applied(), sorted.size());
}

TEST(Replayer, ABatchReachingBackRewindsOnceToItsEarliestRecord) {
  auto rh = test::make_random_history(12);
  auto sorted = in_total_order(rh.h.records);
  memory_store store;
  counting_source src{store};
  replayer rep(rh.h.community);
  // Everything but three early records, then those three in one batch.
  std::vector<record> late = {sorted[5], sorted[40], sorted[41]};
  std::vector<record> first;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i != 5 && i != 40 && i != 41) first.push_back(sorted[i]);
  }
  ASSERT_TRUE(rep.absorb(first, src.get()).ok());
  for (const auto& r : first) store.add(r);
  auto r = rep.absorb(late, src.get());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->rewound);
  EXPECT_FALSE(r->used_checkpoint);
  EXPECT_EQ(*r->earliest, position_of(sorted[5]));
  EXPECT_EQ(src.calls, 1);                        // one rewind for the batch
  EXPECT_EQ(src.visited, sorted.size() - 5 - 3);  // the replay from the earliest one
  state reference(rh.h.community);
  for (const auto& x : sorted) reference.apply(x);
  EXPECT_EQ(test::first_difference(test::all_views(rep.current(), rh.last_ts),
                                   test::all_views(reference, rh.last_ts)),
            "");
}

TEST(Replayer, OpenRestoresASnapshotAndCatchesUpFromTheStore) {
  auto rh = test::make_random_history(13);
  auto sorted = in_total_order(rh.h.records);
  memory_store store;
  replayer first(rh.h.community);
  std::vector<record> head(sorted.begin(), sorted.begin() + 200);
  ASSERT_TRUE(first.absorb(head, store.source()).ok());
  std::string snap = first.persist_snapshot();
  for (const auto& r : sorted) store.add(r);  // the rest reached the store later
  auto opened = replayer::open(rh.h.community, snap, store.source());
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  state reference(rh.h.community);
  for (const auto& x : sorted) reference.apply(x);
  EXPECT_EQ(test::first_difference(test::all_views(opened.value()->current(), rh.last_ts),
                                   test::all_views(reference, rh.last_ts)),
            "");
  // Without a snapshot it replays everything.
  auto fresh = replayer::open(rh.h.community, std::nullopt, store.source());
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh.value()->current().applied(), sorted.size());
  // A damaged snapshot is refused with a reason, never crashes.
  auto bad = replayer::open(rh.h.community, std::string_view(snap).substr(0, snap.size() / 2),
                            store.source());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), status_code::corruption);
  auto other = replayer::open(community_id{}, snap, store.source());
  EXPECT_FALSE(other.ok());
}

TEST(Replayer, RewindingPastTheJournalUsesACheckpoint) {
  auto rh = test::make_random_history(14, {.records = 600});
  auto sorted = in_total_order(rh.h.records);
  memory_store store;
  replayer_options o;
  o.journal_limit = 20;
  o.checkpoint_interval = 100;
  replayer rep(rh.h.community, o);
  std::vector<record> most(sorted.begin(), sorted.begin() + 300);
  std::vector<record> rest(sorted.begin() + 301, sorted.end());
  ASSERT_TRUE(rep.absorb(most, store.source()).ok());
  for (const auto& r : most) store.add(r);
  ASSERT_TRUE(rep.absorb(rest, store.source()).ok());
  for (const auto& r : rest) store.add(r);
  EXPECT_GE(rep.checkpoints(), 1u);
  auto r = rep.absorb(std::vector<record>{sorted[300]}, store.source());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->rewound);
  EXPECT_TRUE(r->used_checkpoint);
  EXPECT_LT(r->replayed, sorted.size() - 200);  // did not start from the beginning
  state reference(rh.h.community);
  for (const auto& x : sorted) reference.apply(x);
  EXPECT_TRUE(encode_snapshot(rep.current()) == encode_snapshot(reference));
}

TEST(Replayer, AForkReportedLateRewindsToTheForkPoint) {
  test::history h;
  auto a = h.make_member(1), b = h.make_member(2);
  h.genesis(a);
  record inv = h.write(a, "member.invite",
                       {{"invitee", b.text()}, {"note", ""}, {"expires_ts", 1'000'000'000}}, 2000);
  h.write(b, "member.join", {{"invite", test::text(inv.id)}}, 3000);
  record k = h.write(b, "request",
                     {{"title", "x"}, {"body", ""}, {"tags", nlohmann::json::array()}}, 4000);
  h.write(a, "thanks", {{"contribution", test::text(inv.id)}, {"note", ""}}, 5000);
  memory_store store;
  replayer rep(h.community);
  ASSERT_TRUE(rep.absorb(h.records, store.source()).ok());
  for (const auto& r : h.records) store.add(r);
  EXPECT_EQ(rep.current().requests.size(), 1u);
  auto r = rep.mark_forked(b.id(), {k.seq, k.lamport}, store.source());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->rewound);
  EXPECT_EQ(rep.current().requests.size(), 0u);
  EXPECT_EQ(members_view(rep.current())["members"][1]["status"], "forked");
  // Reporting the same fork again changes nothing.
  auto again = rep.mark_forked(b.id(), {k.seq, k.lamport}, store.source());
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->earliest.has_value());
}

TEST(Replayer, RecordsOfOtherCommunitiesAreIgnored) {
  auto rh = test::make_random_history(15);
  auto other = test::make_random_history(16);
  memory_store store;
  replayer rep(rh.h.community);
  auto r = rep.absorb(other.h.records, store.source());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->earliest.has_value());
  EXPECT_EQ(rep.current().applied(), 0u);
}

TEST(Replayer, PersistDueFollowsTheInterval) {
  auto rh = test::make_random_history(17);
  memory_store store;
  replayer_options o;
  o.persist_interval = 100;
  replayer rep(rh.h.community, o);
  auto sorted = in_total_order(rh.h.records);
  ASSERT_TRUE(
      rep.absorb(std::vector<record>(sorted.begin(), sorted.begin() + 99), store.source()).ok());
  EXPECT_FALSE(rep.persist_due());
  ASSERT_TRUE(rep.absorb(std::vector<record>{sorted[99]}, store.source()).ok());
  EXPECT_TRUE(rep.persist_due());
  EXPECT_FALSE(rep.persist_snapshot().empty());
  EXPECT_FALSE(rep.persist_due());
}

TEST(Replayer, AFailingStoreIsReported) {
  auto rh = test::make_random_history(18);
  auto sorted = in_total_order(rh.h.records);
  replayer rep(rh.h.community);
  memory_store store;
  ASSERT_TRUE(
      rep.absorb(std::vector<record>(sorted.begin() + 1, sorted.end()), store.source()).ok());
  record_source broken = [](const std::optional<position>&, const position_filter&,
                            const record_visitor&) {
    return status(status_code::io_error, "disk gone");
  };
  auto r = rep.absorb(std::vector<record>{sorted[0]}, broken);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), status_code::io_error);
}

}  // namespace
}  // namespace zwerm::node::community
