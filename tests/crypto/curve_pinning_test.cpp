// Pins the Ed25519 and X25519 behaviour zwerm relies on, so that a libsodium change cannot
// silently make nodes of one community disagree on which records verify or who can handshake:
// Wycheproof Ed25519 and X25519, and the 12 ed25519-speccheck edge cases.
#include <gtest/gtest.h>

#include <algorithm>

#include "crypto/shs_steps.hpp"
#include "crypto/sign.hpp"
#include "crypto/sodium.hpp"
#include "vector_support.hpp"

namespace zwerm::crypto {
namespace {

using nlohmann::json;
using test::fixed;
using test::unhex;

TEST(CurvePinning, WycheproofEd25519) {
  init();
  json v = test::load_vectors("wycheproof-ed25519_test.json");
  int valid_accepted = 0, invalid_rejected = 0, total = 0;
  for (const json& group : v["testGroups"]) {
    public_key pk = fixed<public_key>(group["publicKey"]["pk"]);
    for (const json& t : group["tests"]) {
      ++total;
      const bool expect_valid = t["result"] == "valid";
      std::string sig_bytes = unhex(t["sig"]);
      bool accepted = false;
      signature sig;
      if (signature::from(sig_bytes, &sig)) accepted = verify(sig, unhex(t["msg"]), pk);
      EXPECT_EQ(accepted, expect_valid) << "tcId " << t["tcId"] << " " << t["comment"];
      if (expect_valid && accepted) ++valid_accepted;
      if (!expect_valid && !accepted) ++invalid_rejected;
    }
  }
  EXPECT_EQ(total, 151);
  EXPECT_EQ(valid_accepted, 88);
  EXPECT_EQ(invalid_rejected, 63);
}

TEST(CurvePinning, WycheproofX25519) {
  init();
  json v = test::load_vectors("wycheproof-x25519_test.json");
  int valid = 0, acceptable_computed = 0, acceptable_refused = 0;
  for (const json& group : v["testGroups"]) {
    for (const json& t : group["tests"]) {
      SCOPED_TRACE("tcId " + t["tcId"].dump() + " " + t["comment"].get<std::string>());
      auto out =
          shs_x25519(fixed<x25519_secret_key>(t["private"]), fixed<x25519_public_key>(t["public"]));
      const auto& flags = t["flags"];
      const bool zero_shared =
          std::find(flags.begin(), flags.end(), json("ZeroSharedSecret")) != flags.end();
      if (t["result"] == "valid") {
        ASSERT_TRUE(out.has_value());
        EXPECT_EQ(to_hex(*out), t["shared"]);
        ++valid;
      } else {
        ASSERT_EQ(t["result"], "acceptable");
        if (out) {
          EXPECT_EQ(to_hex(*out), t["shared"]);
          ++acceptable_computed;
        } else {
          // Only low-order public keys (all-zero shared secret) may be refused; SHS relies on
          // exactly this refusal for low-order ephemeral keys.
          EXPECT_TRUE(zero_shared);
          ++acceptable_refused;
        }
      }
    }
  }
  EXPECT_EQ(valid, 264);
  EXPECT_EQ(acceptable_computed, 223);
  EXPECT_EQ(acceptable_refused, 31);
}

TEST(CurvePinning, SpeccheckPattern) {
  init();
  json cases = test::load_vectors("ed25519-speccheck-cases.json");
  ASSERT_EQ(cases.size(), 12u);
  std::string verify_pattern, handshake_pattern;
  for (const json& c : cases) {
    public_key pk = fixed<public_key>(c["pub_key"]);
    signature sig = fixed<signature>(c["signature"]);
    verify_pattern += verify(sig, unhex(c["message"]), pk) ? 'V' : 'X';
    handshake_pattern += can_handshake(pk) ? 'H' : '-';
    EXPECT_EQ(can_handshake(pk), shs_curve_pk(pk).has_value());
  }
  // libsodium 1.0.18 accepts only case 3 (the repository's results table for libsodium).
  EXPECT_EQ(verify_pattern, "XXXVXXXXXXXX");
  // Only the key of cases 6-7 has an X25519 form: the key of case 3 signs records that verify
  // but can never complete the handshake, which is why zwerm refuses such member keys.
  EXPECT_EQ(handshake_pattern, "------HH----");
}

}  // namespace
}  // namespace zwerm::crypto
