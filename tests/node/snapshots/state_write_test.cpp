// state_store's snapshot files: the files of an interrupted write (a crash between the file's
// rename and the meta's write, or before the rename) are named by no meta, so restore ignores
// them and removes them, and discard() leaves nothing behind.
#include <gtest/gtest.h>

#include <fstream>

#include "node/daemon/state_store.hpp"
#include "tests/node/snapshots/state_sim.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::node {
namespace {

using testing::all_views;
using testing::full_replay;
using testing::state_sim;

// The names of the snapshot directory's files.
std::vector<std::string> snapshot_files(store::store& db) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(state_snapshot_dir(db.dir()), ec)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void write_garbage(const std::filesystem::path& file, std::size_t n) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << std::string(n, 'x');
  ASSERT_TRUE(out.good());
}

TEST(StateWriteTest, FilesOfAnInterruptedWriteAreIgnoredAndRemovedAtRestore) {
  zwerm::testing::temp_dir dir;
  std::mt19937_64 rng(21);
  state_store_options opts;
  opts.replayer.persist_interval = 1'000'000;  // snapshots only when the test asks
  state_sim sim(dir.path(), opts);
  sim.setup();
  sim.grow(200, rng, false);
  const community_id c = sim.community();
  ASSERT_TRUE(sim.host().checkpoint_all().ok());
  auto meta = decode_state_meta(**sim.db().get_view(state_meta_key(c)));
  ASSERT_TRUE(meta.ok());
  const std::string named = state_snapshot_file(sim.db().dir(), c, meta->generation).filename();
  ASSERT_EQ(snapshot_files(sim.db()), std::vector<std::string>{named});

  // A write of the next generation renamed but never named by a meta, and one of the
  // generation after it cut short before its rename.
  const auto next_file = state_snapshot_file(sim.db().dir(), c, meta->generation + 1);
  write_garbage(next_file, 5000);
  write_garbage(state_snapshot_file(sim.db().dir(), c, meta->generation + 2).string() + ".tmp",
                300);
  // Another community's file is not this community's business.
  community_id other;
  other.bytes[0] = 1;
  const auto other_file = state_snapshot_file(sim.db().dir(), other, 1);
  write_garbage(other_file, 10);
  const std::string views = all_views(sim.current());
  {
    state_store states(sim.db(), opts);
    restore_report report;
    auto rep = states.restore(c, &report);
    ASSERT_TRUE(rep.ok());
    EXPECT_TRUE(report.from_snapshot) << report.discarded;
    EXPECT_EQ(report.replayed, 0u);
    EXPECT_EQ(all_views((*rep)->current()), views);
  }
  // Only the named generation is left (and the other community's file).
  auto left = std::vector<std::string>{named, other_file.filename().string()};
  std::sort(left.begin(), left.end());
  EXPECT_EQ(snapshot_files(sim.db()), left);

  // The next snapshot is that generation, complete; the previous file is removed.
  sim.grow(60, rng, false);
  ASSERT_TRUE(sim.host().checkpoint_all().ok());
  auto next = decode_state_meta(**sim.db().get_view(state_meta_key(c)));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->generation, meta->generation + 1);
  EXPECT_EQ(std::filesystem::file_size(next_file), next->bytes);
  left = {next_file.filename().string(), other_file.filename().string()};
  std::sort(left.begin(), left.end());
  EXPECT_EQ(snapshot_files(sim.db()), left);
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
  EXPECT_EQ(snapshot_files(sim.db()), std::vector<std::string>{other_file.filename().string()});
  EXPECT_FALSE(sim.db().get_view(state_meta_key(c))->has_value());
}

TEST(StateWriteTest, ASnapshotFileThatCannotBeWrittenLeavesThePreviousOneInUse) {
  zwerm::testing::temp_dir dir;
  std::mt19937_64 rng(23);
  state_store_options opts;
  opts.replayer.persist_interval = 1'000'000;
  state_sim sim(dir.path(), opts);
  sim.setup();
  sim.grow(100, rng, false);
  const community_id c = sim.community();
  ASSERT_TRUE(sim.host().checkpoint_all().ok());
  const auto before = decode_state_meta(**sim.db().get_view(state_meta_key(c)));
  ASSERT_TRUE(before.ok());
  // The next generation's temporary name is taken by a directory: its write fails.
  const auto blocked = state_snapshot_file(sim.db().dir(), c, before->generation + 1).string();
  std::filesystem::create_directories(blocked + ".tmp");
  write_garbage(blocked + ".tmp/keep", 1);  // not empty, so that no cleanup removes it
  sim.grow(30, rng, false);
  state_store states(sim.db(), opts);
  auto rep = states.restore(c);
  ASSERT_TRUE(rep.ok());
  status st = states.checkpoint(c, **rep);
  EXPECT_EQ(st.code(), status_code::io_error);
  EXPECT_NE(st.message().find("state snapshot"), std::string::npos) << st.message();
  // The meta still names the previous, complete snapshot, which a restore uses.
  const auto after = decode_state_meta(**sim.db().get_view(state_meta_key(c)));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->generation, before->generation);
  std::filesystem::remove_all(blocked + ".tmp");
  state_store again(sim.db(), opts);
  restore_report report;
  auto restored = again.restore(c, &report);
  ASSERT_TRUE(restored.ok());
  EXPECT_TRUE(report.from_snapshot) << report.discarded;
  EXPECT_EQ(all_views((*restored)->current()), all_views(full_replay(sim.db(), c)->current()));
}

TEST(StateWriteTest, ALongTailAtStartIsPersistedByTheNextAbsorbNotByRestore) {
  zwerm::testing::temp_dir dir;
  std::mt19937_64 rng(22);
  state_store_options opts;
  opts.replayer.persist_interval = 50;
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
