// Paced absorbs (node/daemon/absorb_pacer.hpp): the pacer's rule on its own, and
// community_host::absorb_soon with a poster and a clock the test drives: records after the
// state's head go in at once, records that would make the state replay wait for the ones that
// follow and go in together (one replay), a stream that never pauses is still absorbed within
// the wait, a write of this member absorbs what waits first, and a close leaves the persisted
// state describing every stored record.
#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "crypto/sodium.hpp"
#include "node/community/snapshot.hpp"
#include "node/daemon/absorb_pacer.hpp"
#include "node/daemon/community_host.hpp"
#include "node/ingest/ingest.hpp"
#include "node/records/record_writer.hpp"
#include "store/store.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::node {
namespace {

using namespace std::chrono_literals;
using time_point = absorb_pacer::time_point;

// --- the rule -----------------------------------------------------------------------------

TEST(AbsorbPacer, RecordsThatReplayNoMoreThanThemselvesGoInAtOnce) {
  absorb_pacer p;
  const time_point t0{};
  p.arrived(t0);
  EXPECT_FALSE(p.due(0, 1, t0).has_value());    // after the head
  EXPECT_FALSE(p.due(10, 10, t0).has_value());  // one replayed record per new one
  EXPECT_TRUE(p.due(11, 10, t0).has_value());   // more: they wait
}

TEST(AbsorbPacer, WaitingEndsWhenArrivalsPauseOrAfterTheWait) {
  absorb_pacing o;  // quiet 50 ms, min wait 200 ms, max wait 30 s, factor 20
  absorb_pacer p(o);
  const time_point t0{};
  p.arrived(t0);
  ASSERT_EQ(p.due(1000, 10, t0), t0 + 50ms);  // quiet first
  p.arrived(t0 + 40ms);
  EXPECT_EQ(p.due(1000, 10, t0 + 40ms), t0 + 90ms);
  EXPECT_FALSE(p.due(1000, 10, t0 + 90ms).has_value());
  // A stream that never pauses: the wait since the first arrival ends it (min_wait).
  for (auto t = t0 + 80ms; t < t0 + 200ms; t += 30ms) {
    p.arrived(t);
    EXPECT_TRUE(p.due(1000, 10, t).has_value());
  }
  EXPECT_FALSE(p.due(1000, 10, t0 + 200ms).has_value());
}

// While sync still fetches feeds of the community, a pause in arrivals is no sign that the
// catch-up has ended (a round trip, a slow disk): only the wait ends it.
TEST(AbsorbPacer, WhileSyncFetchesMoreAPauseDoesNotEndTheWait) {
  absorb_pacer p;
  const time_point t0{};
  p.arrived(t0, /*more_coming=*/true);
  EXPECT_EQ(p.due(1000, 10, t0), t0 + 200ms);
  EXPECT_TRUE(p.due(1000, 10, t0 + 150ms).has_value());
  // The last batch of the catch-up says nothing more comes: the quiet time ends it.
  p.arrived(t0 + 150ms, /*more_coming=*/false);
  EXPECT_EQ(p.due(1000, 10, t0 + 150ms), t0 + 200ms);  // the quiet end, and the wait's
  p.arrived(t0 + 100ms, /*more_coming=*/false);        // an earlier time never moves it back
  EXPECT_EQ(p.due(1000, 10, t0 + 160ms), t0 + 200ms);
  absorb_pacer q;
  q.arrived(t0, true);
  q.arrived(t0 + 10ms, false);
  EXPECT_EQ(q.due(1000, 10, t0 + 10ms), t0 + 60ms);
}

TEST(AbsorbPacer, TheWaitGrowsWithTheLastReplayUpToTheMaximum) {
  absorb_pacing o;
  absorb_pacer p(o);
  const time_point t0{};
  p.absorbed(30ms, /*replayed=*/true);  // 20 × 30 ms = 600 ms
  p.arrived(t0);
  for (auto t = t0; t < t0 + 600ms; t += 40ms) {
    p.arrived(t);
    EXPECT_TRUE(p.due(1000, 10, t).has_value()) << (t - t0).count();
  }
  EXPECT_FALSE(p.due(1000, 10, t0 + 600ms).has_value());
  p.absorbed(10s, /*replayed=*/true);  // 200 s, capped at max_wait (30 s)
  p.arrived(t0);
  for (auto t = t0; t < t0 + 30s; t += 40ms) p.arrived(t);
  EXPECT_TRUE(p.due(1000, 10, t0 + 30s - 1ms).has_value());
  EXPECT_FALSE(p.due(1000, 10, t0 + 30s).has_value());
  // An absorb that did not replay leaves the wait as it was.
  p.absorbed(1ms, /*replayed=*/false);
  EXPECT_EQ(p.last_replay(), 10s);
}

// --- community_host ---------------------------------------------------------------------------

nlohmann::json community_body() {
  return {{"name", "Paced"},
          {"purpose", "absorb in few replays"},
          {"policy", {{"invite_by", "member"}, {"quorum_pct", 50}}}};
}

// A poster and a clock the test drives: calls wait in `calls` until run_due() runs those whose
// time has come.
struct driven_executor {
  time_point now{};
  struct call {
    time_point at;
    std::function<void()> f;
  };
  std::deque<call> calls;

  absorb_pacing pacing() {
    absorb_pacing o;
    o.now = [this] { return now; };
    return o;
  }
  community_host::poster poster() {
    return [this](std::chrono::milliseconds delay, std::function<void()> f) {
      calls.push_back({now + delay, std::move(f)});
    };
  }
  // Runs the calls due at `now`, including those they post for now.
  void run_due() {
    for (bool ran = true; ran;) {
      ran = false;
      for (auto it = calls.begin(); it != calls.end(); ++it) {
        if (it->at > now) continue;
        auto f = std::move(it->f);
        calls.erase(it);
        f();
        ran = true;
        break;
      }
    }
  }
};

// A community made by the host's member, and three other authors' feeds in it whose lamports
// interleave (author k's record i has lamport base + 3 i + k), committed to the store the way
// sync commits them: the host learns of them only through absorb_soon.
struct paced_fixture {
  testing::temp_dir dir{"zw-paced"};
  std::unique_ptr<store::store> db;
  std::unique_ptr<community_host> host;
  driven_executor ex;
  const crypto::key_pair me = crypto::generate_key_pair();
  community_id id;
  record genesis;
  std::vector<std::vector<record>> feeds;  // per author, in seq order
  std::size_t absorbed_calls = 0;
  std::size_t appended = 0;

  void open() {
    auto s = store::store::open(dir.path() / "db");
    ASSERT_TRUE(s.ok()) << s.error().message();
    db = std::move(*s);
    auto h = community_host::open(*db, me, dir.path() / "communities.json");
    ASSERT_TRUE(h.ok()) << h.error().message();
    host = std::move(*h);
    host->set_poster(ex.poster(), ex.pacing());
    host->on_absorbed = [this](const community_id&) { ++absorbed_calls; };
    host->on_appended = [this](const record&, community_host::origin from) {
      if (from == community_host::origin::peers) ++appended;
    };
  }

  void make(std::size_t authors, std::size_t per_feed) {
    open();
    auto made = host->create(community_body());
    ASSERT_TRUE(made.ok()) << made.error().message();
    id = made->community;
    genesis = *made;
    const std::uint64_t base = made->lamport + 1;
    for (std::size_t k = 0; k < authors; ++k) {
      feed_writer w(crypto::generate_key_pair(), id, std::nullopt, 0);
      feeds.emplace_back();
      for (std::size_t i = 0; i < per_feed; ++i) {
        w.observe(base + 3 * i + k - 1);
        auto r = w.append("request", R"({"title":"t","body":"","tags":[]})", 1);
        ASSERT_TRUE(r.ok()) << r.error().message();
        ASSERT_EQ(r->lamport, base + 3 * i + k);
        feeds.back().push_back(*r);
      }
    }
  }

  // What sync does with records from a peer: commits them, then hands the host what the store
  // appended.
  void give(const std::vector<record>& records, bool more_coming = false) {
    ingestor ing(*db);
    auto done = ing.ingest_records(records);
    ASSERT_TRUE(done.ok()) << done.error().message();
    ASSERT_EQ(done->appended.size(), records.size());
    host->absorb_soon(done->appended, more_coming);
  }
  void give(std::size_t feed, std::size_t from, std::size_t to, bool more_coming = false) {
    give(std::vector<record>(feeds[feed].begin() + from, feeds[feed].begin() + to), more_coming);
  }

  std::uint64_t applied() const { return host->state_of(id)->applied(); }

  // The state of the genesis and `parts` absorbed at once by a fresh replayer, encoded.
  std::string applied_in_one_go(const std::vector<std::vector<record>>& parts) {
    community::replayer rep(id);
    std::vector<record> batch{genesis};
    for (const auto& p : parts) batch.insert(batch.end(), p.begin(), p.end());
    auto none = [](const std::optional<community::position>&, const community::position_filter&,
                   const community::record_visitor&) { return status{}; };
    EXPECT_TRUE(rep.absorb(batch, none).ok());
    return community::encode_snapshot(rep.current());
  }

  // The state a replayer builds from everything stored, encoded.
  std::string replayed_from_store() {
    auto rep = community::replayer::open(id, std::nullopt, store_record_source(*db, id));
    EXPECT_TRUE(rep.ok());
    return community::encode_snapshot((*rep)->current());
  }
};

TEST(PacedAbsorb, RecordsAfterTheHeadGoInAtOnce) {
  crypto::init();
  paced_fixture f;
  ASSERT_NO_FATAL_FAILURE(f.make(1, 20));
  f.give(0, 0, 20);
  EXPECT_EQ(f.host->waiting_to_absorb(), 20u);  // nothing inside the call
  f.ex.run_due();
  EXPECT_EQ(f.host->waiting_to_absorb(), 0u);
  EXPECT_EQ(f.applied(), 21u);
  EXPECT_EQ(f.absorbed_calls, 1u);
  EXPECT_EQ(f.appended, 20u);
  EXPECT_TRUE(f.ex.calls.empty());  // no recheck armed
}

TEST(PacedAbsorb, RecordsThatWouldReplayWaitForTheRestAndGoInTogether) {
  crypto::init();
  paced_fixture f;
  ASSERT_NO_FATAL_FAILURE(f.make(3, 40));
  f.give(2, 0, 40);  // the latest lamports first: after the head
  f.ex.run_due();
  ASSERT_EQ(f.applied(), 41u);
  // Feed 0 sorts before almost all of feed 2: a replay of 40 for 10 records. They wait.
  f.give(0, 0, 10);
  f.ex.run_due();
  EXPECT_EQ(f.host->waiting_to_absorb(), 10u);
  EXPECT_EQ(f.applied(), 41u);
  ASSERT_EQ(f.ex.calls.size(), 1u);  // the recheck, at the end of the quiet time
  EXPECT_EQ(f.ex.calls.front().at, f.ex.now + 50ms);
  // More arrive within the quiet time: still waiting (a replay of 40 for 25).
  f.ex.now += 30ms;
  f.give(0, 10, 20);
  f.give(1, 0, 5);
  f.ex.run_due();
  EXPECT_EQ(f.host->waiting_to_absorb(), 25u);
  EXPECT_EQ(f.absorbed_calls, 1u);
  // The quiet time ends: all of them in one absorb, the state equal to the records given
  // applied at once.
  f.ex.now += 50ms;
  f.ex.run_due();
  EXPECT_EQ(f.host->waiting_to_absorb(), 0u);
  EXPECT_EQ(f.absorbed_calls, 2u);
  EXPECT_EQ(f.appended, 65u);
  EXPECT_EQ(community::encode_snapshot(*f.host->state_of(f.id)),
            f.applied_in_one_go({f.feeds[2],
                                 std::vector<record>(f.feeds[0].begin(), f.feeds[0].begin() + 20),
                                 std::vector<record>(f.feeds[1].begin(), f.feeds[1].begin() + 5)}));
  // The rest replays 20 for 55: at once. Then the state is the store's.
  f.give(0, 20, 40);
  f.give(1, 5, 40);
  f.ex.run_due();
  EXPECT_EQ(f.host->waiting_to_absorb(), 0u);
  EXPECT_EQ(f.applied(), 121u);
  EXPECT_EQ(community::encode_snapshot(*f.host->state_of(f.id)), f.replayed_from_store());
}

// In a catch-up (sync still fetching) whose absorbs replay, the records absorbed are kept for
// the replays that follow, which rewind past them; the absorb made with nothing more coming
// lets them go. In-order absorbs keep nothing. The state ends equal to the store's.
TEST(PacedAbsorb, ACatchUpKeepsWhatItAbsorbedForItsReplaysUntilItEnds) {
  crypto::init();
  paced_fixture f;
  ASSERT_NO_FATAL_FAILURE(f.make(3, 40));
  f.give(2, 0, 40, /*more_coming=*/true);  // after the head: in at once, no replay
  f.ex.run_due();
  ASSERT_EQ(f.applied(), 41u);
  EXPECT_EQ(f.host->kept_for_replay(), 0u);
  f.give(0, 0, 40, true);  // would replay feed 2: waits while more is coming
  f.ex.run_due();
  EXPECT_EQ(f.host->waiting_to_absorb(), 40u);
  f.ex.now += 200ms;  // the wait's minimum: in, replaying feed 2; from now on kept
  f.ex.run_due();
  EXPECT_EQ(f.host->waiting_to_absorb(), 0u);
  EXPECT_EQ(f.applied(), 81u);
  EXPECT_EQ(f.host->kept_for_replay(), 40u);
  EXPECT_EQ(community::encode_snapshot(*f.host->state_of(f.id)),
            f.applied_in_one_go({f.feeds[0], f.feeds[2]}));
  f.give(1, 0, 20, true);  // replays feed 0's kept records: in at the next wait
  f.ex.now += 200ms;
  f.ex.run_due();
  EXPECT_EQ(f.applied(), 101u);
  EXPECT_EQ(f.host->kept_for_replay(), 60u);
  f.give(1, 20, 40, false);  // the last of the catch-up
  f.ex.now += 50ms;
  f.ex.run_due();
  EXPECT_EQ(f.host->waiting_to_absorb(), 0u);
  EXPECT_EQ(f.applied(), 121u);
  EXPECT_EQ(f.host->kept_for_replay(), 0u);
  EXPECT_EQ(community::encode_snapshot(*f.host->state_of(f.id)), f.replayed_from_store());
}

// A replay's source visits the records it is given at their positions instead of reading
// them back, and reads the others from the store, all in total order.
TEST(PacedAbsorb, AReplaySourceTakesKeptRecordsInsteadOfReadingThem) {
  crypto::init();
  paced_fixture f;
  ASSERT_NO_FATAL_FAILURE(f.make(2, 5));
  f.give(0, 0, 5);
  f.give(1, 0, 5);
  f.ex.run_due();
  recent_records kept;
  record marked = f.feeds[1][2];
  marked.body = "kept";  // what the store does not hold: shows where the visit came from
  kept.emplace(community::position_of(marked), marked);
  std::vector<std::string> bodies;
  std::vector<community::position> order;
  const community::position_filter not_feed0_first = [&](const community::position& p) {
    return p != community::position_of(f.feeds[0][0]);
  };
  ASSERT_TRUE(
      store_record_source(*f.db, f.id, &kept)(std::nullopt, not_feed0_first, [&](const record& r) {
        bodies.push_back(r.body);
        order.push_back(community::position_of(r));
        return true;
      }).ok());
  ASSERT_EQ(bodies.size(), 10u);  // the genesis and 10 records, less the one filtered out
  EXPECT_EQ(std::count(bodies.begin(), bodies.end(), "kept"), 1);
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  EXPECT_EQ(std::find(bodies.begin(), bodies.end(), "kept") - bodies.begin(),
            std::find(order.begin(), order.end(), community::position_of(marked)) - order.begin());
}

// One call may carry records of several communities: each goes to its own community's state,
// however they alternate.
TEST(PacedAbsorb, RecordsOfSeveralCommunitiesInOneCallEachGoToTheirOwn) {
  crypto::init();
  paced_fixture f;
  ASSERT_NO_FATAL_FAILURE(f.make(1, 2));
  auto other = f.host->create(community_body());
  ASSERT_TRUE(other.ok()) << other.error().message();
  feed_writer w(crypto::generate_key_pair(), other->community, std::nullopt, other->lamport);
  auto b = w.append("request", R"({"title":"t","body":"","tags":[]})", 1);
  ASSERT_TRUE(b.ok()) << b.error().message();
  ingestor ing(*f.db);
  const std::vector<record> mixed{f.feeds[0][0], *b, f.feeds[0][1]};
  auto done = ing.ingest_records(mixed);
  ASSERT_TRUE(done.ok()) << done.error().message();
  ASSERT_EQ(done->appended.size(), 3u);
  f.host->absorb_soon(mixed);  // committed; in this order, which the store's report need not keep
  f.ex.run_due();
  EXPECT_EQ(f.host->waiting_to_absorb(), 0u);
  EXPECT_EQ(f.applied(), 3u);                                    // genesis and both records
  EXPECT_EQ(f.host->state_of(other->community)->applied(), 2u);  // its genesis and b
}

// A peer that never pauses (or streams old records on purpose) cannot hold the state back
// longer than the wait: min_wait after the first of them, as no replay was timed yet.
TEST(PacedAbsorb, AStreamThatNeverPausesIsAbsorbedWithinTheWait) {
  crypto::init();
  paced_fixture f;
  ASSERT_NO_FATAL_FAILURE(f.make(2, 60));
  f.give(1, 0, 60);
  f.ex.run_due();
  ASSERT_EQ(f.applied(), 61u);
  const time_point start = f.ex.now;
  for (std::size_t i = 0; i < 10; ++i) {  // one record every 20 ms: never 50 ms quiet
    f.give(0, i, i + 1);
    f.ex.run_due();
    EXPECT_EQ(f.host->waiting_to_absorb(), i + 1) << i;
    f.ex.now += 20ms;
  }
  // 200 ms after the first: in, although records keep coming.
  ASSERT_EQ(f.ex.now, start + 200ms);
  f.give(0, 10, 11);
  f.ex.run_due();
  EXPECT_EQ(f.host->waiting_to_absorb(), 0u);
  EXPECT_EQ(f.applied(), 72u);
}

// This member's next record comes after every stored record of the community, also those
// still waiting: the write absorbs them first.
TEST(PacedAbsorb, AWriteAbsorbsWhatWaitsFirst) {
  crypto::init();
  paced_fixture f;
  ASSERT_NO_FATAL_FAILURE(f.make(2, 30));
  f.give(1, 0, 30);
  f.ex.run_due();
  f.give(0, 0, 5);
  f.ex.run_due();
  ASSERT_EQ(f.host->waiting_to_absorb(), 5u);
  auto mine = f.host->write(f.id, "request",
                            {{"title", "mine"}, {"body", ""}, {"tags", nlohmann::json::array()}});
  ASSERT_TRUE(mine.ok()) << mine.error().message();
  EXPECT_EQ(f.host->waiting_to_absorb(), 0u);
  EXPECT_EQ(f.applied(), 37u);  // genesis, 30, 5 and the new one
  EXPECT_GT(mine->lamport, f.feeds[1].back().lamport);
}

// A close with records waiting absorbs them before it writes the state's snapshot: the next
// start restores that snapshot and replays nothing (it would replay the whole log if the
// snapshot lacked stored records).
TEST(PacedAbsorb, ACloseAbsorbsWhatWaitsBeforeItsSnapshot) {
  crypto::init();
  paced_fixture f;
  ASSERT_NO_FATAL_FAILURE(f.make(2, 30));
  f.give(1, 0, 30);
  f.ex.run_due();
  f.give(0, 0, 29);
  f.ex.run_due();
  ASSERT_EQ(f.host->waiting_to_absorb(), 29u);
  f.host.reset();
  state_store states(*f.db);
  restore_report report;
  auto rep = states.restore(f.id, &report);
  ASSERT_TRUE(rep.ok()) << rep.error().message();
  EXPECT_TRUE(report.from_snapshot) << report.discarded;
  EXPECT_EQ(report.replayed, 0u);
  EXPECT_EQ((*rep)->current().applied(), 60u);
}

}  // namespace
}  // namespace zwerm::node
