// The checks every dashboard request passes (node/http/request_guard.hpp), without sockets.
#include "node/http/request_guard.hpp"

#include <gtest/gtest.h>

namespace zwerm::node::http {
namespace {

TEST(RequestGuard, HostMustNameTheBoundLoopbackAddressAndPort) {
  EXPECT_TRUE(host_allowed("127.0.0.1:7480", "127.0.0.1", 7480));
  EXPECT_TRUE(host_allowed("localhost:7480", "127.0.0.1", 7480));
  EXPECT_TRUE(host_allowed("LocalHost:7480", "127.0.0.1", 7480));
  EXPECT_TRUE(host_allowed("[::1]:7480", "::1", 7480));
  EXPECT_FALSE(host_allowed("127.0.0.1:7481", "127.0.0.1", 7480));
  EXPECT_FALSE(host_allowed("127.0.0.1", "127.0.0.1", 7480));
  EXPECT_FALSE(host_allowed("", "127.0.0.1", 7480));
  EXPECT_FALSE(host_allowed("evil.example:7480", "127.0.0.1", 7480));
  EXPECT_FALSE(host_allowed("localhost.evil.example:7480", "127.0.0.1", 7480));
  EXPECT_FALSE(host_allowed("10.1.2.3:7480", "127.0.0.1", 7480));
  EXPECT_FALSE(host_allowed("127.0.0.1:7480:7480", "127.0.0.1", 7480));
  EXPECT_FALSE(host_allowed("[::1]x:7480", "::1", 7480));
}

TEST(RequestGuard, AWildcardBindTakesIpLiteralsButNoNames) {
  EXPECT_TRUE(host_allowed("192.168.1.20:7480", "0.0.0.0", 7480));
  EXPECT_TRUE(host_allowed("localhost:7480", "0.0.0.0", 7480));
  EXPECT_FALSE(host_allowed("my-laptop.lan:7480", "0.0.0.0", 7480));
  EXPECT_FALSE(host_allowed("192.168.1.20:80", "0.0.0.0", 7480));
  EXPECT_TRUE(host_allowed("192.168.1.20:7480", "192.168.1.20", 7480));
  EXPECT_FALSE(host_allowed("192.168.1.21:7480", "192.168.1.20", 7480));
}

TEST(RequestGuard, TargetsAreDecodedAndDotSegmentsRefused) {
  auto t = parse_target("/api/who_knows?community=ab%20c&topic=t%C3%BCr&empty=");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/api/who_knows");
  EXPECT_EQ(t->query.at("community"), "ab c");
  EXPECT_EQ(t->query.at("topic"), "t\xC3\xBCr");
  EXPECT_EQ(t->query.at("empty"), "");
  EXPECT_TRUE(parse_target("/"));
  EXPECT_TRUE(parse_target("/assets/dashboard.js"));
  EXPECT_TRUE(parse_target("/a..b/c.d"));
  for (const char* bad :
       {"",      "*",         "http://evil/", "../x",    "/..",      "/../x",  "/a/../b", "/a/./b",
        "/.",    "/%2e%2e/x", "/%2E%2e/x",    "/.%2e/x", "/a/%2e/b", "/a%2fb", "/a%2F..", "/a%5cb",
        "/a\\b", "/a%00",     "/a%0a",        "/%",      "/%4",      "/%zz",   "/a?x=%g1"}) {
    EXPECT_FALSE(parse_target(bad)) << bad;
  }
}

TEST(RequestGuard, CookiesAndSecrets) {
  EXPECT_EQ(cookie_value("a=1; zwerm_7480=tok; b=2", "zwerm_7480"), "tok");
  EXPECT_EQ(cookie_value("zwerm_7480=tok", "zwerm_7480"), "tok");
  EXPECT_FALSE(cookie_value("zwerm_74800=tok", "zwerm_7480"));
  EXPECT_FALSE(cookie_value("", "zwerm_7480"));
  EXPECT_TRUE(same_secret("abc", "abc"));
  EXPECT_FALSE(same_secret("abc", "abd"));
  EXPECT_FALSE(same_secret("abc", "abcd"));
  EXPECT_FALSE(same_secret("", "a"));
}

TEST(RequestGuard, Loopback) {
  EXPECT_TRUE(is_loopback("127.0.0.1"));
  EXPECT_TRUE(is_loopback("127.8.9.10"));
  EXPECT_TRUE(is_loopback("::1"));
  EXPECT_FALSE(is_loopback("0.0.0.0"));
  EXPECT_FALSE(is_loopback("192.168.1.1"));
  EXPECT_FALSE(is_loopback("localhost"));
}

}  // namespace
}  // namespace zwerm::node::http
