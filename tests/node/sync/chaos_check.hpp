// What the chaos simulations share: the convergence checker (a set check in Jepsen's manner),
// the choice of seeds (ZWERM_SIM_SEED, ZWERM_SOAK), the loop over them that reports each seed
// that failed, and the description of a failed seed with the command that reruns it.
//
// Used by chaos_sim_test.cpp (engines over in-memory queues, sim.hpp) and
// session_chaos_test.cpp (engines over net sessions, session_sim.hpp). Header only: the
// benchmarks build their own zwerm_sync_sim without it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "node/sync/memory_replica.hpp"

namespace zwerm::sim {

// A record a member wrote during a run, at `node`, with the bytes it has in every store.
struct written {
  std::size_t node;
  std::uint64_t seq;
  std::string bytes;
};

// One node at the end of a run: its replica, and whether its process runs.
struct node_at_end {
  const node::sync::memory_replica* replica;
  bool running;
};

// What each node is missing or holds in excess, and whether the nodes agree: every record
// written (and the genesis) on every node and nothing else, nothing pending, no fork proofs,
// one frontier digest, every node running. Empty: converged. Each problem is one sentence that
// names its node.
inline std::vector<std::string> check_converged(const std::vector<node_at_end>& nodes,
                                                const std::string& genesis,
                                                const std::vector<written>& writes) {
  std::vector<std::string> problems;
  std::set<std::string> expected{genesis};
  for (const auto& w : writes) expected.insert(w.bytes);
  std::optional<crypto::digest> first;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto& rep = *nodes[i].replica;
    const std::string who = "node " + std::to_string(i);
    if (!nodes[i].running) problems.push_back(who + " is stopped");
    auto all = rep.all_records();
    std::set<std::string> held(all.begin(), all.end());
    std::size_t missing = 0;
    std::string first_missing;
    for (const auto& w : writes) {
      if (held.count(w.bytes)) continue;
      if (missing++ == 0) {
        first_missing =
            "written at node " + std::to_string(w.node) + ", seq " + std::to_string(w.seq);
      }
    }
    if (!held.count(genesis)) problems.push_back(who + " lacks genesis");
    if (missing > 0) {
      problems.push_back(who + " lacks " + std::to_string(missing) + " of " +
                         std::to_string(writes.size()) +
                         " records written (first: " + first_missing + ")");
    }
    std::size_t extra = 0;
    for (const auto& h : held) extra += expected.count(h) ? 0 : 1;
    if (extra > 0) {
      problems.push_back(who + " holds " + std::to_string(extra) + " records nobody wrote");
    }
    if (rep.pending_count() > 0) {
      problems.push_back(who + " still holds " + std::to_string(rep.pending_count()) +
                         " records past a gap");
    }
    if (rep.fork_proofs() > 0) problems.push_back(who + " holds fork proofs");
    auto d = rep.frontier_digest();
    if (!d) {
      problems.push_back(who + ": frontier: " + d.error().message());
    } else if (!first) {
      first = *d;
    } else if (*d != *first) {
      problems.push_back(who + "'s frontier digest differs from node 0's");
    }
  }
  return problems;
}

inline bool soak_requested() {
  const char* v = std::getenv("ZWERM_SOAK");
  return v != nullptr && std::string(v) == "1";
}

// The seeds a chaos test runs: ZWERM_SIM_SEED=n alone; with ZWERM_SOAK=1 seeds 1..1000; else
// seeds 1..`by_default`.
inline std::vector<std::uint64_t> chaos_seeds(std::uint64_t by_default) {
  if (const char* one = std::getenv("ZWERM_SIM_SEED")) return {std::stoull(one)};
  std::vector<std::uint64_t> seeds;
  const std::uint64_t n = soak_requested() ? 1000 : by_default;
  for (std::uint64_t s = 1; s <= n; ++s) seeds.push_back(s);
  return seeds;
}

// The command that reruns exactly one seed of `test` ("Suite.Name").
inline std::string rerun_command(std::uint64_t seed, const std::string& test) {
  return "ZWERM_SIM_SEED=" + std::to_string(seed) + " ctest --test-dir build -R " + test +
         " --output-on-failure";
}

// What every chaos run reports; each test's result adds its own network's counts to it.
struct chaos_run {
  std::vector<std::string> problems;  // empty: converged
  std::uint64_t delivered = 0;
  std::size_t records = 0;  // written
  std::size_t partitions = 0, drops = 0, restarts = 0;

  // Adds the counts of `r` (not its problems): the sums over a test's seeds.
  void add(const chaos_run& r) {
    delivered += r.delivered;
    records += r.records;
    partitions += r.partitions;
    drops += r.drops;
    restarts += r.restarts;
  }
};

// A seed that did not converge: its faults (`drops` names what a drop cut: "link drops",
// "stream drops"), every problem, and the command that reruns exactly that seed of `test`.
inline std::string describe(std::uint64_t seed, const chaos_run& r, const char* drops,
                            const std::string& test) {
  std::ostringstream s;
  s << "seed " << seed << " did not converge (" << r.records << " records, " << r.partitions
    << " partitions, " << r.drops << " " << drops << ", " << r.restarts << " restarts):\n";
  for (const auto& p : r.problems) s << "  " << p << "\n";
  s << "rerun exactly this seed: " << rerun_command(seed, test);
  return s.str();
}

// The seed loop of a chaos test: `run(seed)` (a chaos_run or a type derived from it) for every
// seed of chaos_seeds(by_default), each result handed to `add`, and each that has problems
// reported as a test failure with `describe(seed, result)`, up to 10 (then the loop stops).
// Returns how many seeds were asked for and the seconds the loop took.
struct seed_loop {
  std::size_t seeds = 0;
  double seconds = 0;
};
template <class Run, class Add, class Describe>
seed_loop run_seeds(std::uint64_t by_default, Run&& run, Add&& add, Describe&& describe) {
  const std::vector<std::uint64_t> seeds = chaos_seeds(by_default);
  const auto start = std::chrono::steady_clock::now();
  std::size_t failed = 0;
  for (auto seed : seeds) {
    auto r = run(seed);
    add(r);
    if (!r.problems.empty()) {
      ADD_FAILURE() << describe(seed, r);
      if (++failed >= 10) break;
    }
  }
  return {seeds.size(),
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
}

}  // namespace zwerm::sim
