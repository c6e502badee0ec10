// ok_json: one zwerm --json call that must succeed, for gtest end-to-end tests (the harness
// itself stays free of gtest so benchmarks can drive daemons with it too).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/e2e/node_harness.hpp"

namespace zwerm::testing {

// zwerm --json args... on `node`; a test failure (naming the node and the command) unless it
// exits 0. Returns the parsed output, or null.
nlohmann::json ok_json(const node_harness& node, const std::vector<std::string>& args);

}  // namespace zwerm::testing
