// state_store's chunk-by-chunk writes: chunks of an interrupted write (a crash between the
// chunk writes and the meta's) are named by no meta, so restore ignores them and erases them,
// and the next write of that generation is whole.
#include <gtest/gtest.h>

#include "node/daemon/state_store.hpp"
#include "tests/node/snapshots/state_sim.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::node {
namespace {

using testing::all_views;
using testing::full_replay;
using testing::state_sim;

std::size_t chunk_count(store::store& db, const community_id& c) {
  auto chunks = db.scan_views(state_meta_key(c).substr(0, 7 + 32) + "/d");
  EXPECT_TRUE(chunks.ok());
  return chunks->size();
}

TEST(state_write_test, chunks_of_an_interrupted_write_are_ignored_and_erased_at_restore) {
  zwerm::testing::temp_dir dir;
  std::mt19937_64 rng(21);
  state_store_options opts;
  opts.replayer.persist_interval = 1'000'000;  // snapshots only when the test asks
  opts.chunk_bytes = 2048;
  state_sim sim(dir.path(), opts);
  sim.setup();
  sim.grow(200, rng, false);
  const community_id c = sim.community();
  ASSERT_TRUE(sim.host().checkpoint_all().ok());
  auto meta = decode_state_meta(**sim.db().get_view(state_meta_key(c)));
  ASSERT_TRUE(meta.ok());
  ASSERT_GT(meta->chunks, 2u);
  const std::uint32_t named = meta->chunks;

  // A write of the next generation that got through more chunks than the next snapshot will
  // have, and never wrote its meta.
  const std::uint32_t orphans = named + 40;
  for (std::uint32_t i = 0; i < orphans; ++i) {
    std::vector<store::view_change> one{
        {state_chunk_key(c, meta->generation + 1, i), std::string(2048, 'x')}};
    ASSERT_TRUE(sim.db().write_views(one).ok());
  }
  const std::string views = all_views(sim.current());
  {
    state_store states(sim.db(), opts);
    restore_report report;
    auto rep = states.restore(c, &report);
    ASSERT_TRUE(rep.ok());
    EXPECT_TRUE(report.from_snapshot) << report.discarded;
    EXPECT_EQ(all_views((*rep)->current()), views);
  }
  // Only the named generation is left.
  EXPECT_EQ(chunk_count(sim.db(), c), named);

  // The next snapshot is that generation, complete.
  sim.grow(60, rng, false);
  ASSERT_TRUE(sim.host().checkpoint_all().ok());
  auto next = decode_state_meta(**sim.db().get_view(state_meta_key(c)));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->generation, meta->generation + 1);
  EXPECT_EQ(chunk_count(sim.db(), c), next->chunks);
  {
    state_store states(sim.db(), opts);
    restore_report report;
    auto rep = states.restore(c, &report);
    ASSERT_TRUE(rep.ok());
    EXPECT_TRUE(report.from_snapshot) << report.discarded;
    EXPECT_EQ(all_views((*rep)->current()), all_views(full_replay(sim.db(), c)->current()));
  }
  state_store states(sim.db(), opts);
  ASSERT_TRUE(states.discard(c).ok());
  EXPECT_EQ(chunk_count(sim.db(), c), 0u);
  EXPECT_FALSE(sim.db().get_view(state_meta_key(c))->has_value());
}

TEST(state_write_test, a_long_tail_at_start_is_persisted_by_the_next_absorb_not_by_restore) {
  zwerm::testing::temp_dir dir;
  std::mt19937_64 rng(22);
  state_store_options opts;
  opts.replayer.persist_interval = 50;
  opts.chunk_bytes = 4096;
  community_id c;
  std::uint64_t generation = 0;
  {
    state_sim sim(dir.path(), opts);
    sim.setup();
    sim.grow(100, rng, false);
    c = sim.community();
    ASSERT_TRUE(sim.host().checkpoint_all().ok());
    generation = decode_state_meta(**sim.db().get_view(state_meta_key(c)))->generation;
    // 120 records committed that the host never absorbs (as after a crash before it could).
    for (int k = 0; k < 120; ++k) {
      sim.commit_only(sim.make_member_record(
          k % 3, "request", {{"title", "t"}, {"body", "b"}, {"tags", {"topic1"}}}, false));
    }
    sim.close();  // the host's state is not ahead of its snapshot: nothing written
  }
  auto meta_generation = [&](store::store& db) {
    return decode_state_meta(**db.get_view(state_meta_key(c)))->generation;
  };
  {
    auto db = store::store::open(dir.path() / "db");
    ASSERT_TRUE(db.ok());
    EXPECT_EQ(meta_generation(**db), generation);
    state_store states(**db, opts);
    restore_report report;
    auto rep = states.restore(c, &report);
    ASSERT_TRUE(rep.ok());
    EXPECT_TRUE(report.from_snapshot) << report.discarded;
    EXPECT_EQ(report.replayed, 120u);
    EXPECT_FALSE(report.persisted);
    EXPECT_EQ(meta_generation(**db), generation);
    EXPECT_TRUE((*rep)->persist_due());
  }
  state_sim sim(dir.path(), opts);
  EXPECT_EQ(meta_generation(sim.db()), generation);
  sim.member_write(0, "request", {{"title", "t"}, {"body", "b"}, {"tags", {"topic2"}}}, false);
  EXPECT_EQ(meta_generation(sim.db()), generation + 1);
  EXPECT_EQ(decode_state_meta(**sim.db().get_view(state_meta_key(c)))->applied,
            sim.current().applied());
}

}  // namespace
}  // namespace zwerm::node
