// Faults and damaged files: a full disk, schema versions, damaged tables and MANIFEST, repair,
// and a second process on the same store.
#include <gtest/gtest.h>

#include <fstream>

#include "store/fault_env.hpp"
#include "store/store.hpp"
#include "store/testing.hpp"
#include "tests/store/synthetic.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::store {
namespace {

using testing::author_named;
using testing::community_named;
using testing::feed_writer;

namespace fs = std::filesystem;

class StoreFaultsTest : public ::testing::Test {
 protected:
  // Fills a store with `feeds` feeds of `per_feed` records, then closes it.
  void fill(int feeds, int per_feed, const options& opts = {}) {
    auto s = store::open(db_, opts);
    ASSERT_TRUE(s.ok()) << s.error().message();
    for (int f = 0; f < feeds; ++f) {
      feed_writer w(c_, author_named("m" + std::to_string(f)));
      std::vector<record_entry> batch;
      for (int i = 0; i < per_feed; ++i) batch.push_back(w.next());
      ASSERT_TRUE((*s)->ingest(batch).ok());
    }
  }

  // `feeds` feeds (authors m0, m1, ...) of `per_feed` records each, feed after feed.
  std::vector<record_entry> records_of(int feeds, int per_feed) {
    std::vector<record_entry> records;
    for (int f = 0; f < feeds; ++f) {
      feed_writer w(c_, author_named("m" + std::to_string(f)));
      for (int i = 0; i < per_feed; ++i) records.push_back(w.next());
    }
    return records;
  }

  std::vector<fs::path> files_ending(const std::string& ext) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(db_)) {
      if (e.path().extension() == ext) out.push_back(e.path());
    }
    return out;
  }

  zwerm::testing::temp_dir home_{"zwerm-faults"};
  fs::path db_ = home_.path() / "db";
  community_id c_ = community_named("garden");
};

TEST_F(StoreFaultsTest, AFullDiskFailsTheBatchCleanlyAndReadsKeepWorking) {
  auto env = fault_env::create();
  options opts;
  opts.env = env;
  auto s = store::open(db_, opts);
  ASSERT_TRUE(s.ok()) << s.error().message();
  feed_writer w(c_, author_named("ada"));
  auto r1 = w.next(), r2 = w.next(), r3 = w.next();
  ASSERT_TRUE((*s)->ingest(std::vector{r1}).ok());
  const auto digest = *(*s)->frontier_digest(c_);

  env->set_disk_full(true);
  auto r = (*s)->ingest(std::vector{r2, r3}, std::vector<view_change>{{"k", "v"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), status_code::io_error);
  EXPECT_NE(r.error().message().find("No space left on device"), std::string::npos);
  EXPECT_NE(r.error().message().find("nothing of this batch was stored"), std::string::npos);
  EXPECT_GT(env->failed_writes(), 0u);

  // Reads keep working and show nothing of the failed batch.
  EXPECT_TRUE(*(*s)->contains(r1.id));
  EXPECT_FALSE(*(*s)->contains(r2.id));
  EXPECT_EQ((*(*s)->head(c_, author_named("ada")))->seq, 1u);
  EXPECT_EQ(*(*s)->frontier_digest(c_), digest);
  EXPECT_FALSE((*s)->get_view("k")->has_value());

  // The store reopens itself once there is room again: until then it refuses writes.
  auto still_full = (*s)->ingest(std::vector{r2});
  ASSERT_FALSE(still_full.ok());
  EXPECT_NE(still_full.error().message().find("stopped accepting writes"), std::string::npos);
  EXPECT_NE(still_full.error().message().find("no restart needed"), std::string::npos);
  EXPECT_EQ((*s)->put_peer({"127.0.0.1:1", "x"}).code(), status_code::io_error);
  EXPECT_EQ((*s)->write_views(std::vector<view_change>{{"k", "v"}}).code(), status_code::io_error);
  EXPECT_TRUE(*(*s)->contains(r1.id));
  env->set_disk_full(false);
  s->reset();

  auto reopened = store::open(db_, opts);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message();
  EXPECT_TRUE((*reopened)->check().ok()) << (*reopened)->check().message();
  EXPECT_FALSE(*(*reopened)->contains(r2.id));
  auto ok = (*reopened)->ingest(std::vector{r2, r3});
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ(ok->appended.size(), 2u);
  EXPECT_TRUE((*reopened)->check().ok()) << (*reopened)->check().message();
}

// A full disk that is freed again while the store stays open: the next write reopens the
// database (LevelDB keeps refusing writes after a failed one until then) and goes through,
// with everything written before the failure still there.
TEST_F(StoreFaultsTest, WritesResumeWithoutARestartOnceSpaceIsBack) {
  auto env = fault_env::create();
  options opts;
  opts.env = env;
  opts.reopen_interval = std::chrono::milliseconds(0);
  auto s = store::open(db_, opts);
  ASSERT_TRUE(s.ok()) << s.error().message();
  feed_writer w(c_, author_named("ada"));
  auto r1 = w.next(), r2 = w.next(), r3 = w.next(), r4 = w.next();
  ASSERT_TRUE((*s)->ingest(std::vector{r1}).ok());

  env->set_disk_full(true);
  ASSERT_FALSE((*s)->ingest(std::vector{r2}).ok());
  // Still full: each write tries to reopen, finds no room and refuses; reads go on.
  for (int i = 0; i < 3; ++i) {
    auto again = (*s)->ingest(std::vector{r2});
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code(), status_code::io_error);
    EXPECT_TRUE(*(*s)->contains(r1.id));
  }

  env->set_disk_full(false);
  auto resumed = (*s)->ingest(std::vector{r2, r3});
  ASSERT_TRUE(resumed.ok()) << resumed.error().message();
  EXPECT_EQ(resumed->appended.size(), 2u);
  EXPECT_TRUE((*s)->write_views(std::vector<view_change>{{"k", "v"}}).ok());
  EXPECT_EQ((*(*s)->head(c_, author_named("ada")))->seq, 3u);
  EXPECT_EQ(**(*s)->get_view("k"), "v");
  EXPECT_TRUE((*s)->check().ok()) << (*s)->check().message();

  // And the reopened database is the one a restart finds.
  ASSERT_TRUE((*s)->ingest(std::vector{r4}).ok());
  s->reset();
  auto after = store::open(db_, opts);
  ASSERT_TRUE(after.ok()) << after.error().message();
  EXPECT_EQ((*(*after)->head(c_, author_named("ada")))->seq, 4u);
  EXPECT_TRUE((*after)->check().ok()) << (*after)->check().message();
}

// A reader that holds a cursor keeps the database it reads: the reopen waits for it (the
// write is refused meanwhile, never blocked), and the cursor reads on undisturbed.
TEST_F(StoreFaultsTest, AReopenWaitsForOpenCursorsAndNeverBlocksAWrite) {
  auto env = fault_env::create();
  options opts;
  opts.env = env;
  opts.reopen_interval = std::chrono::milliseconds(0);
  auto s = store::open(db_, opts);
  ASSERT_TRUE(s.ok()) << s.error().message();
  feed_writer w(c_, author_named("ada"));
  auto r1 = w.next(), r2 = w.next(), r3 = w.next();
  ASSERT_TRUE((*s)->ingest(std::vector{r1, r2}).ok());
  env->set_disk_full(true);
  ASSERT_FALSE((*s)->ingest(std::vector{r3}).ok());
  env->set_disk_full(false);

  {
    auto cursor = (*s)->read_feed(c_, author_named("ada"), 1);
    ASSERT_TRUE(cursor.valid());
    auto refused = (*s)->ingest(std::vector{r3});
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message().find("stopped accepting writes"), std::string::npos);
    cursor.next();
    ASSERT_TRUE(cursor.valid()) << cursor.error().message();
    EXPECT_EQ(cursor.entry().id, r2.id);
    cursor.next();
    EXPECT_FALSE(cursor.valid());
    EXPECT_TRUE(cursor.error().ok()) << cursor.error().message();
  }
  auto ok = (*s)->ingest(std::vector{r3});
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_TRUE((*s)->check().ok()) << (*s)->check().message();
}

TEST_F(StoreFaultsTest, AFullDiskAtOpenIsAClearError) {
  auto env = fault_env::create();
  env->set_disk_full(true);
  options opts;
  opts.env = env;
  auto s = store::open(db_, opts);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), status_code::io_error);
  EXPECT_NE(s.error().message().find("No space left on device"), std::string::npos);
}

TEST_F(StoreFaultsTest, TheInMemoryEnvironmentWorksLikeTheDisk) {
  options opts;
  opts.env = fault_env::create_in_memory();
  {
    auto s = store::open("/zwerm-mem/db", opts);
    ASSERT_TRUE(s.ok()) << s.error().message();
    feed_writer w(c_, author_named("ada"));
    ASSERT_TRUE((*s)->ingest(std::vector{w.next(), w.next()}).ok());
  }
  auto s = store::open("/zwerm-mem/db", opts);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ((*(*s)->head(c_, author_named("ada")))->seq, 2u);
  EXPECT_FALSE(fs::exists("/zwerm-mem"));
}

TEST_F(StoreFaultsTest, AStoreFromANewerZwermIsRefused) {
  fill(1, 1);
  ASSERT_TRUE(testing::set_schema(db_, schema_version + 1).ok());
  auto s = store::open(db_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), status_code::unsupported);
  EXPECT_NE(s.error().message().find("newer zwerm"), std::string::npos);
  EXPECT_FALSE(store::repair(db_).ok());  // repair does not touch it either
}

TEST_F(StoreFaultsTest, ASchema1StoreIsMigrated) {
  const std::vector<record_entry> records = records_of(30, 3);
  ASSERT_TRUE(testing::write_v1_store(db_, records).ok());

  // The same records ingested into a fresh store give the reference digests.
  zwerm::testing::temp_dir fresh_home("zwerm-fresh");
  auto fresh = store::open(fresh_home.path() / "db");
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE((*fresh)->ingest(records).ok());

  auto s = store::open(db_);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_TRUE((*s)->check().ok()) << (*s)->check().message();
  EXPECT_EQ(*(*s)->frontier_digest(c_), *(*fresh)->frontier_digest(c_));
  ASSERT_EQ((*s)->communities()->size(), 1u);
  EXPECT_EQ((*(*s)->communities())[0].records, 90u);
  // And it goes on as a current store.
  feed_writer w(c_, author_named("m0"));
  auto h = *(*(*s)->head(c_, author_named("m0")));
  w.resume(h.seq, h.id, h.lamport);
  auto r = (*s)->ingest(std::vector{w.next()});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->appended.size(), 1u);
}

// Schema 2 kept records by id with a feed index beside them; schema 3 keeps them by feed
// position with an id index. 12,000 records make the migration write several bounded chunks.
TEST_F(StoreFaultsTest, ASchema2StoreIsMigratedToRecordsKeptByFeedPosition) {
  const std::vector<record_entry> records = records_of(400, 30);
  ASSERT_TRUE(testing::write_v2_store(db_, records).ok());
  zwerm::testing::temp_dir fresh_home("zwerm-fresh");
  auto fresh = store::open(fresh_home.path() / "db");
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE((*fresh)->ingest(records).ok());
  {
    auto s = store::open(db_);
    ASSERT_TRUE(s.ok()) << s.error().message();
    EXPECT_TRUE((*s)->check().ok()) << (*s)->check().message();
    EXPECT_EQ(*(*s)->frontier_digest(c_), *(*fresh)->frontier_digest(c_));
    EXPECT_EQ((*(*s)->communities())[0].records, 12'000u);
    // Every record by id, and a feed read in order.
    for (std::size_t i = 0; i < records.size(); i += 997) {
      auto got = (*s)->get(records[i].id);
      ASSERT_TRUE(got.ok()) << got.error().message();
      EXPECT_EQ(got->bytes, records[i].bytes);
      EXPECT_EQ(got->seq, records[i].seq);
      EXPECT_EQ(got->prev, records[i].prev);
    }
    auto cur = (*s)->read_feed(c_, author_named("m7"), 29);
    ASSERT_TRUE(cur.valid());
    EXPECT_EQ(cur.entry().id, records[7 * 30 + 28].id);
    cur.next();
    ASSERT_TRUE(cur.valid());
    EXPECT_EQ(cur.entry().seq, 30u);
    cur.next();
    EXPECT_FALSE(cur.valid());
    EXPECT_TRUE(cur.error().ok());
    std::uint64_t in_order = 0;
    for (auto o = (*s)->read_order(c_); o.valid(); o.next()) {
      ASSERT_NE(o.entry(), nullptr);
      ++in_order;
    }
    EXPECT_EQ(in_order, 12'000u);
  }
  // Nothing of the old layout is left.
  EXPECT_EQ(*testing::count_rows(db_, 'R'), 0u);
  EXPECT_EQ(*testing::count_rows(db_, 'S'), 0u);
  EXPECT_EQ(*testing::count_rows(db_, 'L'), 12'000u);
  EXPECT_EQ(*testing::count_rows(db_, 'I'), 12'000u);
}

TEST_F(StoreFaultsTest, AMigrationStoppedWhileDeletingOldRowsFinishesAtTheNextOpen) {
  const std::vector<record_entry> records = records_of(5, 4);
  {
    auto s = store::open(db_);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->ingest(records).ok());
  }
  ASSERT_TRUE(testing::leave_v2_rows(db_, records).ok());
  ASSERT_EQ(*testing::count_rows(db_, 'R'), 20u);
  {
    auto s = store::open(db_);
    ASSERT_TRUE(s.ok()) << s.error().message();
    EXPECT_TRUE((*s)->check().ok()) << (*s)->check().message();  // O holds no ids any more
    EXPECT_EQ((*(*s)->communities())[0].records, 20u);
  }
  EXPECT_EQ(*testing::count_rows(db_, 'R'), 0u);
  EXPECT_EQ(*testing::count_rows(db_, 'S'), 0u);
}

TEST_F(StoreFaultsTest, RepairOfASchema2StoreMovesItsRecordsToTheCurrentLayout) {
  std::vector<record_entry> records;
  feed_writer w(c_, author_named("ada"));
  for (int i = 0; i < 6; ++i) records.push_back(w.next());
  ASSERT_TRUE(testing::write_v2_store(db_, records).ok());
  ASSERT_TRUE(testing::drop_table(db_, 'S').ok());  // its feed index is lost
  auto summary = store::repair(db_);
  ASSERT_TRUE(summary.ok()) << summary.error().message();
  EXPECT_NE(summary->find("6 records in 1 feeds"), std::string::npos) << *summary;
  auto s = store::open(db_);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE((*s)->check().ok()) << (*s)->check().message();
  EXPECT_EQ((*(*s)->head(c_, author_named("ada")))->seq, 6u);
}

TEST_F(StoreFaultsTest, CheckFindsLostIndexesAndRepairRebuildsThem) {
  fill(12, 5);
  {
    // A pending record and a fork proof must survive repair.
    auto s = store::open(db_);
    ASSERT_TRUE(s.ok());
    feed_writer w(c_, author_named("late"));
    auto r1 = w.next();
    w.next();
    auto r3 = w.next();
    ASSERT_TRUE((*s)->ingest(std::vector{r1, r3}).ok());
    auto m0 = author_named("m0");
    auto other = testing::make_entry(c_, m0, 1, std::nullopt, 1, "fork");
    ASSERT_EQ((*s)->ingest(std::vector{other})->outcomes[0].kind, outcome::forked);
  }
  for (char table : {'O', 'H', 'B', 'Q'}) {
    ASSERT_TRUE(testing::drop_table(db_, table).ok());
  }
  {
    auto s = store::open(db_);
    ASSERT_TRUE(s.ok()) << s.error().message();
    auto c = (*s)->check();
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.code(), status_code::corruption);
    EXPECT_NE(c.message().find("total-order"), std::string::npos);
    EXPECT_NE(c.message().find("zwermd repair --home"), std::string::npos);
  }
  auto summary = store::repair(db_);
  ASSERT_TRUE(summary.ok()) << summary.error().message();
  EXPECT_NE(summary->find("61 records"), std::string::npos) << *summary;
  EXPECT_NE(summary->find("1 records wait"), std::string::npos) << *summary;
  EXPECT_NE(summary->find("1 fork proofs"), std::string::npos) << *summary;
  auto s = store::open(db_);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE((*s)->check().ok()) << (*s)->check().message();
  EXPECT_EQ(*(*s)->pending_count(), 1u);
  EXPECT_TRUE((*(*s)->head(c_, author_named("m0")))->forked);
  EXPECT_EQ((*s)->frontier(c_)->size(), 13u);
}

TEST_F(StoreFaultsTest, RepairMovesRecordsAfterALostOneToThePendingArea) {
  auto ada = author_named("ada");
  feed_writer w(c_, ada);
  std::vector<record_entry> feed;
  for (int i = 0; i < 10; ++i) feed.push_back(w.next());
  {
    auto s = store::open(db_);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->ingest(feed).ok());
  }
  ASSERT_TRUE(testing::erase_record(db_, feed[4].id).ok());  // seq 5 is lost
  {
    auto s = store::open(db_);
    ASSERT_TRUE(s.ok());
    EXPECT_FALSE((*s)->check().ok());
  }
  auto summary = store::repair(db_);
  ASSERT_TRUE(summary.ok()) << summary.error().message();
  EXPECT_NE(summary->find("4 records in 1 feeds"), std::string::npos) << *summary;
  EXPECT_NE(summary->find("5 records wait"), std::string::npos) << *summary;
  auto s = store::open(db_);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE((*s)->check().ok()) << (*s)->check().message();
  EXPECT_EQ((*(*s)->head(c_, ada))->seq, 4u);
  // Sync brings seq 5 again: the rest follows from the pending area.
  auto r = (*s)->ingest(std::vector{feed[4]});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->appended.size(), 6u);
  EXPECT_EQ((*(*s)->head(c_, ada))->seq, 10u);
  EXPECT_TRUE((*s)->check().ok()) << (*s)->check().message();
}

TEST_F(StoreFaultsTest, ATruncatedTableFileIsReportedWithTheRepairCommand) {
  fill(50, 20);
  {
    auto s = store::open(db_);  // a compaction writes the memtable into table files
    ASSERT_TRUE(s.ok());
  }
  // Reopening flushed the log into a table; make sure there is one and cut it short.
  auto tables = files_ending(".ldb");
  ASSERT_FALSE(tables.empty());
  const auto size = fs::file_size(tables[0]);
  fs::resize_file(tables[0], size / 2);

  auto s = store::open(db_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), status_code::corruption);
  EXPECT_NE(s.error().message().find("zwermd repair --home " + home_.path().string()),
            std::string::npos)
      << s.error().message();

  auto summary = store::repair(db_);
  ASSERT_TRUE(summary.ok()) << summary.error().message();
  EXPECT_NE(summary->find("LevelDB salvaged"), std::string::npos) << *summary;
  auto repaired = store::open(db_);
  ASSERT_TRUE(repaired.ok()) << repaired.error().message();
  EXPECT_TRUE((*repaired)->check().ok()) << (*repaired)->check().message();
}

TEST_F(StoreFaultsTest, ADamagedManifestIsReportedWithTheRepairCommand) {
  fill(20, 10);
  fs::path manifest;
  for (const auto& e : fs::directory_iterator(db_)) {
    if (e.path().filename().string().starts_with("MANIFEST-")) manifest = e.path();
  }
  ASSERT_FALSE(manifest.empty());
  {
    std::fstream f(manifest, std::ios::in | std::ios::out | std::ios::binary);
    std::string junk(64, '\x5a');
    f.seekp(0);
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto s = store::open(db_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), status_code::corruption);
  EXPECT_NE(s.error().message().find("zwermd repair"), std::string::npos) << s.error().message();

  auto summary = store::repair(db_);
  ASSERT_TRUE(summary.ok()) << summary.error().message();
  auto repaired = store::open(db_);
  ASSERT_TRUE(repaired.ok()) << repaired.error().message();
  EXPECT_TRUE((*repaired)->check().ok()) << (*repaired)->check().message();
  EXPECT_EQ((*(*repaired)->communities())[0].records, 200u);
}

TEST_F(StoreFaultsTest, ASecondProcessIsRefusedWithAClearMessage) {
  fill(1, 1);
  auto s = store::open(db_);
  ASSERT_TRUE(s.ok());
  // Run to completion (killed by pid after 20 s should it hang); stdout carries the message.
  const auto r =
      zwerm::testing::run_program({STORE_CRASH_CHILD, "try-open", db_.string()}, home_.path());
  ASSERT_FALSE(r.timed_out) << r.err;
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("another zwermd is using " + db_.string()), std::string::npos) << r.out;
}

TEST_F(StoreFaultsTest, OpeningWithoutCreateReportsAMissingStore) {
  options opts;
  opts.create_if_missing = false;
  auto s = store::open(db_, opts);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), status_code::not_found);
}

}  // namespace
}  // namespace zwerm::store
