// Pins the worked example of docs/PROTOCOL.md §2.9: if this test changes, the document must
// change with it. The values were also checked with an independent Ed25519/BLAKE2b
// implementation (Python's hashlib and the `cryptography` package).
#include <gtest/gtest.h>

#include "base/base64url.hpp"
#include "crypto/hash.hpp"
#include "crypto/sodium.hpp"
#include "node/records/record_parse.hpp"
#include "node/records/record_writer.hpp"

namespace zwerm::node {
namespace {

constexpr char seed_hex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr char author_text[] = "A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg";

constexpr char genesis_payload[] =
    R"({"v":1,"author":"A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg","seq":1,"prev":null,)"
    R"("lamport":1,"ts":1764244800000,"type":"community.create","body":{"name":"Tuinkring",)"
    R"("purpose":"Samen tuinieren en van elkaar leren","policy":{"invite_by":"member",)"
    R"("quorum_pct":50}}})";
constexpr char genesis_id_hex[] =
    "9ef137c77c97364a0610449f56dc32e3c8671e7ef73a804104b05e82f8e0f9b6";
constexpr char genesis_id_text[] = "nvE3x3yXNkoGEESfVtwy48hnHn73OoBBBLBegvjg-bY";
constexpr char genesis_sig_hex[] =
    "5eb908a58ec736920c87318e4a0672043ddf49dab41b6d88e32b8c535ca83a10"
    "3597ca3127d4486dc5a46cfd77fe81587f16e9059f270fa6db29846b365bd808";

constexpr char request_payload[] =
    R"({"v":1,"community":"nvE3x3yXNkoGEESfVtwy48hnHn73OoBBBLBegvjg-bY",)"
    R"("author":"A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg","seq":2,)"
    R"("prev":"nvE3x3yXNkoGEESfVtwy48hnHn73OoBBBLBegvjg-bY","lamport":2,"ts":1764248400000,)"
    R"("type":"request","body":{"title":"Wie weet hoe je appelbomen snoeit?",)"
    R"("body":"Onze bomen zijn vijf jaar oud.","tags":["tuin","snoeien"]}})";
constexpr char request_id_text[] = "YaiBcQ5QAYZj90fQPcl7zk2u3kThEiWQmiZNIgOdEwI";
constexpr char request_sig_text[] =
    "mZtIRRI3qc-g7BUB1gcnJdCEsv37Ieb0jZpf4x25M_9inN8qq7pXBe32mDUZKikqIpn4NoTjEhMYzL7bCdm3BA";

class ProtocolExample : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    std::string raw;
    ASSERT_TRUE(crypto::from_hex(seed_hex, &raw));
    crypto::seed s;
    ASSERT_TRUE(crypto::seed::from(raw, &s));
    key_ = crypto::key_pair_from_seed(s);
  }
  crypto::key_pair key_;
};

TEST_F(ProtocolExample, TheWriterProducesTheDocumentedBytes) {
  EXPECT_EQ(crypto::to_text(key_.pk), author_text);
  auto genesis = write_genesis(
      R"({"name":"Tuinkring","purpose":"Samen tuinieren en van elkaar leren","policy":{"invite_by":"member","quorum_pct":50}})",
      1764244800000, key_);
  ASSERT_TRUE(genesis.ok()) << genesis.error().message();
  EXPECT_EQ(genesis->payload(), genesis_payload);
  EXPECT_EQ(genesis->payload().size(), 263u);
  EXPECT_EQ(crypto::to_hex(genesis->id), genesis_id_hex);
  EXPECT_EQ(crypto::to_text(genesis->id), genesis_id_text);
  EXPECT_EQ(crypto::to_hex(std::string_view(genesis->bytes).substr(263)), genesis_sig_hex);

  feed_writer feed = feed_writer::after_genesis(key_, *genesis);
  auto request = feed.append(
      "request",
      R"({"title":"Wie weet hoe je appelbomen snoeit?","body":"Onze bomen zijn vijf jaar oud.","tags":["tuin","snoeien"]})",
      1764248400000);
  ASSERT_TRUE(request.ok()) << request.error().message();
  EXPECT_EQ(request->payload(), request_payload);
  EXPECT_EQ(crypto::to_text(request->id), request_id_text);
  EXPECT_EQ(
      crypto::base64url_encode(std::string_view(request->bytes).substr(request->payload().size())),
      request_sig_text);
}

TEST_F(ProtocolExample, TheDocumentedBytesParseAndChain) {
  std::string sig;
  ASSERT_TRUE(crypto::from_hex(genesis_sig_hex, &sig));
  auto genesis = parse_record(std::string(genesis_payload) + sig);
  ASSERT_TRUE(genesis.ok()) << genesis.error().message;
  EXPECT_EQ(crypto::to_text(genesis->community), genesis_id_text);
  EXPECT_EQ(
      genesis->body,
      R"({"name":"Tuinkring","purpose":"Samen tuinieren en van elkaar leren","policy":{"invite_by":"member","quorum_pct":50}})");

  ASSERT_TRUE(crypto::base64url_decode(request_sig_text, &sig));
  auto request = parse_record(std::string(request_payload) + sig);
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(check_chain(*request, head_after(*genesis)).verdict, chain_verdict::next);
  EXPECT_LT(order_of(*genesis), order_of(*request));
}

}  // namespace
}  // namespace zwerm::node
