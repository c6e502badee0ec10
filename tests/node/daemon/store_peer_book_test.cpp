// What a manager learned survives a restart: through a map-backed book, and through the real
// store's peers table (LevelDB in a temp dir), one community apart from another.
#include <gtest/gtest.h>

#include "node/daemon/store_peer_book.hpp"
#include "node/peers/manager.hpp"
#include "store/store.hpp"
#include "tests/node/peers/fakes.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::node::peers {
namespace {

using namespace testing;

// Drives a manager into a varied state: every source, failures, a ban, a self address, a
// success.
void build_history(manager& m, fake_clock& clock) {
  ASSERT_TRUE(m.set_config({{addr(1), std::nullopt}, {addr(2), key(2)}}).ok());
  ASSERT_TRUE(m.add_invite(addr(3), key(3)).ok());
  ASSERT_TRUE(m.set_profile(key(4), addr(4)).ok());
  ASSERT_EQ(m.learn_from_exchange({{key(5), addr(5)}, {key(1), addr(1)}}), 2u);
  auto dials = m.tick();
  for (const auto& d : dials) {
    if (d.address == addr(2))
      m.dial_failed(d.address, dial_failure::unreachable);
    else if (d.address == addr(3))
      m.dial_failed(d.address, dial_failure::self);
    else
      (void)m.connected_outbound(connection_id{d.key.bytes[0]}, d.address, d.key);
  }
  clock.advance(3s);
  m.misbehaved(key(4));
}

TEST(PeerPersistence, RestoreGivesBackWhatWasFlushed) {
  fake_clock clock;
  memory_book book;
  manager first(key(100), test_options(), clock, &book);
  build_history(first, clock);
  EXPECT_TRUE(first.has_unflushed());
  ASSERT_TRUE(first.flush().ok());
  EXPECT_FALSE(first.has_unflushed());
  EXPECT_EQ(book.entries.size(), 5u);

  manager second(key(100), test_options(), clock, &book);
  ASSERT_TRUE(second.restore().ok());
  const auto before = first.known(), after = second.known();
  ASSERT_EQ(before.size(), after.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(before[i].address, after[i].address);
    EXPECT_EQ(before[i].info, after[i].info) << before[i].address;
  }
  EXPECT_TRUE(second.find(addr(3))->self);
  EXPECT_GT(second.find(addr(4))->ban_until, clock.now());
  EXPECT_EQ(second.find(addr(2))->failures, 1u);

  // The restored profile claim is known as key(4)'s: moving the profile drops the old address.
  ASSERT_TRUE(second.set_profile(key(4), addr(44)).ok());
  EXPECT_EQ(second.find(addr(4)), nullptr);
  ASSERT_TRUE(second.flush().ok());
  EXPECT_EQ(book.entries.count(addr(4)), 0u) << "a forgotten address is erased from the book";
  EXPECT_EQ(book.entries.count(addr(44)), 1u);
}

// After a restart the community state is the truth about profiles: set_profiles drops stored
// profile claims it does not confirm, including one left over twice for the same member.
TEST(PeerPersistence, SetProfilesAfterRestoreDropsStaleProfileClaims) {
  fake_clock clock;
  memory_book book;
  peer_info claim;
  claim.sources = 1u << static_cast<int>(source::profile);
  claim.keys[static_cast<std::size_t>(source::profile)] = key(4);
  book.entries[addr(4)] = encode_info(claim);
  book.entries[addr(3)] = encode_info(claim);  // an older address of the same member
  claim.keys[static_cast<std::size_t>(source::profile)] = key(5);
  book.entries[addr(5)] = encode_info(claim);  // a member whose profile lost its address
  manager m(key(100), test_options(), clock, &book);
  ASSERT_TRUE(m.restore().ok());
  EXPECT_EQ(m.known().size(), 3u);
  ASSERT_TRUE(m.set_profiles({{key(4), addr(4)}}).ok());
  ASSERT_EQ(m.known().size(), 1u);
  EXPECT_EQ(m.find(addr(4))->key(), key(4));
  ASSERT_TRUE(m.flush().ok());
  EXPECT_EQ(book.entries.size(), 1u);
}

TEST(PeerPersistence, OnlyChangedEntriesAreWritten) {
  fake_clock clock;
  memory_book book;
  manager m(key(100), test_options(1), clock, &book);
  ASSERT_TRUE(m.add_invite(addr(1), key(1)).ok());
  ASSERT_TRUE(m.add_invite(addr(2), key(2)).ok());
  ASSERT_TRUE(m.flush().ok());
  EXPECT_EQ(book.saves, 2);
  ASSERT_TRUE(m.add_invite(addr(1), key(1)).ok());  // nothing new
  ASSERT_TRUE(m.flush().ok());
  EXPECT_EQ(book.saves, 2);
  auto d = m.tick();
  ASSERT_EQ(d.size(), 1u);
  m.dial_failed(d[0].address, dial_failure::unreachable);
  ASSERT_TRUE(m.flush().ok());
  EXPECT_EQ(book.saves, 3);
}

TEST(PeerPersistence, AFailedWriteIsReportedAndRetried) {
  fake_clock clock;
  memory_book book;
  manager m(key(100), test_options(), clock, &book);
  ASSERT_TRUE(m.add_invite(addr(1), key(1)).ok());
  book.fail_writes = true;
  status st = m.flush();
  EXPECT_EQ(st.code(), status_code::io_error);
  EXPECT_TRUE(m.has_unflushed());
  book.fail_writes = false;
  ASSERT_TRUE(m.flush().ok());
  EXPECT_EQ(book.entries.count(addr(1)), 1u);
}

TEST(PeerPersistence, DamagedEntriesAreDroppedAndReportedTheRestLoads) {
  fake_clock clock;
  memory_book book;
  {
    manager m(key(100), test_options(), clock, &book);
    ASSERT_TRUE(m.add_invite(addr(1), key(1)).ok());
    ASSERT_TRUE(m.add_invite(addr(2), key(2)).ok());
    ASSERT_TRUE(m.flush().ok());
  }
  book.entries[addr(2)].resize(10);                        // truncated blob
  book.entries["not an address"] = book.entries[addr(1)];  // bad key
  book.entries["NODE:1"] = book.entries[addr(1)];          // not canonical
  manager m(key(100), test_options(), clock, &book);
  status st = m.restore();
  EXPECT_EQ(st.code(), status_code::corruption);
  EXPECT_NE(st.message().find("3 stored peer entries"), std::string::npos) << st.message();
  EXPECT_NE(m.find(addr(1)), nullptr);
  EXPECT_EQ(m.known().size(), 1u);
  EXPECT_EQ(book.entries.size(), 1u) << "the damaged entries were erased";
}

TEST(PeerPersistence, TheStoreKeepsEachCommunitysEntriesApartAcrossReopen) {
  zwerm::testing::temp_dir dir("zwerm-peers");
  community_id community_a, community_b;
  community_a.bytes.fill(0xaa);
  community_b.bytes.fill(0xbb);
  fake_clock clock;
  std::vector<peer_view> known_a;
  {
    auto s = store::store::open(dir / "db");
    ASSERT_TRUE(s.ok()) << s.error().message();
    store_peer_book book_a(**s, community_a), book_b(**s, community_b);
    manager a(key(100), test_options(), clock, &book_a);
    manager b(key(100), test_options(), clock, &book_b);
    build_history(a, clock);
    ASSERT_TRUE(b.add_invite(addr(1), key(1)).ok());  // the same address in B, with a key
    ASSERT_TRUE(a.flush().ok());
    ASSERT_TRUE(b.flush().ok());
    known_a = a.known();
  }
  auto s = store::store::open(dir / "db");
  ASSERT_TRUE(s.ok()) << s.error().message();
  store_peer_book book_a(**s, community_a), book_b(**s, community_b);
  manager a(key(100), test_options(), clock, &book_a);
  manager b(key(100), test_options(), clock, &book_b);
  ASSERT_TRUE(a.restore().ok());
  ASSERT_TRUE(b.restore().ok());
  const auto restored_a = a.known();
  ASSERT_EQ(restored_a.size(), known_a.size());
  for (std::size_t i = 0; i < known_a.size(); ++i) EXPECT_EQ(restored_a[i].info, known_a[i].info);
  ASSERT_EQ(b.known().size(), 1u);
  EXPECT_EQ(b.find(addr(1))->key(), key(1));
  EXPECT_TRUE(b.find(addr(1))->only(source::invite));
  EXPECT_FALSE(a.find(addr(1))->has(source::invite)) << "A's entry is its own";
  ASSERT_TRUE(s.value()->check().ok());
}

}  // namespace
}  // namespace zwerm::node::peers
