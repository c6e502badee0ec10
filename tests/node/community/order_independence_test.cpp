// Order independence: seeded random histories delivered to several replayers in random
// orders (each feed in seq order, feeds interleaved at random, random batch sizes, the fork
// reported at a random moment) give byte-identical views and snapshots, equal to applying the
// records in total order. 200 histories by default; ZWERM_SOAK=1 runs 2,000.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "node/community/replayer.hpp"
#include "node/community/snapshot.hpp"
#include "node/community/views.hpp"
#include "tests/node/community/random_history.hpp"

namespace zwerm::node::community {
namespace {

using test::all_views;
using test::memory_store;

// The reference: every record applied in total order to one state.
std::unique_ptr<state> in_order(const test::random_history& rh) {
  auto s = std::make_unique<state>(rh.h.community);
  if (rh.fork) s->set_fork(rh.fork->author, rh.fork->fork);
  std::vector<record> sorted = rh.h.records;
  std::sort(sorted.begin(), sorted.end(),
            [](const record& a, const record& b) { return position_of(a) < position_of(b); });
  for (const auto& r : sorted) s->apply(r);
  return s;
}

struct delivery_stats {
  std::uint64_t rewinds = 0;
  std::uint64_t checkpoint_rewinds = 0;
};

// Feeds the history to a replayer in a random order derived from `seed`.
std::unique_ptr<replayer> deliver(const test::random_history& rh, std::uint64_t seed,
                                  replayer_options options, bool store_before_absorb,
                                  delivery_stats* stats) {
  std::mt19937_64 rng(seed);
  std::map<member_id, std::vector<const record*>> feeds;
  for (const auto& r : rh.h.records) feeds[r.author].push_back(&r);
  std::vector<std::pair<std::vector<const record*>, std::size_t>> queues;
  for (auto& [a, f] : feeds) queues.push_back({f, 0});
  std::size_t remaining = rh.h.records.size();
  std::size_t fork_after =
      rh.fork ? std::uniform_int_distribution<std::size_t>(0, remaining)(rng) : 0;
  bool fork_done = !rh.fork;

  auto rep = std::make_unique<replayer>(rh.h.community, options);
  memory_store store;
  std::size_t delivered = 0;
  while (remaining > 0) {
    std::size_t batch_size = std::uniform_int_distribution<std::size_t>(1, 40)(rng);
    std::vector<record> batch;
    while (batch.size() < batch_size && remaining > 0) {
      std::vector<std::size_t> open;
      for (std::size_t i = 0; i < queues.size(); ++i) {
        if (queues[i].second < queues[i].first.size()) open.push_back(i);
      }
      auto& q = queues[open[std::uniform_int_distribution<std::size_t>(0, open.size() - 1)(rng)]];
      std::size_t run = std::uniform_int_distribution<std::size_t>(1, 6)(rng);
      for (; run > 0 && q.second < q.first.size() && batch.size() < batch_size; --run) {
        batch.push_back(*q.first[q.second++]);
        --remaining;
      }
    }
    if (store_before_absorb) {
      for (const auto& r : batch) store.add(r);
    }
    auto result = rep->absorb(batch, store.source());
    EXPECT_TRUE(result.ok()) << result.error().message();
    if (result.ok()) {
      stats->rewinds += result->rewound;
      stats->checkpoint_rewinds += result->used_checkpoint;
    }
    if (!store_before_absorb) {
      for (const auto& r : batch) store.add(r);
    }
    delivered += batch.size();
    if (!fork_done && delivered >= fork_after) {
      auto forked = rep->mark_forked(rh.fork->author, rh.fork->fork, store.source());
      EXPECT_TRUE(forked.ok());
      fork_done = true;
    }
  }
  if (!fork_done) {
    EXPECT_TRUE(rep->mark_forked(rh.fork->author, rh.fork->fork, store.source()).ok());
  }
  return rep;
}

std::size_t history_count() {
  const char* soak = std::getenv("ZWERM_SOAK");
  return soak && std::string(soak) == "1" ? 2000 : 200;
}

TEST(OrderIndependence, RandomHistoriesInRandomOrdersGiveIdenticalViews) {
  delivery_stats stats;
  std::uint64_t leaves = 0, adopted = 0, circles = 0, thanks = 0, forks = 0;
  for (std::uint64_t seed = 1; seed <= history_count(); ++seed) {
    SCOPED_TRACE("history seed " + std::to_string(seed));
    test::random_history rh = test::make_random_history(seed);
    auto reference = in_order(rh);
    ASSERT_GE(rh.h.records.size(), 300u);
    ASSERT_GE(reference->members.size(), 8u);
    const std::int64_t now = rh.last_ts;
    const std::string expected = all_views(*reference, now);
    ASSERT_EQ(members_view_text(*reference), members_view(*reference).dump());
    ASSERT_EQ(balance_view_text(*reference), balance_view(*reference).dump());
    const std::string expected_snapshot = encode_snapshot(*reference);

    replayer_options roomy;  // defaults: every rewind through the journal
    replayer_options tight;  // a short journal and frequent checkpoints
    tight.journal_limit = 16;
    tight.checkpoint_interval = 40;
    tight.max_checkpoints = 2;
    replayer_options bare;  // no journal to speak of and no checkpoints: full replays
    bare.journal_limit = 1;
    bare.checkpoint_interval = 1'000'000;
    struct variant {
      replayer_options options;
      bool store_first;
    } variants[] = {{roomy, false}, {tight, true}, {bare, false}};
    for (std::size_t v = 0; v < std::size(variants); ++v) {
      SCOPED_TRACE("delivery variant " + std::to_string(v));
      auto rep = deliver(rh, seed * 7919 + v, variants[v].options, variants[v].store_first, &stats);
      ASSERT_EQ(test::first_difference(all_views(rep->current(), now), expected), "");
      ASSERT_TRUE(encode_snapshot(rep->current()) == expected_snapshot);
    }
    // A snapshot round trip gives the same views and bytes.
    auto decoded = decode_snapshot(expected_snapshot);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message();
    ASSERT_EQ(test::first_difference(all_views(*decoded.value(), now), expected), "");
    ASSERT_TRUE(encode_snapshot(*decoded.value()) == expected_snapshot);

    leaves += reference->feed_by_kind[static_cast<std::size_t>(record_kind::member_leave)].size();
    circles += reference->circles.size();
    thanks += reference->thanked.size();
    forks += rh.fork.has_value();
    for (const auto& p : reference->proposals) adopted += p.status == proposal_status::adopted;
  }
  // The histories exercise what they claim to, and the rewind paths were taken.
  EXPECT_GT(leaves, 0u);
  EXPECT_GT(adopted, 0u);
  EXPECT_GT(circles, 0u);
  EXPECT_GT(thanks, 0u);
  EXPECT_GT(forks, 0u);
  EXPECT_GT(stats.rewinds, 0u);
  EXPECT_GT(stats.checkpoint_rewinds, 0u);
}

}  // namespace
}  // namespace zwerm::node::community
