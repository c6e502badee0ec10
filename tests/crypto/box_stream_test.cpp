// Box-stream against tests/vectors/box-stream.vectors.json (known answers, the 9 negative
// cases, nonce increments) and box-stream-c's nonce-boundary round trip.
#include "crypto/box_stream.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <map>
#include <stdexcept>

#include "crypto/hash.hpp"
#include "crypto/sodium.hpp"
#include "vector_support.hpp"

namespace zwerm::crypto {
namespace {

using nlohmann::json;
using test::fixed;
using test::unhex;

// What a receiver gets from a byte stream that ends (EOF) after `wire`.
struct received {
  std::vector<std::string> bodies;
  bool ended = false;      // goodbye opened
  bool failed = false;     // a header or body was refused
  bool truncated = false;  // EOF before the goodbye, with no refusal
  bool header_refused = false;
  std::size_t refused_len = 0;  // body length announced by the last accepted header
};

received receive(box_stream_opener& o, std::string_view wire) {
  received r;
  while (true) {
    if (wire.size() < box_header_size) {
      r.truncated = true;  // EOF (possibly mid-header) without a goodbye
      return r;
    }
    std::size_t len = 0;
    auto h = o.open_header(wire.substr(0, box_header_size), &len);
    wire.remove_prefix(box_header_size);
    if (h == box_stream_opener::header_result::bad) {
      r.failed = r.header_refused = true;
      return r;
    }
    if (h == box_stream_opener::header_result::goodbye) {
      r.ended = true;
      if (!wire.empty()) r.failed = true;  // bytes after the goodbye: a protocol violation
      return r;
    }
    r.refused_len = len;
    if (wire.size() < len) {
      r.truncated = true;
      return r;
    }
    std::string body;
    if (!o.open_body(wire.substr(0, len), body)) {
      r.failed = true;
      return r;
    }
    wire.remove_prefix(len);
    r.bodies.push_back(body);
  }
}

class BoxStream : public ::testing::Test {
 protected:
  void SetUp() override {
    init();
    v_ = test::load_vectors("box-stream.vectors.json");
  }
  json v_;
};

TEST_F(BoxStream, ConstantsMatchTheVectors) {
  EXPECT_EQ(v_["constants"]["header_bytes"], box_header_size);
  EXPECT_EQ(v_["constants"]["max_body_bytes"], box_max_body);
}

TEST_F(BoxStream, SealsTheKnownAnswerStream) {
  const json& s = v_["stream_1"];
  box_stream_sealer sealer(fixed<box_key>(s["key"]), fixed<box_nonce>(s["initial_nonce"]));
  std::string wire;
  for (const json& f : s["frames"]) {
    std::string frame;
    sealer.seal(unhex(f["plaintext"]), frame);
    EXPECT_EQ(test::hex(frame), f["header"].get<std::string>() + f["body"].get<std::string>());
    // The header box holds be16(len) ‖ body tag, at the header nonce.
    unsigned char plain[18];
    box_key key = fixed<box_key>(s["key"]);
    box_nonce hn = fixed<box_nonce>(f["header_nonce"]);
    ASSERT_EQ(
        crypto_secretbox_open_easy(plain, reinterpret_cast<const unsigned char*>(frame.data()), 34,
                                   hn.data(), key.data()),
        0);
    EXPECT_EQ(to_hex(std::string_view(reinterpret_cast<char*>(plain), 18)), f["header_plaintext"]);
    wire += frame;
  }
  std::string bye;
  sealer.goodbye(bye);
  EXPECT_EQ(test::hex(bye), s["goodbye"]);
  wire += bye;
  EXPECT_EQ(test::hex(wire), s["whole_stream"]);
}

TEST_F(BoxStream, OpensTheKnownAnswerStream) {
  const json& s = v_["stream_1"];
  box_stream_opener opener(fixed<box_key>(s["key"]), fixed<box_nonce>(s["initial_nonce"]));
  received r = receive(opener, unhex(s["whole_stream"]));
  EXPECT_TRUE(r.ended);
  EXPECT_FALSE(r.failed || r.truncated);
  EXPECT_TRUE(opener.ended());
  ASSERT_EQ(r.bodies.size(), 2u);
  EXPECT_EQ(test::hex(r.bodies[0]), s["frames"][0]["plaintext"]);
  EXPECT_EQ(test::hex(r.bodies[1]), s["frames"][1]["plaintext"]);
}

TEST_F(BoxStream, RefusesEveryNegativeCase) {
  const std::string plain1 = unhex(v_["stream_1"]["frames"][0]["plaintext"]);
  int seen = 0;
  for (const json& c : v_["negative_cases"]) {
    const std::string name = c["case"];
    SCOPED_TRACE(name);
    ++seen;
    box_stream_opener o(fixed<box_key>(c["key"]), fixed<box_nonce>(c["nonce"]));
    received r = receive(o, unhex(c["bytes"]));
    EXPECT_FALSE(r.ended);
    if (name == "header_bit_flip" || name == "header_bit_flip_in_ciphertext" ||
        name == "frames_swapped" || name == "goodbye_at_wrong_nonce" ||
        name == "header_claims_4097" || name == "header_len0_nonzero_tag") {
      EXPECT_TRUE(r.header_refused);
      EXPECT_TRUE(r.bodies.empty());
      EXPECT_TRUE(o.failed());
    } else if (name == "body_bit_flip") {
      EXPECT_FALSE(r.header_refused);
      EXPECT_EQ(r.refused_len, 8u);
      EXPECT_TRUE(r.failed);
      EXPECT_TRUE(r.bodies.empty());
      EXPECT_TRUE(o.failed());
    } else if (name == "frame_replayed") {
      ASSERT_EQ(r.bodies.size(), 1u);
      EXPECT_EQ(r.bodies[0], plain1);
      EXPECT_TRUE(r.header_refused);
      EXPECT_TRUE(o.failed());
    } else if (name == "truncated_no_goodbye") {
      ASSERT_EQ(r.bodies.size(), 1u);
      EXPECT_EQ(r.bodies[0], plain1);
      EXPECT_TRUE(r.truncated);
      EXPECT_FALSE(r.failed);
      EXPECT_FALSE(o.ended());  // what the transport checks at EOF: not a clean close
    } else {
      ADD_FAILURE() << "unknown negative case";
    }
  }
  EXPECT_EQ(seen, 9);
}

TEST_F(BoxStream, OversizedLengthIsRefusedFromTheHeaderAlone) {
  const json& c = v_["negative_cases"][6];
  ASSERT_EQ(c["case"], "header_claims_4097");
  box_stream_opener o(fixed<box_key>(c["key"]), fixed<box_nonce>(c["nonce"]));
  std::size_t len = 12345;
  EXPECT_EQ(o.open_header(unhex(c["bytes"]), &len), box_stream_opener::header_result::bad);
  EXPECT_EQ(len, 12345u);  // nothing announced: the caller never reads or allocates a body
}

TEST_F(BoxStream, NonceIncrement) {
  ASSERT_EQ(v_["nonce_increment"].size(), 4u);
  for (const json& c : v_["nonce_increment"]) {
    box_nonce n = fixed<box_nonce>(c["nonce"]);
    increment_nonce(n);
    EXPECT_EQ(to_hex(n), c["plus_1"]);
    increment_nonce(n);
    EXPECT_EQ(to_hex(n), c["plus_2"]);
  }
}

// The nonce the k-th frame's header uses, computed independently: start + 2k as a 192-bit
// big-endian integer modulo 2^192.
box_nonce header_nonce(box_nonce start, std::uint64_t k) {
  std::uint64_t add = 2 * k;
  unsigned carry = 0;
  for (std::size_t i = start.size(); i-- > 0;) {
    unsigned sum = start.bytes[i] + static_cast<unsigned>(add & 0xff) + carry;
    start.bytes[i] = static_cast<std::uint8_t>(sum);
    carry = sum >> 8;
    add >>= 8;
  }
  return start;
}

// box-stream-c's test_nounce_boundaries: 10,000 random 8-byte packets from nonce ff..fffd00,
// which carries across every byte and wraps to zero on the way.
TEST_F(BoxStream, TenThousandPacketsAcrossNonceBoundaries) {
  box_key key = random_fixed<box_key>();
  box_nonce start;
  start.bytes.fill(0xff);
  start.bytes[22] = 0xfd;
  start.bytes[23] = 0x00;
  box_stream_sealer sealer(key, start);
  box_stream_opener opener(key, start);
  bool wrapped = false;
  for (std::uint64_t k = 0; k < 10000; ++k) {
    std::string packet(8, '\0');
    random_bytes(packet.data(), packet.size());
    std::string frame;
    sealer.seal(packet, frame);
    ASSERT_EQ(frame.size(), box_header_size + 8);
    box_nonce hn = header_nonce(start, k);
    if (hn.is_zero()) wrapped = true;
    unsigned char hp[18];
    ASSERT_EQ(crypto_secretbox_open_easy(hp, reinterpret_cast<const unsigned char*>(frame.data()),
                                         box_header_size, hn.data(), key.data()),
              0)
        << "frame " << k << " was not sealed at nonce start+2k";
    std::size_t len = 0;
    ASSERT_EQ(opener.open_header(std::string_view(frame).substr(0, box_header_size), &len),
              box_stream_opener::header_result::body)
        << k;
    ASSERT_EQ(len, 8u);
    std::string out;
    ASSERT_TRUE(opener.open_body(std::string_view(frame).substr(box_header_size), out)) << k;
    ASSERT_EQ(out, packet);
  }
  EXPECT_TRUE(wrapped);
  std::string bye;
  sealer.goodbye(bye);
  std::size_t len = 0;
  EXPECT_EQ(opener.open_header(bye, &len), box_stream_opener::header_result::goodbye);
}

TEST_F(BoxStream, LongMessagesAreSplitIntoBodiesOfAtMost4096) {
  box_key key = random_fixed<box_key>();
  box_nonce nonce = random_fixed<box_nonce>();
  box_stream_sealer sealer(key, nonce);
  std::string plain(10000, '\0');
  random_bytes(plain.data(), plain.size());
  std::string wire;
  sealer.seal(plain, wire);
  sealer.seal("", wire);  // appends nothing
  EXPECT_EQ(wire.size(), 3 * box_header_size + plain.size());
  sealer.goodbye(wire);
  box_stream_opener opener(key, nonce);
  received r = receive(opener, wire);
  EXPECT_TRUE(r.ended);
  EXPECT_FALSE(r.failed);
  ASSERT_EQ(r.bodies.size(), 3u);
  EXPECT_EQ(r.bodies[0].size(), 4096u);
  EXPECT_EQ(r.bodies[1].size(), 4096u);
  EXPECT_EQ(r.bodies[2].size(), 1808u);
  EXPECT_EQ(r.bodies[0] + r.bodies[1] + r.bodies[2], plain);
}

TEST_F(BoxStream, EveryFlippedBitOfAStreamIsDetected) {
  const json& s = v_["stream_1"];
  const std::string wire = unhex(s["whole_stream"]);
  for (std::size_t bit = 0; bit < wire.size() * 8; ++bit) {
    std::string bad = wire;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    box_stream_opener o(fixed<box_key>(s["key"]), fixed<box_nonce>(s["initial_nonce"]));
    received r = receive(o, bad);
    EXPECT_TRUE(r.failed) << "bit " << bit;
    EXPECT_FALSE(r.ended) << "bit " << bit;
  }
}

TEST_F(BoxStream, WrongKeyOrNonceOpensNothing) {
  const json& s = v_["stream_1"];
  box_nonce nonce = fixed<box_nonce>(s["initial_nonce"]);
  box_stream_opener wrong_key(random_fixed<box_key>(), nonce);
  EXPECT_TRUE(receive(wrong_key, unhex(s["whole_stream"])).header_refused);
  increment_nonce(nonce);
  box_stream_opener wrong_nonce(fixed<box_key>(s["key"]), nonce);
  EXPECT_TRUE(receive(wrong_nonce, unhex(s["whole_stream"])).header_refused);
}

TEST_F(BoxStream, CallsOutOfOrderFailTheStream) {
  const json& s = v_["stream_1"];
  const std::string wire = unhex(s["whole_stream"]);
  box_key key = fixed<box_key>(s["key"]);
  box_nonce nonce = fixed<box_nonce>(s["initial_nonce"]);
  std::string out;
  {
    box_stream_opener o(key, nonce);  // a body without a header
    EXPECT_FALSE(o.open_body(wire.substr(34, 8), out));
    EXPECT_TRUE(o.failed());
    std::size_t len;  // and nothing opens afterwards, not even the right header
    EXPECT_EQ(o.open_header(wire.substr(0, 34), &len), box_stream_opener::header_result::bad);
  }
  {
    box_stream_opener o(key, nonce);  // a body of another length than announced
    std::size_t len = 0;
    ASSERT_EQ(o.open_header(wire.substr(0, 34), &len), box_stream_opener::header_result::body);
    EXPECT_FALSE(o.open_body(wire.substr(34, 7), out));
    EXPECT_TRUE(o.failed());
  }
  {
    box_stream_opener o(key, nonce);  // a header of the wrong size
    std::size_t len;
    EXPECT_EQ(o.open_header(wire.substr(0, 33), &len), box_stream_opener::header_result::bad);
  }
  {
    box_stream_opener o(key, nonce);  // anything after the goodbye
    received r = receive(o, wire + wire.substr(0, 42));
    EXPECT_TRUE(r.ended);
    std::size_t len;
    EXPECT_EQ(o.open_header(wire.substr(0, 34), &len), box_stream_opener::header_result::bad);
    EXPECT_TRUE(o.failed());
  }
  EXPECT_TRUE(out.empty());
  box_stream_sealer sealer(key, nonce);
  std::string bye;
  sealer.goodbye(bye);
  EXPECT_THROW(sealer.seal("x", bye), std::logic_error);
  EXPECT_THROW(sealer.goodbye(bye), std::logic_error);
}

}  // namespace
}  // namespace zwerm::crypto
