// peers.json, the operator's peer decisions: what is saved is what loads, a missing file is
// empty, and a file damaged by hand is refused with its name and the reason (zwermd then does
// not start rather than forget a ban).
#include "node/daemon/operator_peers.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "base/base64url.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::node {
namespace {

community_id community(std::uint8_t n) {
  community_id c;
  c.bytes.fill(n);
  return c;
}

TEST(OperatorPeers, WhatIsSavedLoadsAndAMissingFileIsEmpty) {
  testing::temp_dir dir;
  const auto file = dir / "peers.json";
  auto empty = load_operator_peers(file);
  ASSERT_TRUE(empty) << empty.error().message();
  EXPECT_EQ(*empty, operator_peers{});

  operator_peers p;
  p.added[community(1)] = {"192.0.2.10:7411", "node.example.org:7411"};
  p.bans["192.0.2.7"] = {1'800'000'000'000, 1'800'086'400'000};
  p.bans["2001:db8::1"] = {1'800'000'000'000, 1'800'000'060'000};
  ASSERT_TRUE(save_operator_peers(file, p).ok());
  auto loaded = load_operator_peers(file);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(*loaded, p);
}

TEST(OperatorPeers, ADamagedFileIsRefusedWithItsNameAndWhy) {
  testing::temp_dir dir;
  const auto file = dir / "peers.json";
  const std::string c = crypto::to_text(community(1));
  const std::pair<std::string, std::string> cases[] = {
      {"", "not the JSON object"},
      {"[1, 2]", "not the JSON object"},
      {R"({"added": []})", "\"added\" is not an object"},
      {R"({"added": {"nope": []}})", "are malformed"},
      {R"({"added": {")" + c + R"(": [7]}})", "an added peer is malformed"},
      {R"({"added": {")" + c + R"(": ["no port"]}})", "an added peer is malformed"},
      {R"({"bans": []})", "\"bans\" is not an object"},
      {R"({"bans": {"example.org": {"since_ms": 1, "until_ms": 2}}})", "does not name an IP"},
      {R"({"bans": {"2001:DB8::1": {"since_ms": 1, "until_ms": 2}}})", "does not name an IP"},
      {R"({"bans": {"192.0.2.7": {"since_ms": 1}}})", "is malformed"},
      {R"({"bans": {"192.0.2.7": {"since_ms": 1, "until_ms": "soon"}}})", "is malformed"},
  };
  for (const auto& [text, says] : cases) {
    std::ofstream(file, std::ios::trunc) << text;
    auto r = load_operator_peers(file);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code(), status_code::corruption) << text;
    EXPECT_NE(r.error().message().find(file.string()), std::string::npos) << r.error().message();
    EXPECT_NE(r.error().message().find(says), std::string::npos)
        << text << ": " << r.error().message();
  }
}

}  // namespace
}  // namespace zwerm::node
