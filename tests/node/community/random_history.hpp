// Test support: random, mostly valid community histories generated from a seed (order
// independence tests and benchmarks share it).
#pragma once

#include <cstdint>
#include <optional>
#include <random>

#include "tests/node/community/history.hpp"

namespace zwerm::node::community::test {

struct random_history_options {
  std::size_t records = 320;                  // at least this many records
  std::size_t pool = 12;                      // identities that may join
  std::int64_t max_step_ms = 16 * 3'600'000;  // ts advances by up to this per record
  double concurrency = 0.25;  // share of records with a lamport below global max + 1
};

struct fork_choice {
  member_id author;
  fork_point fork;
};

struct random_history {
  history h;
  std::optional<fork_choice> fork;  // a member to declare forked, when chosen
  std::int64_t last_ts = 0;
};

random_history make_random_history(std::uint64_t seed, const random_history_options& o = {});

}  // namespace zwerm::node::community::test
