// Community state on disk (node/daemon/state_store.hpp): restart equals before, damaged or
// unknown snapshots are discarded and rebuilt, late records before the snapshot's head.
#include "node/daemon/state_store.hpp"

#include <gtest/gtest.h>
#include <snappy.h>

#include <fstream>

#include "base/checksum.hpp"
#include "node/community/snapshot.hpp"
#include "node/community/snapshot_io.hpp"
#include "tests/node/snapshots/state_sim.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::node {
namespace {

using testing::all_views;
using testing::full_replay;
using testing::state_sim;

state_store_options small_snapshots() {
  state_store_options o;
  o.replayer.persist_interval = 60;
  return o;
}

std::string snapshot_of(const community::state& s) {
  return community::encode_snapshot(s);
}

std::uint64_t stored_records(store::store& db, const community_id& c) {
  auto listed = db.communities();
  EXPECT_TRUE(listed.ok());
  for (const auto& x : *listed) {
    if (x.id == c) return x.records;
  }
  return 0;
}

TEST(StateStoreTest, MetaRoundTripsAndRefusesOtherVersionsAndLengths) {
  persisted_state m;
  m.generation = 7;
  m.encoding = snapshot_encoding::snappy;
  m.bytes = 9000;
  m.checksum = 0x0123456789abcdefULL;
  m.applied = 1234;
  m.head = community::position{99, testing::member_key(4).pk, 12};
  const std::string bytes = encode_state_meta(m);
  auto back = decode_state_meta(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->generation, 7u);
  EXPECT_EQ(back->encoding, snapshot_encoding::snappy);
  EXPECT_EQ(back->checksum, 0x0123456789abcdefULL);
  EXPECT_EQ(back->bytes, 9000u);
  EXPECT_EQ(back->applied, 1234u);
  EXPECT_EQ(back->head, m.head);

  EXPECT_EQ(bytes.size(), 110u);
  EXPECT_EQ(bytes[0], 2);

  std::string other = bytes;
  other[0] = 1;  // version 1: the snapshot lived in the views table
  EXPECT_EQ(decode_state_meta(other).error().code(), status_code::unsupported);
  EXPECT_EQ(decode_state_meta(bytes.substr(0, 50)).error().code(), status_code::corruption);
  EXPECT_EQ(decode_state_meta("").error().code(), status_code::corruption);
  std::string bad_flag = bytes;
  bad_flag[1 + 8 + 4 + 8 + 8] = 2;  // has_head
  EXPECT_EQ(decode_state_meta(bad_flag).error().code(), status_code::corruption);
}

TEST(StateStoreTest, RestartRestoresByteIdenticalViewsFromTheSnapshot) {
  zwerm::testing::temp_dir dir;
  std::mt19937_64 rng(11);
  state_sim sim(dir.path(), small_snapshots());
  sim.setup();
  sim.grow(700, rng);
  const community_id c = sim.community();
  const std::string views_before = all_views(sim.current());
  const std::string snap_before = snapshot_of(sim.current());
  const std::uint64_t applied_before = sim.current().applied();
  sim.close();

  // The snapshot written at close covers every record: nothing is replayed.
  {
    auto db = store::store::open(dir.path() / "db");
    ASSERT_TRUE(db.ok());
    state_store states(**db, small_snapshots());
    restore_report report;
    auto rep = states.restore(c, &report);
    ASSERT_TRUE(rep.ok()) << rep.error().message();
    EXPECT_TRUE(report.from_snapshot);
    EXPECT_TRUE(report.discarded.empty()) << report.discarded;
    EXPECT_EQ(report.replayed, 0u);
    EXPECT_FALSE(report.persisted);
    ASSERT_TRUE(states.persisted(c).has_value());
    EXPECT_EQ(std::filesystem::file_size(
                  state_snapshot_file((*db)->dir(), c, states.persisted(c)->generation)),
              states.persisted(c)->bytes);
    EXPECT_EQ((*rep)->current().applied(), applied_before);
    EXPECT_EQ(all_views((*rep)->current()), views_before);
    EXPECT_EQ(snapshot_of((*rep)->current()), snap_before);
    // And both equal the state rebuilt from the log alone.
    auto full = full_replay(**db, c);
    EXPECT_EQ(all_views(full->current()), views_before);
    EXPECT_EQ(snapshot_of(full->current()), snap_before);
  }

  // Through the host again: same views, and it keeps working (writes go on from there).
  sim.open();
  EXPECT_EQ(all_views(sim.current()), views_before);
  sim.grow(50, rng);
  EXPECT_EQ(snapshot_of(sim.current()), snapshot_of(full_replay(sim.db(), c)->current()));
}

// Restores `c` from the store in `dir` with a fresh state_store and checks it against a full
// replay of the log. Returns the report.
restore_report restore_and_compare(const std::filesystem::path& dir, const community_id& c,
                                   const state_store_options& opts) {
  auto db = store::store::open(dir / "db");
  EXPECT_TRUE(db.ok()) << db.error().message();
  if (!db.ok()) return {};
  state_store states(**db, opts);
  restore_report report;
  auto rep = states.restore(c, &report);
  EXPECT_TRUE(rep.ok()) << rep.error().message();
  if (!rep.ok()) return report;
  auto full = full_replay(**db, c);
  EXPECT_EQ((*rep)->current().applied(), stored_records(**db, c));
  EXPECT_EQ(all_views((*rep)->current()), all_views(full->current()));
  EXPECT_EQ(snapshot_of((*rep)->current()), snapshot_of(full->current()));
  return report;
}

TEST(StateStoreTest, RecordsCommittedAfterTheSnapshotAreReplayedOnRestore) {
  zwerm::testing::temp_dir dir;
  std::mt19937_64 rng(12);
  auto opts = small_snapshots();
  opts.replayer.persist_interval = 1'000'000;  // only the snapshots of open and checkpoint
  community_id c;
  {
    state_sim sim(dir.path(), opts);
    sim.setup();
    sim.grow(200, rng, /*late=*/false);
    c = sim.community();
    ASSERT_TRUE(sim.host().checkpoint_all().ok());
    // 40 records committed behind the host's back: as if the node died after their commit,
    // before its state caught up. The close writes no snapshot (the state did not move).
    for (int k = 0; k < 40; ++k) {
      sim.commit_only(sim.make_member_record(static_cast<std::size_t>(k % 3), "request",
                                             {{"title", "t"}, {"body", "b"}, {"tags", {"x"}}},
                                             false));
    }
    sim.close();
  }
  restore_report report = restore_and_compare(dir.path(), c, opts);
  EXPECT_TRUE(report.from_snapshot);
  EXPECT_EQ(report.replayed, 40u);
}

TEST(StateStoreTest, ALateRecordCommittedBehindTheHostsBackMakesTheSnapshotStale) {
  zwerm::testing::temp_dir dir;
  std::mt19937_64 rng(14);
  const auto opts = small_snapshots();
  community_id c;
  {
    state_sim sim(dir.path(), opts);
    sim.setup();
    sim.grow(150, rng);
    for (int k = 0; k < 5; ++k) {
      sim.a_write("request", {{"title", "a"}, {"body", "b"}, {"tags", {"y"}}});
    }
    c = sim.community();
    ASSERT_TRUE(sim.host().checkpoint_all().ok());
    const auto head = sim.current().head();
    // Member 0's next record, with a lamport right after its own head: before the snapshot's.
    record late = sim.make_member_record(0, "contribution",
                                         {{"kind", "help"},
                                          {"title", "late"},
                                          {"body", "b"},
                                          {"tags", {"late"}},
                                          {"answers", nullptr},
                                          {"circle", nullptr}},
                                         true);
    ASSERT_LT(community::position_of(late), *head);
    ASSERT_EQ(sim.commit_only(late).size(), 1u);
    sim.close();  // the host's state lacks the record, so its snapshot is "up to date"
  }
  restore_report report = restore_and_compare(dir.path(), c, opts);
  EXPECT_FALSE(report.from_snapshot);
  EXPECT_NE(report.discarded.find("stale"), std::string::npos) << report.discarded;
  EXPECT_TRUE(report.persisted);
  // The rebuilt state was persisted: the next restore uses it.
  report = restore_and_compare(dir.path(), c, opts);
  EXPECT_TRUE(report.from_snapshot);
  EXPECT_EQ(report.replayed, 0u);
}

TEST(StateStoreTest, ALateRecordAbsorbedByTheHostErasesTheSnapshotThenANewOneFollows) {
  zwerm::testing::temp_dir dir;
  std::mt19937_64 rng(15);
  auto opts = small_snapshots();
  opts.replayer.persist_interval = 1'000'000;
  community_id c;
  std::string views;
  {
    state_sim sim(dir.path(), opts);
    sim.setup();
    sim.grow(150, rng, false);
    for (int k = 0; k < 5; ++k) {
      sim.a_write("request", {{"title", "a"}, {"body", "b"}, {"tags", {"y"}}});
    }
    c = sim.community();
    ASSERT_TRUE(sim.host().checkpoint_all().ok());
    ASSERT_TRUE(sim.db().get_view(state_meta_key(c))->has_value());
    const auto head = sim.current().head();
    record late = sim.make_member_record(
        1, "thanks", {{"contribution", crypto::to_text(c)}, {"note", "x"}}, true);
    ASSERT_LT(community::position_of(late), *head);
    sim.commit_and_absorb(late);
    // The snapshot lacked a record before its head: erased at once.
    EXPECT_FALSE(sim.db().get_view(state_meta_key(c))->has_value());
    // A crash now costs a full replay, which gives the right state.
    views = all_views(sim.current());
    sim.close();  // the clean close writes the new snapshot
  }
  restore_report report = restore_and_compare(dir.path(), c, opts);
  EXPECT_TRUE(report.from_snapshot);
  EXPECT_EQ(report.replayed, 0u);
  auto db = store::store::open(dir.path() / "db");
  ASSERT_TRUE(db.ok());
  state_store states(**db, opts);
  auto rep = states.restore(c);
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(all_views((*rep)->current()), views);
}

// Builds a community with a persisted snapshot, damages it with `damage`, and checks that
// restore discards it with a reason containing `why`, rebuilds an equal state and persists it.
void damaged_snapshot_is_rebuilt(
    const std::function<void(store::store&, const community_id&, const persisted_state&)>& damage,
    const std::string& why) {
  // The file of the meta's generation, as damage() finds it.
  zwerm::testing::temp_dir dir;
  std::mt19937_64 rng(16);
  const auto opts = small_snapshots();
  community_id c;
  {
    state_sim sim(dir.path(), opts);
    sim.setup();
    sim.grow(300, rng);
    c = sim.community();
    sim.close();
  }
  {
    auto db = store::store::open(dir.path() / "db");
    ASSERT_TRUE(db.ok());
    auto meta = (*db)->get_view(state_meta_key(c));
    ASSERT_TRUE(meta.ok() && meta->has_value());
    auto m = decode_state_meta(**meta);
    ASSERT_TRUE(m.ok());
    ASSERT_GT(m->bytes, 4000u);
    damage(**db, c, *m);
  }
  restore_report report = restore_and_compare(dir.path(), c, opts);
  EXPECT_FALSE(report.from_snapshot);
  EXPECT_NE(report.discarded.find(why), std::string::npos) << report.discarded;
  EXPECT_TRUE(report.persisted);
  report = restore_and_compare(dir.path(), c, opts);
  EXPECT_TRUE(report.from_snapshot) << report.discarded;
  // Only the new generation's file is left.
  auto db = store::store::open(dir.path() / "db");
  ASSERT_TRUE(db.ok());
  auto meta = decode_state_meta(**(*db)->get_view(state_meta_key(c)));
  ASSERT_TRUE(meta.ok());
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(state_snapshot_dir((*db)->dir()))) {
    files.push_back(e.path());
  }
  EXPECT_EQ(files, std::vector<std::filesystem::path>{
                       state_snapshot_file((*db)->dir(), c, meta->generation)});
  // Nor any chunk of a version 1 snapshot in the views table.
  EXPECT_TRUE((*db)->scan_views(state_meta_key(c).substr(0, 7 + 32) + "/d")->empty());
}

// Rewrites the snapshot file of `m`'s generation with `bytes`.
void rewrite_file(store::store& db, const community_id& c, const persisted_state& m,
                  const std::string& bytes) {
  std::ofstream out(state_snapshot_file(db.dir(), c, m.generation),
                    std::ios::binary | std::ios::trunc);
  out << bytes;
  ASSERT_TRUE(out.good());
}

std::string read_file(store::store& db, const community_id& c, const persisted_state& m) {
  std::ifstream in(state_snapshot_file(db.dir(), c, m.generation), std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The snapshot bytes the file of `m` holds, decompressed as its meta says.
std::string read_snapshot(store::store& db, const community_id& c, const persisted_state& m) {
  const std::string file = read_file(db, c, m);
  if (m.encoding == snapshot_encoding::plain) return file;
  EXPECT_EQ(m.encoding, snapshot_encoding::snappy);
  std::string plain;
  EXPECT_TRUE(snappy::Uncompress(file.data(), file.size(), &plain));
  return plain;
}

// Replaces the file of `m`'s generation with `file` and writes a meta that matches it (size,
// checksum, `encoding`), so that only what the file holds can make restore discard it.
void replace_file(store::store& db, const community_id& c, const persisted_state& m,
                  const std::string& file, snapshot_encoding encoding) {
  rewrite_file(db, c, m, file);
  persisted_state fixed = m;
  fixed.encoding = encoding;
  fixed.bytes = file.size();
  fixed.checksum = crypto::xxh64(file);
  std::vector<store::view_change> v{{state_meta_key(c), encode_state_meta(fixed)}};
  ASSERT_TRUE(db.write_views(v).ok());
}

// The same, with the snapshot bytes `plain` compressed as zwermd writes them.
void replace_snapshot(store::store& db, const community_id& c, const persisted_state& m,
                      const std::string& plain) {
  std::string file;
  snappy::Compress(plain.data(), plain.size(), &file);
  replace_file(db, c, m, file, snapshot_encoding::snappy);
}

TEST(StateStoreTest, TheSnapshotFileIsSnappyCompressedAndSmallerThanTheState) {
  zwerm::testing::temp_dir dir;
  std::mt19937_64 rng(21);
  state_sim sim(dir.path(), small_snapshots());
  sim.setup();
  sim.grow(400, rng);
  const community_id c = sim.community();
  const std::string snap = snapshot_of(sim.current());
  sim.close();
  auto db = store::store::open(dir.path() / "db");
  ASSERT_TRUE(db.ok());
  auto m = decode_state_meta(**(*db)->get_view(state_meta_key(c)));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->encoding, snapshot_encoding::snappy);
  const std::string file = read_file(**db, c, *m);
  EXPECT_EQ(file.size(), m->bytes);
  EXPECT_EQ(crypto::xxh64(file), m->checksum);
  EXPECT_LT(file.size(), snap.size() * 3 / 4) << "a state repeats keys and text";
  EXPECT_EQ(read_snapshot(**db, c, *m), snap);
}

TEST(StateStoreTest, AnUncompressedSnapshotAsEarlierBuildsWroteItIsUsed) {
  // Builds before the meta's encoding field wrote the snapshot bytes as they are, and left
  // the field zero: such a store starts from its snapshot, replaying nothing.
  zwerm::testing::temp_dir dir;
  std::mt19937_64 rng(22);
  state_sim sim(dir.path(), small_snapshots());
  sim.setup();
  sim.grow(300, rng);
  const community_id c = sim.community();
  const std::string views = all_views(sim.current());
  sim.close();
  {
    auto db = store::store::open(dir.path() / "db");
    ASSERT_TRUE(db.ok());
    auto m = decode_state_meta(**(*db)->get_view(state_meta_key(c)));
    ASSERT_TRUE(m.ok());
    replace_file(**db, c, *m, read_snapshot(**db, c, *m), snapshot_encoding::plain);
    const std::string meta = **(*db)->get_view(state_meta_key(c));
    EXPECT_EQ(meta.substr(1 + 8, 4), std::string(4, '\0'));
  }
  restore_report report = restore_and_compare(dir.path(), c, small_snapshots());
  EXPECT_TRUE(report.from_snapshot) << report.discarded;
  EXPECT_EQ(report.replayed, 0u);
  auto db = store::store::open(dir.path() / "db");
  ASSERT_TRUE(db.ok());
  state_store states(**db, small_snapshots());
  auto rep = states.restore(c);
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(all_views((*rep)->current()), views);
}

TEST(StateStoreTest, ASnapshotFileThatDoesNotDecompressIsDiscardedAndRebuilt) {
  // The checksum matches (the meta is rewritten), the Snappy data is damaged.
  damaged_snapshot_is_rebuilt(
      [](store::store& db, const community_id& c, const persisted_state& m) {
        std::string file = read_file(db, c, m);
        for (std::size_t i = 8; i < file.size(); i += 5) file[i] = static_cast<char>(0xff);
        replace_file(db, c, m, file, snapshot_encoding::snappy);
      },
      "does not decompress");
}

TEST(StateStoreTest, ASnappyLengthBeyondWhatTheFileCanHoldIsRefusedBeforeAllocating) {
  // A file of 100 bytes whose Snappy header claims 2^40 bytes: refused on its length alone.
  damaged_snapshot_is_rebuilt(
      [](store::store& db, const community_id& c, const persisted_state& m) {
        community::snapshot_writer header;  // Snappy's header: the length as a LEB128 varint
        header.u64(std::uint64_t{1} << 40);
        std::string file = header.take();
        file.resize(100, 'x');
        replace_file(db, c, m, file, snapshot_encoding::snappy);
      },
      "damaged Snappy length");
}

TEST(StateStoreTest, ASnapshotFileOfAnUnknownEncodingIsDiscardedAndRebuilt) {
  damaged_snapshot_is_rebuilt(
      [](store::store& db, const community_id& c, const persisted_state& m) {
        replace_file(db, c, m, read_file(db, c, m), static_cast<snapshot_encoding>(7));
      },
      "encoding 7");
}

TEST(StateStoreTest, ADamagedSnapshotFileIsDiscardedAndRebuilt) {
  damaged_snapshot_is_rebuilt(
      [](store::store& db, const community_id& c, const persisted_state& m) {
        std::string bytes = read_file(db, c, m);
        ASSERT_EQ(bytes.size(), m.bytes);
        bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x10);  // one bit
        rewrite_file(db, c, m, bytes);
      },
      "checksum");
}

TEST(StateStoreTest, ASnapshotThatDoesNotDecodeIsDiscardedAndRebuilt) {
  // Bytes that pass the checksum (the meta is rewritten to match) but do not decode.
  damaged_snapshot_is_rebuilt(
      [](store::store& db, const community_id& c, const persisted_state& m) {
        std::string bytes = read_snapshot(db, c, m);
        for (std::size_t i = 2000; i < bytes.size(); i += 3) bytes[i] = static_cast<char>(0xff);
        replace_snapshot(db, c, m, bytes);
      },
      "does not decode");
}

TEST(StateStoreTest, ASnapshotOfANewerVersionIsDiscardedAndRebuilt) {
  damaged_snapshot_is_rebuilt(
      [](store::store& db, const community_id& c, const persisted_state& m) {
        std::string bytes = read_snapshot(db, c, m);
        ASSERT_EQ(bytes.substr(0, 4), "ZWCS");
        bytes[4] = static_cast<char>(community::snapshot_version + 1);  // varint version
        replace_snapshot(db, c, m, bytes);
      },
      "does not decode");
}

TEST(StateStoreTest, AMetaOfAnUnknownFormatVersionIsDiscardedAndRebuilt) {
  damaged_snapshot_is_rebuilt(
      [](store::store& db, const community_id& c, const persisted_state&) {
        std::string meta = **db.get_view(state_meta_key(c));
        meta[0] = 9;
        std::vector<store::view_change> v{{state_meta_key(c), meta}};
        ASSERT_TRUE(db.write_views(v).ok());
      },
      "format version 9");
}

TEST(StateStoreTest, AVersion1SnapshotInTheViewsTableIsDiscardedAndErased) {
  // What a store written before snapshots moved to files holds: a version 1 meta and chunks.
  damaged_snapshot_is_rebuilt(
      [](store::store& db, const community_id& c, const persisted_state& m) {
        std::string meta = **db.get_view(state_meta_key(c));
        meta[0] = 1;
        const std::string chunk_prefix = state_meta_key(c).substr(0, 7 + 32) + "/d";
        std::vector<store::view_change> v{{state_meta_key(c), meta},
                                          {chunk_prefix + std::string(12, '\1'), "chunk"}};
        ASSERT_TRUE(db.write_views(v).ok());
        std::filesystem::remove(state_snapshot_file(db.dir(), c, m.generation));
      },
      "format version 1");
}

TEST(StateStoreTest, AMissingFileIsDiscardedAndRebuilt) {
  damaged_snapshot_is_rebuilt(
      [](store::store& db, const community_id& c, const persisted_state& m) {
        ASSERT_TRUE(std::filesystem::remove(state_snapshot_file(db.dir(), c, m.generation)));
      },
      "is missing");
}

TEST(StateStoreTest, ATruncatedOrLongerFileIsDiscardedAndRebuilt) {
  damaged_snapshot_is_rebuilt(
      [](store::store& db, const community_id& c, const persisted_state& m) {
        const std::string bytes = read_file(db, c, m);
        rewrite_file(db, c, m, bytes.substr(0, bytes.size() / 2));
      },
      "the meta says");
  damaged_snapshot_is_rebuilt(
      [](store::store& db, const community_id& c, const persisted_state& m) {
        rewrite_file(db, c, m, read_file(db, c, m) + "x");
      },
      "more than");
}

}  // namespace
}  // namespace zwerm::node
