#include "node/daemon/config.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace zwerm::node {
namespace {

daemon_options parse_ok(std::string_view text) {
  auto r = parse_config(text, "config.json");
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? *r : daemon_options{};
}

std::string parse_error(std::string_view text) {
  auto r = parse_config(text, "config.json");
  EXPECT_FALSE(r.ok()) << "accepted: " << text;
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code(), status_code::invalid_argument);
  return r.error().message();
}

TEST(Config, EmptyObjectGivesDefaults) {
  auto o = parse_ok("{}");
  EXPECT_EQ(o.name, "");
  EXPECT_EQ(o.listen, (host_port{"0.0.0.0", 7411}));
  EXPECT_FALSE(o.advertise.has_value());
  EXPECT_TRUE(o.bootstrap.empty());
  EXPECT_EQ(o.target_peers, 6u);
  EXPECT_EQ(o.log, log_level::info);
  EXPECT_EQ(o.limits.max_rpc_line_bytes, 1u << 20);
}

TEST(Config, EveryFieldWithCommentsOfBothKinds) {
  auto o = parse_ok(R"(// zwermd configuration
  {
    "name": "Ada",            // shown to others
    "listen": "127.0.0.1:0",  /* the system picks a port */
    "advertise": "ada.example:7411",
    "bootstrap": ["192.0.2.7:7411", "[2001:db8::1]:7412"],
    "target_peers": 3,
    "log_level": "debug",
    "limits": {"max_inbound": 10, "max_inbound_per_address": 2, "max_rpc_clients": 5,
               "max_rpc_line_bytes": 4096, "max_watch_queue": 7}
  })");
  EXPECT_EQ(o.name, "Ada");
  EXPECT_EQ(o.listen, (host_port{"127.0.0.1", 0}));
  ASSERT_TRUE(o.advertise.has_value());
  EXPECT_EQ(o.advertise->to_string(), "ada.example:7411");
  ASSERT_EQ(o.bootstrap.size(), 2u);
  EXPECT_EQ(o.bootstrap[1].host, "2001:db8::1");
  EXPECT_EQ(o.bootstrap[1].to_string(), "[2001:db8::1]:7412");
  EXPECT_EQ(o.target_peers, 3u);
  EXPECT_EQ(o.log, log_level::debug);
  EXPECT_EQ(o.limits.max_inbound, 10u);
  EXPECT_EQ(o.limits.max_inbound_per_address, 2u);
  EXPECT_EQ(o.limits.max_rpc_clients, 5u);
  EXPECT_EQ(o.limits.max_rpc_line_bytes, 4096u);
  EXPECT_EQ(o.limits.max_watch_queue, 7u);
}

TEST(Config, WhatZwermInitWritesParses) {
  // cli/init_command.cpp writes this shape (with a leading comment).
  auto o = parse_ok(
      "// zwermd configuration. Comments are allowed. See docs/OPERATIONS.md.\n"
      R"({"name": "Ada", "listen": "0.0.0.0:7411", "bootstrap": [], "target_peers": 6,
          "log_level": "info"})");
  EXPECT_EQ(o.name, "Ada");
}

TEST(Config, SyntaxErrorNamesTheLine) {
  auto msg = parse_error("{\n  \"name\": \"Ada\",\n  \"listen\" \"x\"\n}");
  EXPECT_NE(msg.find("config.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 3"), std::string::npos) << msg;
}

TEST(Config, UnknownFieldIsRefusedWithTheKnownOnes) {
  auto msg = parse_error(R"({"lisen": "0.0.0.0:7411"})");
  EXPECT_NE(msg.find("'lisen'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("listen"), std::string::npos) << msg;
  msg = parse_error(R"({"limits": {"max_everything": 1}})");
  EXPECT_NE(msg.find("limits.max_everything"), std::string::npos) << msg;
}

TEST(Config, PeerDiscoveryIsABoolDefaultingToOn) {
  auto defaults = parse_config("{}", "config.json");
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->peer_discovery);
  auto off = parse_config(R"({"peer_discovery": false})", "config.json");
  ASSERT_TRUE(off.ok()) << off.error().message();
  EXPECT_FALSE(off->peer_discovery);
  EXPECT_NE(parse_error(R"({"peer_discovery": "no"})").find("true or false"), std::string::npos);
}

TEST(Config, VerifyThreadsDefaultsToTheCoresAtMostFourAndIsBounded) {
  auto defaults = parse_ok("{}");
  EXPECT_EQ(defaults.verify_threads, default_verify_threads());
  EXPECT_GE(defaults.verify_threads, 1u);
  EXPECT_LE(defaults.verify_threads, 4u);
  EXPECT_EQ(parse_ok(R"({"verify_threads": 1})").verify_threads, 1u);
  EXPECT_EQ(parse_ok(R"({"verify_threads": 8})").verify_threads, 8u);
  EXPECT_NE(parse_error(R"({"verify_threads": 0})").find("between 1 and 64"), std::string::npos);
  EXPECT_NE(parse_error(R"({"verify_threads": 65})").find("between 1 and 64"), std::string::npos);
  EXPECT_NE(parse_error(R"({"verify_threads": "two"})").find("whole number"), std::string::npos);
}

TEST(Config, WrongTypesAndRanges) {
  EXPECT_NE(parse_error(R"({"name": 5})").find("'name'"), std::string::npos);
  EXPECT_NE(parse_error(R"({"target_peers": "six"})").find("whole number"), std::string::npos);
  EXPECT_NE(parse_error(R"({"target_peers": 65})").find("between 0 and 64"), std::string::npos);
  EXPECT_NE(parse_error(R"({"target_peers": -1})").find("between"), std::string::npos);
  EXPECT_NE(parse_error(R"({"target_peers": 2.5})").find("whole number"), std::string::npos);
  EXPECT_NE(parse_error(R"({"log_level": "loud"})").find("trace, debug"), std::string::npos);
  EXPECT_NE(parse_error(R"({"bootstrap": "192.0.2.7:7411"})").find("list"), std::string::npos);
  EXPECT_NE(parse_error(R"({"limits": {"max_rpc_line_bytes": 10}})").find("between 1024"),
            std::string::npos);
  EXPECT_NE(parse_error("[1, 2]").find("JSON object"), std::string::npos);
}

TEST(Config, BadAddresses) {
  for (const char* bad :
       {R"({"listen": "7411"})", R"({"listen": ":7411"})", R"({"listen": "host:70000"})",
        R"({"listen": "host:abc"})", R"({"listen": "::1:7411"})", R"({"listen": "[::1]7411"})",
        R"({"listen": "a b:1"})", R"({"bootstrap": ["192.0.2.7:0"]})",
        R"({"advertise": "ada.example:0"})"}) {
    auto msg = parse_error(bad);
    EXPECT_FALSE(msg.empty()) << bad;
  }
  auto msg = parse_error(R"({"bootstrap": ["192.0.2.7:7411", "nope"]})");
  EXPECT_NE(msg.find("bootstrap[1]"), std::string::npos) << msg;
}

TEST(Config, HostPort) {
  auto hp = parse_host_port("[::1]:9");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "::1");
  EXPECT_EQ(hp->port, 9);
  EXPECT_FALSE(parse_host_port("").ok());
  EXPECT_FALSE(parse_host_port("[::1").ok());
}

TEST(Config, LoadMissingFileGivesDefaultsAndUnreadableFails) {
  zwerm::testing::temp_dir dir;
  auto missing = load_config(dir / "config.json");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->target_peers, 6u);
  { std::ofstream(dir / "config.json") << "{ \"target_peers\": 2 } // two\n"; }
  auto loaded = load_config(dir / "config.json");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->target_peers, 2u);
  { std::ofstream(dir / "config.json") << "{ \"target_peers\": }"; }
  auto bad = load_config(dir / "config.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find((dir / "config.json").string()), std::string::npos);
}

}  // namespace
}  // namespace zwerm::node
