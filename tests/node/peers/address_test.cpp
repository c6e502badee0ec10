#include <gtest/gtest.h>

#include "base/base64url.hpp"
#include "node/peers/address.hpp"

namespace zwerm::node::peers {
namespace {

TEST(PeerAddress, ParsesNamesIpv4AndBracketedIpv6) {
  auto a = parse_address("Node.Example.org:7411");
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->host, "node.example.org");
  EXPECT_EQ(a->port, 7411);
  EXPECT_EQ(a->text(), "node.example.org:7411");

  auto b = parse_address("192.0.2.7:1");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->text(), "192.0.2.7:1");

  auto c = parse_address("[2001:DB8::1]:65535");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->host, "2001:db8::1");
  EXPECT_EQ(c->port, 65535);
  EXPECT_EQ(c->text(), "[2001:db8::1]:65535");
}

TEST(PeerAddress, CanonicalFormDropsLeadingZerosAndCase) {
  auto a = parse_address("LOCALHOST:007411");
  ASSERT_FALSE(a.ok());  // more than 5 port digits
  auto b = parse_address("LOCALHOST:07411");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->text(), "localhost:7411");
  EXPECT_EQ(parse_address(b->text())->text(), b->text());  // canonical is a fixed point
}

TEST(PeerAddress, RefusesWhatNamesNoDialableNode) {
  for (const char* bad :
       {"",        "host",      "host:",         ":7411",        "host:0",    "host:65536",
        "host:-1", "host:+80",  "host:7a",       "::1:7411",     "[::1]",     "[::1:7411",
        "[]:7411", "[::]:7411", "[0:0::0]:7411", "0.0.0.0:7411", "ho st:1",   "h_st:1",
        "-host:1", ".host:1",   "h\xc3\xa9:1",   "[::g]:1",      "host:99999"}) {
    auto r = parse_address(bad);
    EXPECT_FALSE(r.ok()) << "accepted '" << bad << "'";
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), status_code::invalid_argument);
      EXPECT_NE(r.error().message().find("not a dialable address"), std::string::npos);
    }
  }
}

TEST(PeerAddress, RefusesOverlongTextAndQuotesOnlyAPrefix) {
  const std::string long_host(300, 'a');
  auto r = parse_address(long_host + ":1");
  ASSERT_FALSE(r.ok());
  EXPECT_LT(r.error().message().size(), 200u);
  const std::string max_host(max_address_size - 2, 'a');  // "a…a:1" is exactly 255 bytes
  EXPECT_TRUE(parse_address(max_host + ":1").ok());
  EXPECT_FALSE(parse_address(max_host + ":11").ok());
}

TEST(PeerAddress, HintsCarryAnOptionalKeyBeforeTheAddress) {
  crypto::public_key k;
  k.bytes.fill(0x42);
  const std::string key_text = crypto::to_text(k);
  auto h = parse_hint(key_text + "@Example.org:7411");
  ASSERT_TRUE(h.ok()) << h.error().message();
  EXPECT_EQ(h->key, k);
  EXPECT_EQ(h->address, "example.org:7411");
  auto bare = parse_hint("[::1]:7411");
  ASSERT_TRUE(bare.ok());
  EXPECT_FALSE(bare->key);
  EXPECT_EQ(bare->address, "[::1]:7411");
  EXPECT_FALSE(parse_hint("@host:1").ok());
  EXPECT_FALSE(parse_hint(key_text.substr(1) + "@host:1").ok());
  EXPECT_FALSE(parse_hint(key_text + "@host").ok());
  EXPECT_FALSE(parse_hint(key_text + "@" + key_text + "@host:1").ok());
}

}  // namespace
}  // namespace zwerm::node::peers
