// The sync message encodings: round trips, exact bytes of small messages, and refusals.
#include "node/sync/messages.hpp"

#include <gtest/gtest.h>

#include <random>

namespace zwerm::node::sync {
namespace {

template <class T>
T filled(std::uint8_t v) {
  T t;
  t.bytes.fill(v);
  return t;
}

void expect_refused(std::string bytes, const std::string& words, std::uint8_t version = 2) {
  auto r = decode(bytes, version);
  ASSERT_FALSE(r.ok()) << "accepted: " << words;
  EXPECT_EQ(r.error().code(), status_code::rejected);
  EXPECT_NE(r.error().message().find(words), std::string::npos) << r.error().message();
}

std::vector<message> samples() {
  buckets b;
  b.non_empty.set(0);
  b.non_empty.set(7);
  b.non_empty.set(255);
  b.digests = {filled<digest_prefix>(1), filled<digest_prefix>(2), filled<digest_prefix>(3)};
  heads_request q;
  q.which.set(3);
  heads h;
  h.entries = {{filled<member_id>(1), 1, filled<digest_prefix>(9), true},
               {filled<member_id>(2), 300, filled<digest_prefix>(8)}};
  want w;
  w.entries = {{filled<member_id>(5), 1}, {filled<member_id>(6), 1ull << 40}};
  records r;
  r.live = true;
  r.items = {std::string(10, 'a'), std::string(200, 'b')};
  have hv;
  hv.entries = {{filled<member_id>(4), 77}};
  peers p;
  p.entries = {{filled<member_id>(3), "127.0.0.1:4040"}};
  return {hello{1, 2, filled<community_id>(0xc0), filled<frontier_digest>(0xf0), 5},
          frontier{filled<frontier_digest>(7), true},
          b,
          q,
          h,
          w,
          r,
          ack{123456},
          hv,
          peers_request{},
          p,
          fork_proof{std::string(30, 'a'), std::string(300, 'b')}};
}

TEST(SyncMessages, EveryTypeRoundTrips) {
  for (const auto& m : samples()) {
    auto bytes = encode(m);
    EXPECT_EQ(bytes.size(), encoded_size(m)) << name_of(type_of(m));
    auto back = decode(bytes);
    ASSERT_TRUE(back.ok()) << name_of(type_of(m)) << ": " << back.error().message();
    EXPECT_TRUE(*back == m) << name_of(type_of(m));
  }
}

TEST(SyncMessages, HelloIsSixtyEightBytes) {
  auto bytes = encode(hello{1, 2, filled<community_id>(0xaa), filled<frontier_digest>(0xbb), 0});
  ASSERT_EQ(bytes.size(), 68u);
  EXPECT_EQ(bytes[0], 0x01);
  EXPECT_EQ(bytes[1], 0x01);  // min_version
  EXPECT_EQ(bytes[2], 0x02);  // max_version
  EXPECT_EQ(static_cast<unsigned char>(bytes[3]), 0xaa);
  EXPECT_EQ(static_cast<unsigned char>(bytes[66]), 0xbb);
  EXPECT_EQ(bytes[67], 0x00);  // features
}

TEST(SyncMessages, AHelloOfALaterVersionWithMoreFieldsIsRead) {
  // A version-9 node appends fields this version does not know: they are skipped, the hello
  // is read (and the session then settles on a common version or closes).
  hello later{3, 9, filled<community_id>(1), filled<frontier_digest>(2), 1ull << 40};
  auto bytes = encode(later) + std::string(max_hello_extension, 'x');
  auto back = decode(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_TRUE(*back == message(later));
  expect_refused(bytes + "x", "extension");
}

TEST(SyncMessages, HeadsCarryTheForkedFlagFromVersionTwo) {
  heads h;
  h.entries = {{filled<member_id>(1), 1, filled<digest_prefix>(9), true}};
  EXPECT_EQ(encode(h, 2).size(), 1 + 1 + 32 + 1 + 16 + 1u);
  EXPECT_EQ(encode(h, 1).size(), 1 + 1 + 32 + 1 + 16u);  // version 1: no flags byte
  auto v1 = decode(encode(h, 1), 1);
  ASSERT_TRUE(v1.ok());
  EXPECT_FALSE(std::get<heads>(*v1).entries[0].forked);
  auto v2 = decode(encode(h, 2), 2);
  ASSERT_TRUE(v2.ok());
  EXPECT_TRUE(std::get<heads>(*v2).entries[0].forked);
  // Read as the other version, the bytes do not fit.
  EXPECT_FALSE(decode(encode(h, 2), 1).ok());
  EXPECT_FALSE(decode(encode(h, 1), 2).ok());
}

TEST(SyncMessages, ExactBytesOfSmallMessages) {
  EXPECT_EQ(encode(ack{300}), std::string("\x08\xac\x02", 3));
  records r;
  r.items = {"xy"};
  EXPECT_EQ(encode(r), std::string("\x07\x00\x01\x02xy", 6));
  heads_request q;
  q.which.set(0);
  q.which.set(9);
  auto b = encode(q);
  ASSERT_EQ(b.size(), 33u);
  EXPECT_EQ(static_cast<unsigned char>(b[1]), 0x80);  // bucket 0: top bit of byte 0
  EXPECT_EQ(static_cast<unsigned char>(b[2]), 0x40);  // bucket 9: second bit of byte 1
}

TEST(SyncMessages, RefusesMalformedInputWithAReason) {
  expect_refused("", "empty");
  expect_refused(std::string("\x00", 1), "unknown sync message type");
  expect_refused("\x0d", "unknown sync message type");
  expect_refused("\x40", "unknown optional sync message type");
  expect_refused(std::string("\x01\x02\x01", 3) + std::string(65, 'x'), "version range 2..1");
  expect_refused(std::string("\x01\x00\x01", 3) + std::string(65, 'x'), "starts at 0");
  expect_refused(encode(fork_proof{"a", "b"}, 1), "does not exist in version 1", 1);
  expect_refused(encode(fork_proof{"a", "a"}), "the same");
  expect_refused(std::string("\x05\x01", 2) + std::string(49, '\x01') + "\x02", "flag bits");
  expect_refused("\x01\x01", "truncated");
  expect_refused(encode(ack{5}) + "z", "unexpected bytes");
  expect_refused(std::string("\x08\x80\x00", 3), "not minimally encoded");
  expect_refused(std::string("\x08") + std::string(10, '\xff') + "\x01", "64 bits");
  expect_refused(std::string("\x08\x00", 2), "zero bytes");
  // A count far beyond the bytes present is refused before anything is reserved.
  expect_refused(std::string("\x06\xff\xff\x03", 4), "count");
  expect_refused(std::string("\x07\x00\x00", 3), "empty batch");
  expect_refused(std::string("\x07\x02\x01\x01x", 5), "flag");
  expect_refused(std::string("\x07\x00\x01\x05xy", 6), "truncated");
  std::string big_len("\x07\x00\x01", 3);
  put_varint(max_record_size + 1, big_len);
  expect_refused(big_len + std::string(max_record_size + 1, 'r'), "record length");
  heads h;
  h.entries = {{filled<member_id>(2), 1, {}}, {filled<member_id>(1), 1, {}}};
  expect_refused(encode(h), "ascending");
  h.entries = {{filled<member_id>(1), 0, {}}};
  expect_refused(encode(h), "seq 0");
  want w;
  w.entries = {{filled<member_id>(1), 0}};
  expect_refused(encode(w), "from_seq 0");
  buckets b;
  b.non_empty.set(1);
  expect_refused(encode(b), "bitmap marks 1");
  expect_refused(encode(heads_request{}), "no bucket");
  peers p;
  p.entries = {{filled<member_id>(1), "\xff\xfe"}};
  expect_refused(encode(p), "UTF-8");
  expect_refused(std::string(max_message_size + 1, '\x0a'), "exceeds the limit");
}

TEST(SyncMessages, TruncationAtEveryByteIsRefused) {
  for (const auto& m : samples()) {
    auto bytes = encode(m);
    for (std::size_t n = 1; n < bytes.size(); ++n) {
      auto r = decode(std::string_view(bytes).substr(0, n));
      // A shorter prefix may only decode when it is a complete message of its own (it never
      // is here except for peers_request, which has no body).
      EXPECT_FALSE(r.ok()) << name_of(type_of(m)) << " truncated to " << n;
    }
  }
}

TEST(SyncMessages, AcceptedRandomInputIsCanonical) {
  // Whatever the decoder accepts re-encodes to exactly the same bytes: one message has one
  // encoding, so digests and byte counts over messages are well defined.
  std::mt19937_64 rng(42);
  std::size_t accepted = 0;
  for (int i = 0; i < 50000; ++i) {
    std::string s(rng() % 48 + 1, '\0');
    for (auto& c : s) c = static_cast<char>(rng() % 4 == 0 ? 0 : rng());
    s[0] = static_cast<char>(1 + rng() % 12);
    auto m = decode(s);
    if (!m.ok()) continue;
    ++accepted;
    EXPECT_EQ(encode(*m), s);
  }
  EXPECT_GT(accepted, 0u);
}

}  // namespace
}  // namespace zwerm::node::sync
