#include "node/daemon/invite_code.hpp"

#include <gtest/gtest.h>

#include "base/base64url.hpp"

namespace zwerm::node {
namespace {

template <class T>
T filled(std::uint8_t start) {
  T v;
  for (std::size_t i = 0; i < T::size(); ++i) v.bytes[i] = static_cast<std::uint8_t>(start + i);
  return v;
}

invite_code sample(bool with_token, std::size_t peers) {
  invite_code c;
  c.community = filled<community_id>(1);
  c.network_key = filled<crypto::network_key>(40);
  c.invite_id = filled<record_id>(80);
  c.invite_lamport = 0x0102030405060708;
  if (with_token) c.token = filled<invite_token>(120);
  for (std::size_t i = 0; i < peers; ++i) {
    c.peers.push_back({filled<crypto::public_key>(static_cast<std::uint8_t>(160 + i)),
                       i % 2 ? host_port{"2001:db8::7", 7412} : host_port{"127.0.0.1", 7411}});
  }
  return c;
}

TEST(InviteCode, RoundTripsWithAndWithoutToken) {
  for (bool token : {true, false}) {
    for (std::size_t peers : {1u, 3u, 8u}) {
      auto code = sample(token, peers);
      auto text = encode_invite_code(code);
      ASSERT_TRUE(text.ok()) << text.error().message();
      EXPECT_EQ(text->rfind("zw1-", 0), 0u);
      auto back = decode_invite_code("  " + *text + "\n");  // as pasted from a terminal
      ASSERT_TRUE(back.ok()) << back.error().message();
      EXPECT_EQ(*back, code);
    }
  }
}

TEST(InviteCode, EncodeRefusesWhatCannotBeDialed) {
  EXPECT_FALSE(encode_invite_code(sample(true, 0)).ok());
  EXPECT_FALSE(encode_invite_code(sample(true, 9)).ok());
  auto c = sample(true, 1);
  c.peers[0].address.port = 0;
  EXPECT_FALSE(encode_invite_code(c).ok());
}

std::string message_for(std::string_view text) {
  auto r = decode_invite_code(text);
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code(), status_code::invalid_argument);
  EXPECT_EQ(r.error().message().rfind("this is not a zwerm invite code: ", 0), 0u);
  return r.error().message();
}

TEST(InviteCode, CarriesTheInvitesLamportBigEndianAfterItsId) {
  std::string raw;
  ASSERT_TRUE(crypto::base64url_decode(encode_invite_code(sample(false, 1))->substr(4), &raw));
  EXPECT_EQ(raw[0], 0x02);  // flags: no token, lamport present
  EXPECT_EQ(raw.substr(1 + 96, 8), std::string("\1\2\3\4\5\6\7\x08", 8));
  // A code of an older zwerm (no lamport) is refused with advice; a zero lamport is refused.
  std::string old = raw;
  old[0] = 0;
  old.erase(1 + 96, 8);
  EXPECT_NE(message_for("zw1-" + crypto::base64url_encode(old)).find("older zwerm"),
            std::string::npos);
  std::string zero = raw;
  zero.replace(1 + 96, 8, std::string(8, '\0'));
  EXPECT_NE(message_for("zw1-" + crypto::base64url_encode(zero)).find("lamport is 0"),
            std::string::npos);
  auto c = sample(false, 1);
  c.invite_lamport = 0;
  EXPECT_FALSE(encode_invite_code(c).ok());
}

TEST(InviteCode, EveryTruncationIsRefused) {
  auto text = *encode_invite_code(sample(true, 2));
  std::string raw;
  ASSERT_TRUE(crypto::base64url_decode(text.substr(4), &raw));
  for (std::size_t n = 0; n < raw.size(); ++n) {
    message_for("zw1-" + crypto::base64url_encode(raw.substr(0, n)));
  }
}

TEST(InviteCode, MalformedInputsSayWhy) {
  EXPECT_NE(message_for("hello").find("zw1-"), std::string::npos);
  EXPECT_NE(message_for("zw1-!!!!").find("base64url"), std::string::npos);
  auto raw_of = [](const invite_code& c) {
    std::string raw;
    EXPECT_TRUE(crypto::base64url_decode(encode_invite_code(c)->substr(4), &raw));
    return raw;
  };
  std::string raw = raw_of(sample(false, 1));
  EXPECT_NE(message_for("zw1-" + crypto::base64url_encode(raw + "x")).find("after the last"),
            std::string::npos);
  std::string flags = raw;
  flags[0] = 4;
  EXPECT_NE(message_for("zw1-" + crypto::base64url_encode(flags)).find("flags"), std::string::npos);
  std::string zero_peers = raw.substr(0, 1 + 96 + 8) + std::string(1, '\0');
  EXPECT_NE(message_for("zw1-" + crypto::base64url_encode(zero_peers)).find("1 to 8"),
            std::string::npos);
  // An address that is not host:port.
  std::string bad_addr = raw.substr(0, 1 + 96 + 8) + std::string(1, '\1') + std::string(32, 'k') +
                         std::string(1, '\5') + "hello";
  EXPECT_NE(message_for("zw1-" + crypto::base64url_encode(bad_addr)).find("address"),
            std::string::npos);
}

}  // namespace
}  // namespace zwerm::node
