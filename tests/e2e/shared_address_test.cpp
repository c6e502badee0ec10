// Members behind one address (an office, a school, a home): ten nodes on 127.0.0.1 join one
// founder at the same moment, each with its own invite. The founder's listener allows only a
// few handshakes per address at a time (limits.max_inbound_per_address: 8 by default, 2 here
// so that the ten surely overlap) and counts connections per key once a handshake is done:
// every join must succeed, and all ten stay connected.
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <vector>

#include "tests/e2e/node_harness.hpp"
#include "tests/e2e/ok_json.hpp"

namespace zwerm::testing {
namespace {

using json = nlohmann::json;

std::size_t active_members(const node_harness& n) {
  const json m = n.zwerm_json({"members", "--all"});
  std::size_t count = 0;
  if (!m.is_object()) return 0;
  for (const auto& row : m.value("members", json::array())) count += str(row, "status") == "active";
  return count;
}

std::size_t connected_peers(const node_harness& n) {
  const json s = n.zwerm_json({"status"});
  return s.is_object() && s.contains("peers") ? s["peers"].size() : 0;
}

TEST(SharedAddress, TenJoinersBehindOneAddressAllJoinAtOnce) {
  constexpr int joiners = 10;
  node_harness ada("ada");
  {
    const auto file = ada.home() / "config.json";
    std::stringstream text;
    text << std::ifstream(file).rdbuf();
    json config = json::parse(text.str(), nullptr, false, /*ignore_comments=*/true);
    ASSERT_TRUE(config.is_object()) << file;
    config["limits"]["max_inbound_per_address"] = 2;
    std::ofstream(file) << config.dump(2) << "\n";
  }
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  ok_json(ada, {"community", "create", "Office", "--purpose", "ten desks, one router"});

  std::vector<std::unique_ptr<node_harness>> nodes;
  std::vector<std::string> codes;
  for (int i = 0; i < joiners; ++i) {
    nodes.push_back(std::make_unique<node_harness>("desk" + std::to_string(i)));
    ASSERT_TRUE(nodes.back()->start(&why)) << why;
    codes.push_back(str(ok_json(ada, {"invite"}), "code"));
  }

  // All joins at once: more handshakes from 127.0.0.1 than the per-address budget admits.
  std::vector<std::future<run_result>> joins;
  for (int i = 0; i < joiners; ++i) {
    joins.push_back(std::async(std::launch::async, [&, i] {
      return nodes[i]->zwerm({"--json", "join", codes[i]});
    }));
  }
  for (int i = 0; i < joiners; ++i) {
    const run_result r = joins[i].get();
    EXPECT_EQ(r.exit_code, 0) << nodes[i]->name() << ": " << r.out << r.err << "\n"
                              << nodes[i]->daemon_log();
  }

  EXPECT_TRUE(eventually([&] { return active_members(ada) == joiners + 1; }))
      << ada.zwerm({"members", "--all"}).out;
  // Counted per key, not per address: every desk stays connected to the founder.
  EXPECT_TRUE(eventually([&] { return connected_peers(ada) >= joiners; }))
      << ada.zwerm({"--json", "status"}).out;
  for (auto& n : nodes) {
    EXPECT_TRUE(eventually([&] { return active_members(*n) == joiners + 1; })) << n->name();
  }
}

}  // namespace
}  // namespace zwerm::testing
