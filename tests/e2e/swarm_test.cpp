// Several zwermd processes in a fixed topology, end to end (issue 5's multi-hop tests).
//
// - Swarm.LineRelaysAndHealsAfterPartition: five daemons in a line A–B–C–D–E, each dialing only
//   its neighbour (config `peer_discovery: false`, `bootstrap` = the neighbour). A record
//   written at A reaches E through three relays; then C is stopped while both sides write, and
//   after C returns every node shows the same frontier, records, feed and members.
// - Swarm.ScriptSmallSwarm: scripts/swarm with 6 daemons and 5 records (the 32-daemon run is
//   the same script with its defaults; figures in docs/PERFORMANCE.md). The script fails unless
//   every record reaches every node; the test checks that and prints the figures.
#include <gtest/gtest.h>

#include <unistd.h>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/temp_dir.hpp"

#include "tests/e2e/node_harness.hpp"
#include "tests/e2e/ok_json.hpp"

namespace zwerm::testing {
namespace {

using json = nlohmann::json;

// Rewrites <home>/config.json: no discovery, and `bootstrap` = the given neighbours.
void use_only(const node_harness& node, const std::vector<const node_harness*>& neighbours) {
  const auto file = node.home() / "config.json";
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  json config = json::parse(text.str(), nullptr, false, /*ignore_comments=*/true);
  ASSERT_TRUE(config.is_object()) << file;
  config["peer_discovery"] = false;
  json bootstrap = json::array();
  for (const auto* n : neighbours) bootstrap.push_back(n->member_id() + "@" + n->listen());
  config["bootstrap"] = bootstrap;
  std::ofstream(file) << config.dump(2) << "\n";
}

// The members this node is connected to now.
std::set<std::string> peers_of(const node_harness& n) {
  std::set<std::string> out;
  auto s = n.zwerm_json({"status"});
  if (!s.is_object() || !s.contains("peers")) return out;
  for (const auto& row : s["peers"]) out.insert(str(row, "member"));
  return out;
}

// member → the highest seq this node holds of that member's feed.
std::map<std::string, std::uint64_t> frontier_of(const node_harness& n) {
  std::map<std::string, std::uint64_t> out;
  auto s = n.zwerm_json({"status"});
  if (!s.is_object() || !s.contains("lag")) return out;
  for (const auto& row : s["lag"]) out[str(row, "member")] = row.value("have_seq", 0u);
  return out;
}

bool has_text(const node_harness& n, const std::string& text) {
  return n.zwerm({"feed", "--limit", "1000"}).out.find(text) != std::string::npos;
}

// Everything that must agree once the nodes have converged.
json view_of(const node_harness& n) {
  return json{{"frontier", frontier_of(n)},
              {"records", records_of(n)},
              {"feed", n.zwerm_json({"feed", "--limit", "1000"})},
              {"members", n.zwerm_json({"members", "--all"})}};
}

TEST(Swarm, LineRelaysAndHealsAfterPartition) {
  std::vector<std::unique_ptr<node_harness>> owned;
  for (const char* name : {"a", "b", "c", "d", "e"}) {
    owned.push_back(std::make_unique<node_harness>(name));
  }
  std::vector<node_harness*> line;
  for (auto& n : owned) line.push_back(n.get());
  for (std::size_t i = 0; i < line.size(); ++i) {
    std::vector<const node_harness*> dial;
    if (i > 0) dial.push_back(line[i - 1]);
    use_only(*line[i], dial);
  }
  std::string why;
  for (auto* n : line) ASSERT_TRUE(n->start(&why)) << why;

  node_harness& a = *line.front();
  node_harness& e = *line.back();
  ok_json(a, {"community", "create", "Line", "--purpose", "multi-hop relay"});
  for (std::size_t i = 1; i < line.size(); ++i) {
    auto invite = ok_json(a, {"invite"});
    auto joined = ok_json(*line[i], {"join", str(invite, "code")});
    ASSERT_EQ(joined.value("took_effect", false), true) << joined.dump();
  }
  // Joining dials the inviter's node; a restart leaves only the configured links.
  for (auto* n : line) ASSERT_EQ(n->stop(), std::optional<int>(0)) << n->name();
  for (auto* n : line) ASSERT_TRUE(n->start(&why)) << why;
  for (std::size_t i = 0; i < line.size(); ++i) {
    std::set<std::string> expected;
    if (i > 0) expected.insert(line[i - 1]->member_id());
    if (i + 1 < line.size()) expected.insert(line[i + 1]->member_id());
    EXPECT_TRUE(eventually([&] { return peers_of(*line[i]) == expected; }))
        << line[i]->name() << " is connected to " << json(peers_of(*line[i])).dump();
  }

  // A record written at A reaches E through B, C and D.
  ok_json(a, {"ask", "written at a"});
  EXPECT_TRUE(eventually([&] { return has_text(e, "written at a"); })) << e.daemon_log();

  // Partition: C stops; both sides write.
  node_harness& c = *line[2];
  ASSERT_EQ(c.stop(), std::optional<int>(0));
  for (int i = 0; i < 3; ++i) {
    ok_json(a, {"ask", "west " + std::to_string(i)});
    ok_json(e, {"ask", "east " + std::to_string(i)});
  }
  ASSERT_TRUE(eventually([&] { return has_text(*line[1], "west 2"); }));
  ASSERT_TRUE(eventually([&] { return has_text(*line[3], "east 2"); }));
  // With C down no path joins the sides.
  EXPECT_FALSE(has_text(*line[3], "west 0"));
  EXPECT_FALSE(has_text(*line[1], "east 0"));

  // C returns: every node ends with the same frontier, records, feed and members.
  ASSERT_TRUE(c.start(&why)) << why;
  const bool same = eventually([&] {
    const json first = view_of(a);
    if (!has_text(a, "east 2") || first["records"] < 0) return false;
    for (auto* n : line) {
      if (view_of(*n) != first) return false;
    }
    return true;
  });
  if (!same) {
    for (auto* n : line) ADD_FAILURE() << n->name() << ": " << view_of(*n).dump();
  }
  EXPECT_TRUE(same);
}

TEST(Swarm, ScriptSmallSwarm) {
  temp_dir scratch;
  const std::string script = std::string(ZWERM_SOURCE_DIR) + "/scripts/swarm";
  // Its own addresses (127.0.0.2..7) and a port range unlikely to be shared with another run.
  const std::string port = std::to_string(20000 + (::getpid() % 20000));
  auto r =
      run_program({"/bin/bash", script, "6", "5"}, scratch.path(),
                  {{"ZWERM_BIN", std::string(ZWERM_BINARY_DIR) + "/bin"}, {"SWARM_PORT", port}},
                  std::chrono::seconds(150));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("nodes 6, records 5"), std::string::npos) << r.out;
  const auto at = r.out.find("copies received per node per record: ");
  ASSERT_NE(at, std::string::npos) << r.out;
  // Every node received every record at least once from a peer.
  EXPECT_GE(std::stod(r.out.substr(at + 37)), 1.0) << r.out;
  std::cout << r.out;
}

}  // namespace
}  // namespace zwerm::testing
