#include <gtest/gtest.h>

#include "node/peers/peer_info.hpp"
#include "tests/node/peers/fakes.hpp"

namespace zwerm::node::peers {
namespace {

using testing::key;

peer_info full_info() {
  peer_info i;
  i.sources = 0b1111;
  i.keys[static_cast<std::size_t>(source::config)] = key(1);
  i.keys[static_cast<std::size_t>(source::profile)] = key(3);
  i.keys[static_cast<std::size_t>(source::exchange)] = key(4);
  i.self = true;
  i.failures = 70000;
  i.misbehaviours = 3;
  i.learned = time_point(milliseconds(1'700'000'000'123));
  i.last_success = time_point(milliseconds(1'700'000'100'000));
  i.next_attempt = time_point(milliseconds(1'700'000'200'000));
  i.ban_until = time_point(milliseconds(INT64_MAX));
  return i;
}

TEST(PeerInfo, RoundTripsEveryField) {
  const peer_info i = full_info();
  const std::string blob = encode_info(i);
  EXPECT_EQ(blob.size(), 44u + 3 * 32);
  auto back = decode_info(blob);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, i);
  EXPECT_EQ(encode_info(*back), blob);
}

TEST(PeerInfo, RoundTripsAKeylessSingleSourceEntry) {
  peer_info i;
  i.sources = 1u << static_cast<int>(source::config);
  const std::string blob = encode_info(i);
  EXPECT_EQ(blob.size(), 44u);
  auto back = decode_info(blob);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, i);
  EXPECT_FALSE(back->key());
}

TEST(PeerInfo, TheMostTrustedSourceNamesTheKey) {
  peer_info i = full_info();
  EXPECT_EQ(i.key_source(), source::profile);
  EXPECT_EQ(i.key(), key(3));
  i.keys[static_cast<std::size_t>(source::profile)].reset();
  EXPECT_EQ(i.key_source(), source::config);  // invite is present but names no key
  i.keys[static_cast<std::size_t>(source::invite)] = key(2);
  EXPECT_EQ(i.key(), key(2));
  i.sources = 1u << static_cast<int>(source::exchange);
  EXPECT_EQ(i.key(), key(4));
}

TEST(PeerInfo, HasALayoutASecondImplementationCanWrite) {
  peer_info i;
  i.sources = 0b0100;  // profile
  i.keys[2] = key(9);
  i.failures = 0x01020304;
  i.misbehaviours = 5;
  i.learned = time_point(milliseconds(0x0102030405060708));
  const std::string blob = encode_info(i);
  EXPECT_EQ(crypto::to_hex(std::string_view(blob).substr(0, 20)),
            "0104040001020304000000050102030405060708");
  EXPECT_EQ(std::string_view(blob).substr(44), key(9).view());
}

TEST(PeerInfo, RefusesDamagedBlobsWithASentence) {
  const std::string good = encode_info(full_info());
  auto refused = [](std::string blob) {
    auto r = decode_info(blob);
    if (r.ok()) return false;
    EXPECT_EQ(r.error().code(), status_code::corruption);
    EXPECT_NE(r.error().message().find("damaged"), std::string::npos);
    return true;
  };
  EXPECT_TRUE(refused(""));
  EXPECT_TRUE(refused(good.substr(0, 43)));
  EXPECT_TRUE(refused(good.substr(0, good.size() - 1)));
  EXPECT_TRUE(refused(good + "x"));
  std::string b = good;
  b[0] = 2;  // version
  EXPECT_TRUE(refused(b));
  b = good;
  b[1] = 0;  // no source
  EXPECT_TRUE(refused(b));
  b = good;
  b[1] = 0x1f;  // undefined source bit
  EXPECT_TRUE(refused(b));
  b = good;
  b[1] = 0b0001;  // keys for sources it does not have
  EXPECT_TRUE(refused(b));
  b = good;
  b[3] = 2;  // undefined flag
  EXPECT_TRUE(refused(b));
  b = good;
  b[12] = static_cast<char>(0x80);  // negative time
  EXPECT_TRUE(refused(b));
}

}  // namespace
}  // namespace zwerm::node::peers
