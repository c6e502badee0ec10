// Deterministic simulation under faults (in the manner of FoundationDB's simulation and
// libtorrent's simulator): 20 nodes in one process (sim::network, virtual time), every node
// writing records while a schedule drawn from one seed partitions the network, cuts links with
// messages in flight and kills and restarts nodes (a restarted node keeps its store and gets a
// fresh engine). Then every fault heals and the swarm runs anti-entropy until it is quiet.
//
// Checks, per seed: every record written is on every node and nothing else is (a set check,
// as Jepsen's), every node's frontier digest is the same, nothing is left in a pending area,
// no fork proofs, no honest node accused another of misbehaviour. Node keys, record keys and
// the schedule all come from the seed, so a run is a pure function of it: one test runs a
// seed twice and compares a hash of every message delivered.
//
// Default: seeds 1..5. ZWERM_SOAK=1: seeds 1..1000. ZWERM_SIM_SEED=N: seed N alone (a failure
// prints the command). Two more tests show the checker failing on runs that must fail.
// docs/ARCHITECTURE.md, "Deterministic simulation", says what this covers and what not.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crypto/sodium.hpp"
#include "tests/node/sync/chaos_check.hpp"
#include "tests/node/sync/sim.hpp"

namespace zwerm::node::sync {
namespace {

constexpr const char* rerun_test = "SyncChaos.RandomPartitionsDropsAndRestarts";

struct chaos_options {
  std::size_t nodes = 20;
  std::uint64_t chaos_ms = 20'000;  // virtual time with faults
  std::uint64_t tick_ms = 50;       // the schedule draws its faults once per tick
  std::uint64_t period_ms = 500;    // anti-entropy period
  std::size_t max_down = 4;         // nodes stopped at once, at most
  std::size_t quiet_rounds = 60;    // anti-entropy rounds after healing, at most
  // Checker tests: the network ends split in two halves instead of healing...
  bool never_heal = false;
  // ...or one node writes a record while cut off from everyone, then loses its disk.
  bool lose_a_write = false;
};

// Problems, records written, partitions, link drops, restarts, messages delivered: sim::chaos_run.
struct chaos_result : sim::chaos_run {
  std::uint64_t trace_hash = 0;
  std::size_t redials = 0;
  std::uint64_t virtual_ms = 0;
  std::size_t rounds_to_quiet = 0;
};

using sim::written;

// The shared checker, plus what only this network knows: the accusations its engines made.
std::vector<std::string> check(sim::network& net, std::size_t nodes, const std::string& genesis,
                               const std::vector<written>& writes) {
  std::vector<sim::node_at_end> at_end;
  for (std::size_t i = 0; i < nodes; ++i) at_end.push_back({&net.replica(i), net.running(i)});
  auto problems = sim::check_converged(at_end, genesis, writes);
  for (const auto& m : net.misbehaviours()) {
    problems.push_back("node " + std::to_string(m.node) + " reported misbehaviour (" +
                       to_string(m.what.kind) + "): " + m.what.reason);
    break;
  }
  return problems;
}

chaos_result run_chaos(std::uint64_t seed, const chaos_options& o = {}) {
  chaos_result res;
  auto c = sim::community_maker::make(seed);
  sim::network::options no;
  no.seed = seed;
  no.keys_from_seed = true;
  no.latency_min_us = 1'000;
  no.latency_max_us = 30'000;
  sim::network net(c.genesis.community, no);
  std::vector<feed_writer> writers;
  for (std::size_t i = 0; i < o.nodes; ++i) {
    net.add_node_with({c.genesis.bytes});
    writers.emplace_back(net.key(i), c.genesis.community, std::nullopt, c.genesis.lamport);
  }
  // The schedule's own generator (the network draws latencies from another).
  std::mt19937_64 rng(seed ^ 0xC4A05C4A05ULL);
  auto chance = [&](unsigned percent) { return rng() % 100 < percent; };

  // Topology: a ring plus one random chord per node; each edge is redialled when it is down.
  struct edge {
    std::size_t a, b;
    std::optional<std::size_t> link;
  };
  std::vector<edge> edges;
  {
    std::set<std::pair<std::size_t, std::size_t>> seen;
    for (std::size_t i = 0; i < o.nodes; ++i) {
      seen.insert({std::min(i, (i + 1) % o.nodes), std::max(i, (i + 1) % o.nodes)});
      for (;;) {
        std::size_t j = rng() % o.nodes;
        if (j == i || !seen.insert({std::min(i, j), std::max(i, j)}).second) continue;
        break;
      }
    }
    for (auto [a, b] : seen) edges.push_back({a, b, std::nullopt});
  }
  auto up = [&](const edge& e) { return e.link && net.connected(*e.link); };
  for (auto& e : edges) e.link = net.dial(e.a, e.b);

  std::vector<written> writes;
  auto write = [&](std::size_t i, std::size_t count) {
    std::vector<std::string> batch;
    for (std::size_t k = 0; k < count; ++k) {
      const std::uint64_t seq = writers[i].head() ? writers[i].head()->seq + 1 : 1;
      auto r = writers[i].append("note", sim::padded_body(100 + rng() % 200, seq),
                                 1000 + static_cast<std::int64_t>(net.now_us() / 1000));
      if (!r) throw std::runtime_error("append: " + r.error().message());
      writes.push_back({i, seq, r->bytes});
      batch.push_back(std::move(r->bytes));
    }
    net.write(i, batch);
  };

  const std::uint64_t tick_us = o.tick_ms * 1000;
  const std::uint64_t ticks_per_period = o.period_ms / o.tick_ms;
  const std::uint64_t ticks = o.chaos_ms / o.tick_ms;
  for (std::uint64_t t = 1; t <= ticks; ++t) {
    // Writes: a running node writes one to three records.
    if (chance(30)) {
      const std::size_t i = rng() % o.nodes;
      if (net.running(i)) write(i, 1 + rng() % 3);
    }
    // A link drops with messages in flight.
    if (chance(10)) {
      auto& e = edges[rng() % edges.size()];
      if (up(e)) {
        net.disconnect(*e.link);
        ++res.drops;
      }
    }
    // A partition into two random sides, or its healing.
    if (!net.partitioned() && chance(2)) {
      std::vector<int> side(o.nodes);
      for (auto& s : side) s = static_cast<int>(rng() % 2);
      if (std::count(side.begin(), side.end(), 1) % static_cast<long>(o.nodes) != 0) {
        net.partition(std::move(side));
        ++res.partitions;
      }
    } else if (net.partitioned() && chance(5)) {
      net.heal();
    }
    // A node is killed; stopped nodes come back.
    std::size_t down = 0;
    for (std::size_t i = 0; i < o.nodes; ++i) down += net.running(i) ? 0 : 1;
    if (down < o.max_down && chance(3)) {
      const std::size_t i = rng() % o.nodes;
      if (net.running(i)) {
        net.stop_node(i);
        ++res.restarts;
      }
    }
    for (std::size_t i = 0; i < o.nodes; ++i) {
      if (!net.running(i) && chance(8)) net.start_node(i);
    }
    // Nodes redial their edges that are down (refused across a partition or to a dead node).
    for (auto& e : edges) {
      if (!up(e) && chance(25)) {
        e.link = net.dial(e.a, e.b);
        res.redials += e.link ? 1 : 0;
      }
    }
    if (t % ticks_per_period == 0) net.anti_entropy_round();
    net.run_until(net.now_us() + tick_us);
  }

  if (o.lose_a_write) {
    // One node, alone on its side, writes and then loses its disk: the record is gone.
    const std::size_t x = rng() % o.nodes;
    std::vector<int> side(o.nodes, 0);
    side[x] = 1;
    net.partition(std::move(side));
    net.start_node(x);
    write(x, 1);
    net.run();
    net.wipe_node(x);
    net.start_node(x);
  }
  net.heal();
  // Heal: everyone runs, every edge is dialled, anti-entropy until the digests agree.
  for (std::size_t i = 0; i < o.nodes; ++i) net.start_node(i);
  if (o.never_heal) {
    std::vector<int> side(o.nodes, 0);
    for (std::size_t i = 0; i < o.nodes / 2; ++i) side[i] = 1;
    net.partition(std::move(side));
    for (std::size_t i = 0; i < o.nodes; ++i) write(i, 1);
  }
  for (auto& e : edges) {
    if (!up(e)) e.link = net.dial(e.a, e.b);
  }
  net.run(50'000'000);
  for (std::size_t r = 0; r < o.quiet_rounds; ++r) {
    bool same = true;
    auto d0 = net.replica(0).frontier_digest();
    for (std::size_t i = 1; i < o.nodes && same; ++i) {
      same = net.replica(i).frontier_digest().value() == d0.value();
    }
    if (same) break;
    ++res.rounds_to_quiet;
    net.anti_entropy_round();
    net.run(50'000'000);
    net.run_until(net.now_us() + o.period_ms * 1000);
  }
  res.problems = check(net, o.nodes, c.genesis.bytes, writes);
  res.trace_hash = net.trace_hash();
  res.delivered = net.delivered();
  res.records = writes.size();
  res.virtual_ms = net.now_us() / 1000;
  return res;
}

std::string describe(std::uint64_t seed, const chaos_result& r) {
  return sim::describe(seed, r, "link drops", rerun_test);
}

TEST(SyncChaos, RandomPartitionsDropsAndRestarts) {
  crypto::init();
  sim::chaos_run sum;
  std::size_t max_rounds = 0;
  const auto loop = sim::run_seeds(
      5, [](std::uint64_t seed) { return run_chaos(seed); },
      [&](const chaos_result& r) {
        sum.add(r);
        max_rounds = std::max(max_rounds, r.rounds_to_quiet);
      },
      [](std::uint64_t seed, const chaos_result& r) { return describe(seed, r); });
  std::printf(
      "%zu seeds in %.1f s: %zu records, %zu partitions, %zu link drops, %zu restarts, %llu "
      "messages delivered; at most %zu anti-entropy rounds to converge after healing\n",
      loop.seeds, loop.seconds, sum.records, sum.partitions, sum.drops, sum.restarts,
      static_cast<unsigned long long>(sum.delivered), max_rounds);
  // The schedule must actually have injected every kind of fault.
  EXPECT_GT(sum.partitions, 0U);
  EXPECT_GT(sum.drops, 0U);
  EXPECT_GT(sum.restarts, 0U);
  EXPECT_GT(sum.records, 0U);
}

TEST(SyncChaos, ASeedReproducesItsRunExactly) {
  crypto::init();
  auto a = run_chaos(7);
  auto b = run_chaos(7);
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.delivered, b.delivered);
  EXPECT_EQ(a.records, b.records);
  EXPECT_EQ(a.problems, b.problems);
  EXPECT_GT(a.delivered, 0U);
  chaos_options shorter;
  shorter.chaos_ms = 2'000;
  EXPECT_NE(run_chaos(8, shorter).trace_hash, a.trace_hash);
}

// The checker is not vacuous: runs that cannot converge are reported, with the seed.
TEST(SyncChaos, CheckerReportsANetworkThatNeverHeals) {
  crypto::init();
  chaos_options o;
  o.never_heal = true;
  o.quiet_rounds = 10;
  auto r = run_chaos(3, o);
  ASSERT_FALSE(r.problems.empty());
  const auto text = describe(3, r);
  EXPECT_NE(text.find("lacks"), std::string::npos) << text;
  EXPECT_NE(text.find("frontier digest differs"), std::string::npos) << text;
  EXPECT_NE(text.find("ZWERM_SIM_SEED=3"), std::string::npos) << text;
}

// A write acknowledged by one node and lost with its disk before anyone copied it: the digests
// all agree in the end, and only the set check sees the loss.
TEST(SyncChaos, CheckerReportsALostWrite) {
  crypto::init();
  chaos_options o;
  o.lose_a_write = true;
  auto r = run_chaos(4, o);
  ASSERT_EQ(r.problems.size(), 20U) << describe(4, r);
  for (const auto& p : r.problems) EXPECT_NE(p.find("lacks 1 of"), std::string::npos) << p;
}

}  // namespace
}  // namespace zwerm::node::sync
