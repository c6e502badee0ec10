// Forks and the state on disk (community_host::mark_forks, fork_point_of): a fork proof the
// store took while the host did not hear of it (a crash before the mark, or another committer)
// is marked at the next start, the result equals a full replay with the fork marked, and the
// mark is persisted so the start after that restores it from the snapshot.
#include <gtest/gtest.h>

#include "node/daemon/community_host.hpp"
#include "node/daemon/state_store.hpp"
#include "tests/node/snapshots/state_sim.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::node {
namespace {

using testing::all_views;
using testing::full_replay;
using testing::state_sim;

store::record_entry entry_at(std::uint64_t seq, std::uint64_t lamport) {
  store::record_entry e;
  e.seq = seq;
  e.lamport = lamport;
  return e;
}

TEST(ForkPointTest, SmallestSeqThenSmallestLamportOfBothSides) {
  EXPECT_FALSE(fork_point_of({}).has_value());
  std::vector<store::fork_proof> proofs{
      {entry_at(9, 40), entry_at(9, 12)},
      {entry_at(5, 30), entry_at(5, 31)},
      {entry_at(5, 33), entry_at(5, 29)},
  };
  auto p = fork_point_of(proofs);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->seq, 5u);
  EXPECT_EQ(p->lamport, 29u);
  // Which side a node kept does not matter.
  std::swap(proofs[2].kept, proofs[2].other);
  EXPECT_EQ(*fork_point_of(proofs), *p);
}

state_store_options small_snapshots() {
  state_store_options o;
  o.replayer.persist_interval = 40;
  return o;
}

TEST(ForkRestartTest, AForkTheHostNeverHeardOfIsMarkedAtStartAndPersisted) {
  zwerm::testing::temp_dir dir;
  std::mt19937_64 rng(5);
  state_sim sim(dir.path(), small_snapshots());
  sim.setup();
  sim.grow(150, rng, false);
  const community_id c = sim.community();
  const member_id forker = sim.others().at(0).pk;

  // Two records of member 0 for one seq: the first is committed and absorbed, the second only
  // committed (the store keeps it as a fork proof; the host is not told, as after a crash).
  const record kept = sim.make_member_record(0, "contribution",
                                             {{"kind", "knowledge"},
                                              {"title", "kept"},
                                              {"body", "x"},
                                              {"tags", {"topic3"}},
                                              {"answers", nullptr},
                                              {"circle", nullptr}},
                                             false);
  // The other side, signed from the same head, with the smaller lamport.
  const record other = sim.make_member_record(
      0, "request", {{"title", "other side"}, {"body", "y"}, {"tags", {"topic2"}}}, true);
  ASSERT_EQ(other.seq, kept.seq);
  ASSERT_LT(other.lamport, kept.lamport);
  sim.commit_and_absorb(kept);
  ASSERT_TRUE(sim.commit_only(other).empty());
  auto proofs = sim.db().forks(c, forker);
  ASSERT_TRUE(proofs.ok());
  ASSERT_EQ(proofs->size(), 1u);
  // A thanks the forked contribution; more records from everyone follow.
  sim.a_write("thanks", {{"contribution", crypto::to_text(kept.id)}, {"note", "thanks"}});
  sim.grow(60, rng, false);
  const auto given_unmarked = sim.current().members[sim.current().find_member(forker)].given;
  ASSERT_TRUE(sim.current().contribution_index.contains(kept.id));
  EXPECT_TRUE(sim.current().forks().empty());
  sim.close();  // the snapshot written here knows no fork

  // The reference: every stored record replayed with the fork marked.
  const community::fork_point point{kept.seq, std::min(kept.lamport, other.lamport)};
  std::string expected;
  std::uint64_t given_marked = 0;
  {
    auto db = store::store::open(dir.path() / "db");
    ASSERT_TRUE(db.ok());
    auto rep = full_replay(**db, c);
    auto marked = rep->mark_forked(forker, point, store_record_source(**db, c));
    ASSERT_TRUE(marked.ok());
    ASSERT_TRUE(marked->rewound);
    expected = all_views(rep->current());
    given_marked = rep->current().members[rep->current().find_member(forker)].given;
    // The forked contribution took no effect, so the thanks for it (and for the member's
    // later contributions) no longer count.
    EXPECT_FALSE(rep->current().contribution_index.contains(kept.id));
    EXPECT_LT(given_marked, given_unmarked);
  }

  sim.open();
  ASSERT_TRUE(sim.current().forks().contains(forker));
  EXPECT_EQ(sim.current().forks().at(forker), point);
  EXPECT_EQ(all_views(sim.current()), expected);
  EXPECT_NE(all_views(sim.current()).find("forked"), std::string::npos);
  // Known marks change nothing.
  auto again = sim.host().mark_forks(c);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
  sim.close();

  // The mark was persisted with the state: the snapshot alone (no host) carries it.
  {
    auto db = store::store::open(dir.path() / "db");
    ASSERT_TRUE(db.ok());
    state_store states(**db, small_snapshots());
    restore_report report;
    auto rep = states.restore(c, &report);
    ASSERT_TRUE(rep.ok());
    EXPECT_TRUE(report.from_snapshot) << report.discarded;
    EXPECT_TRUE((*rep)->current().forks().contains(forker));
    EXPECT_EQ(all_views((*rep)->current()), expected);
  }
  sim.open();
  EXPECT_EQ(all_views(sim.current()), expected);
}

TEST(ForkRestartTest, AForkMarkedWhileRunningReachesTheSnapshotAtOnce) {
  zwerm::testing::temp_dir dir;
  std::mt19937_64 rng(6);
  state_store_options rare;  // no periodic snapshot in this test
  rare.replayer.persist_interval = 1'000'000;
  state_sim sim(dir.path(), rare);
  sim.setup();
  sim.grow(80, rng, false);
  const community_id c = sim.community();
  const member_id forker = sim.others().at(1).pk;
  const record kept = sim.make_member_record(
      1, "request", {{"title", "kept"}, {"body", "x"}, {"tags", {"topic1"}}}, false);
  sim.commit_and_absorb(kept);
  sim.grow(40, rng, false);  // records after the fork position, some of them the forker's
  // The member's other device signs another record for the kept one's seq.
  auto prev = sim.db().get(*kept.prev);
  ASSERT_TRUE(prev.ok());
  feed_writer w(
      sim.others().at(1), c,
      feed_head{.author = forker, .seq = prev->seq, .id = prev->id, .lamport = prev->lamport},
      kept.lamport);
  auto conflicting = w.append("profile",
                              nlohmann::json{{"name", "two faced"},
                                             {"about", ""},
                                             {"skills", nlohmann::json::array()},
                                             {"address", nullptr}}
                                  .dump(),
                              testing::sim_t0);
  ASSERT_TRUE(conflicting.ok());
  ASSERT_TRUE(sim.commit_only(*conflicting).empty());
  auto before = sim.host().mark_forks(c);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(*before, 1u);
  ASSERT_TRUE(sim.current().forks().contains(forker));
  const std::string views = all_views(sim.current());
  auto replayed = full_replay(sim.db(), c);
  ASSERT_TRUE(replayed
                  ->mark_forked(forker, {kept.seq, std::min(kept.lamport, conflicting->lamport)},
                                store_record_source(sim.db(), c))
                  .ok());
  EXPECT_EQ(all_views(replayed->current()), views);

  // No checkpoint at close and none due: only the write after the mark can have the fork.
  state_store states(sim.db(), rare);
  restore_report report;
  auto rep = states.restore(c, &report);
  ASSERT_TRUE(rep.ok());
  EXPECT_TRUE(report.from_snapshot) << report.discarded;
  EXPECT_TRUE((*rep)->current().forks().contains(forker));
  EXPECT_EQ(all_views((*rep)->current()), views);
}

}  // namespace
}  // namespace zwerm::node
