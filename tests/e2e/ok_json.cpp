#include "tests/e2e/ok_json.hpp"

#include <gtest/gtest.h>

namespace zwerm::testing {

nlohmann::json ok_json(const node_harness& node, const std::vector<std::string>& args) {
  std::vector<std::string> with_json{"--json"};
  with_json.insert(with_json.end(), args.begin(), args.end());
  auto r = node.zwerm(with_json);
  EXPECT_EQ(r.exit_code, 0) << node.name() << ": zwerm " << args[0] << ": " << r.err;
  return r.exit_code == 0 ? nlohmann::json::parse(r.out, nullptr, false) : nlohmann::json(nullptr);
}

}  // namespace zwerm::testing
