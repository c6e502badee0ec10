#include "net/message_codec.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace zwerm::net {
namespace {

std::string random_bytes(std::mt19937& rng, std::size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

struct collected {
  std::vector<std::string> messages;
  std::size_t keepalives = 0;
};

status feed_all(message_assembler& a, std::string_view bytes, collected& out) {
  return a.feed(
      bytes,
      [&](std::string_view m) {
        out.messages.emplace_back(m);
        return true;
      },
      &out.keepalives);
}

TEST(MessageCodec, HeaderIsBigEndianLength) {
  std::string plain;
  append_message(plain, std::string(0x010203, 'x'));
  ASSERT_EQ(plain.size(), 4u + 0x010203);
  EXPECT_EQ(plain.substr(0, 4), std::string("\x00\x01\x02\x03", 4));
  std::string empty;
  append_message(empty, "");
  EXPECT_EQ(empty, std::string(4, '\0'));
}

TEST(MessageCodec, ReassemblesWhateverTheChunking) {
  std::mt19937 rng(7);
  std::vector<std::string> sent;
  std::string plain;
  for (std::size_t size : {1u, 2u, 3u, 4u, 5u, 300u, 4091u, 4092u, 4096u, 4097u, 10000u, 70000u}) {
    sent.push_back(random_bytes(rng, size));
    append_message(plain, sent.back());
    append_message(plain, "");  // a keepalive between messages
  }
  // Every chunk size from 1 byte to a whole 4096-byte body, and random chunkings.
  for (std::size_t chunk : {1u, 2u, 3u, 5u, 7u, 64u, 333u, 4096u, 100000u}) {
    message_assembler a(1 << 20);
    collected got;
    for (std::size_t at = 0; at < plain.size(); at += chunk) {
      ASSERT_TRUE(feed_all(a, std::string_view(plain).substr(at, chunk), got).ok());
    }
    EXPECT_EQ(got.messages, sent) << "chunk " << chunk;
    EXPECT_EQ(got.keepalives, sent.size()) << "chunk " << chunk;
    EXPECT_EQ(a.buffered(), 0u);
  }
  for (int round = 0; round < 20; ++round) {
    message_assembler a(1 << 20);
    collected got;
    std::size_t at = 0;
    while (at < plain.size()) {
      const std::size_t n = 1 + rng() % 5000;
      ASSERT_TRUE(feed_all(a, std::string_view(plain).substr(at, n), got).ok());
      at += n;
    }
    EXPECT_EQ(got.messages, sent) << "round " << round;
  }
}

TEST(MessageCodec, RefusesOversizeLengthFromTheHeaderAlone) {
  // Only the 4 header bytes arrive: the refusal must not wait for (or allocate) the payload.
  for (std::size_t split : {4u, 1u, 2u, 3u}) {
    message_assembler a(1000);
    collected got;
    const std::string header("\x00\x00\x03\xe9", 4);  // 1001 > 1000
    status st = feed_all(a, header.substr(0, split), got);
    if (split < 4) {
      ASSERT_TRUE(st.ok());
      st = feed_all(a, header.substr(split), got);
    }
    EXPECT_EQ(st.code(), status_code::rejected);
    EXPECT_NE(st.message().find("1001"), std::string::npos) << st.message();
    EXPECT_LE(a.buffered(), 4u);
  }
  message_assembler huge(1 << 20);
  collected got;
  EXPECT_FALSE(feed_all(huge, std::string("\xff\xff\xff\xff", 4), got).ok());
}

TEST(MessageCodec, AcceptsExactlyTheBound) {
  message_assembler a(1000);
  std::string plain;
  append_message(plain, std::string(1000, 'a'));
  collected got;
  ASSERT_TRUE(feed_all(a, plain, got).ok());
  ASSERT_EQ(got.messages.size(), 1u);
  EXPECT_EQ(got.messages[0].size(), 1000u);
}

TEST(MessageCodec, SinkCanStopFeeding) {
  message_assembler a(100);
  std::string plain;
  append_message(plain, "one");
  append_message(plain, "two");
  int calls = 0;
  ASSERT_TRUE(a.feed(plain, [&](std::string_view) { return ++calls < 1; }).ok());
  EXPECT_EQ(calls, 1);
}

TEST(MessageCodec, AdmissionMessage) {
  std::string_view token;
  const std::string m = encode_admission("secret-token");
  EXPECT_EQ(m[0], '\x01');
  ASSERT_TRUE(decode_admission(m, &token));
  EXPECT_EQ(token, "secret-token");
  ASSERT_TRUE(decode_admission(encode_admission(""), &token));
  EXPECT_TRUE(token.empty());
  EXPECT_FALSE(decode_admission("", &token));
  EXPECT_FALSE(decode_admission("\x02token", &token));
  EXPECT_FALSE(decode_admission(encode_admission(std::string(max_token_size + 1, 't')), &token));
  EXPECT_TRUE(decode_admission(encode_admission(std::string(max_token_size, 't')), &token));
}

}  // namespace
}  // namespace zwerm::net
