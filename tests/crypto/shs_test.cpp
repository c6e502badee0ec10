// SHS v1 state machines against the 6 recorded transcripts and the 138 derived negative cases
// (tests/vectors/shs1-transcripts.json, shs1-negative.derived.json), plus properties the
// vectors do not cover: several network keys, replayed messages, keys that cannot handshake.
#include "crypto/shs.hpp"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

#include "crypto/hash.hpp"
#include "crypto/shs_steps.hpp"
#include "crypto/sodium.hpp"
#include "vector_support.hpp"

namespace zwerm::crypto {
namespace {

using nlohmann::json;
using test::bytes_of;
using test::fixed;
using test::hex;

struct session {
  network_key network;
  key_pair client;
  key_pair server;
  ephemeral_key_pair client_eph;
  ephemeral_key_pair server_eph;
  json raw;
};

session parse_session(const json& j) {
  session s;
  s.network = fixed<network_key>(j["network_identifier"]);
  s.client = {fixed<public_key>(j["client_longterm_pk"]),
              fixed<secret_key>(j["client_longterm_sk"])};
  s.server = {fixed<public_key>(j["server_longterm_pk"]),
              fixed<secret_key>(j["server_longterm_sk"])};
  s.client_eph = {fixed<x25519_public_key>(j["client_ephemeral_pk"]),
                  fixed<x25519_secret_key>(j["client_ephemeral_sk"])};
  s.server_eph = {fixed<x25519_public_key>(j["server_ephemeral_pk"]),
                  fixed<x25519_secret_key>(j["server_ephemeral_sk"])};
  s.raw = j;
  return s;
}

std::vector<session> load_sessions() {
  json file = test::load_vectors("shs1-transcripts.json");
  std::vector<session> out;
  for (const auto& j : file["sessions"]) out.push_back(parse_session(j));
  if (out.size() != 6) throw std::runtime_error("shs1-transcripts.json must hold 6 sessions");
  return out;
}

std::string outcome(const shs_session_keys& k) {
  return to_hex(k.encrypt_key) + to_hex(k.encrypt_nonce) + to_hex(k.decrypt_key) +
         to_hex(k.decrypt_nonce);
}

class Shs : public ::testing::Test {
 protected:
  void SetUp() override { init(); }
};

TEST_F(Shs, ClientReproducesEveryTranscript) {
  auto sessions = load_sessions();
  ASSERT_EQ(sessions.size(), 6u);
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    SCOPED_TRACE("session " + std::to_string(i));
    const session& s = sessions[i];
    shs_client c(s.network, s.client, s.server.pk, s.client_eph);
    EXPECT_EQ(hex(c.hello()), s.raw["msg1"]);
    ASSERT_TRUE(c.read_server_hello(bytes_of(s.raw["msg2"])));
    EXPECT_EQ(hex(c.auth()), s.raw["msg3"]);
    ASSERT_TRUE(c.read_server_accept(bytes_of(s.raw["msg4"])));
    shs_session_keys k = c.session_keys();
    EXPECT_EQ(to_hex(k.encrypt_key), s.raw["client_to_server_key"]);
    EXPECT_EQ(to_hex(k.encrypt_nonce), s.raw["client_to_server_nonce"]);
    EXPECT_EQ(to_hex(k.decrypt_key), s.raw["server_to_client_key"]);
    EXPECT_EQ(to_hex(k.decrypt_nonce), s.raw["server_to_client_nonce"]);
    EXPECT_EQ(k.remote, s.server.pk);
    EXPECT_EQ(outcome(k), s.raw["shs1_test_client_outcome"]);
  }
}

TEST_F(Shs, ServerReproducesEveryTranscript) {
  auto sessions = load_sessions();
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    SCOPED_TRACE("session " + std::to_string(i));
    const session& s = sessions[i];
    std::vector<network_key> networks{s.network};
    shs_server sv(networks, s.server, s.server_eph);
    ASSERT_TRUE(sv.read_client_hello(bytes_of(s.raw["msg1"])));
    EXPECT_EQ(sv.network_index(), 0u);
    EXPECT_EQ(hex(sv.hello()), s.raw["msg2"]);
    ASSERT_TRUE(sv.read_client_auth(bytes_of(s.raw["msg3"])));
    EXPECT_EQ(sv.client_key(), s.client.pk);
    EXPECT_EQ(hex(sv.accept()), s.raw["msg4"]);
    shs_session_keys k = sv.session_keys();
    EXPECT_EQ(to_hex(k.encrypt_key), s.raw["server_to_client_key"]);
    EXPECT_EQ(to_hex(k.encrypt_nonce), s.raw["server_to_client_nonce"]);
    EXPECT_EQ(to_hex(k.decrypt_key), s.raw["client_to_server_key"]);
    EXPECT_EQ(to_hex(k.decrypt_nonce), s.raw["client_to_server_nonce"]);
    EXPECT_EQ(k.remote, s.client.pk);
    EXPECT_EQ(outcome(k), s.raw["shs1_test_server_outcome"]);
  }
}

TEST_F(Shs, IntermediateSecretsMatchTranscripts) {
  for (const session& s : load_sessions()) {
    auto ab = shs_x25519(s.client_eph.sk, s.server_eph.pk);
    auto aB = shs_x25519(s.client_eph.sk, *shs_curve_pk(s.server.pk));
    auto Ab = shs_x25519(*shs_curve_sk(s.client.sk), s.server_eph.pk);
    ASSERT_TRUE(ab && aB && Ab);
    EXPECT_EQ(to_hex(*ab), s.raw["shared_secret_ab"]);
    EXPECT_EQ(to_hex(*aB), s.raw["shared_secret_aB"]);
    EXPECT_EQ(to_hex(*Ab), s.raw["shared_secret_Ab"]);
    // The server computes the same three values from its side.
    EXPECT_EQ(*shs_x25519(s.server_eph.sk, s.client_eph.pk), *ab);
    EXPECT_EQ(*shs_x25519(*shs_curve_sk(s.server.sk), s.client_eph.pk), *aB);
    EXPECT_EQ(*shs_x25519(s.server_eph.sk, *shs_curve_pk(s.client.pk)), *Ab);
    shs_secret k3 = shs_msg3_key(s.network, *ab, *aB);
    shs_secret k4 = shs_msg4_key(s.network, *ab, *aB, *Ab);
    EXPECT_EQ(to_hex(k3), s.raw["msg3_secretbox_key"]);
    EXPECT_EQ(to_hex(k4), s.raw["msg4_secretbox_key"]);
    EXPECT_EQ(to_hex(shs_box_secret(k4)), s.raw["box_stream_secret"]);
    auto hello = shs_client_hello_plain(s.network, s.client, s.server.pk, sha256(ab->view()));
    EXPECT_EQ(hex(hello), s.raw["msg3_plaintext"]);
  }
}

TEST_F(Shs, ServerSelectsTheNetworkKeyOfTheHello) {
  for (const session& s : load_sessions()) {
    std::vector<network_key> networks{random_fixed<network_key>(), random_fixed<network_key>(),
                                      s.network, random_fixed<network_key>()};
    shs_server sv(networks, s.server, s.server_eph);
    ASSERT_TRUE(sv.read_client_hello(bytes_of(s.raw["msg1"])));
    EXPECT_EQ(sv.network_index(), 2u);
    EXPECT_EQ(hex(sv.hello()), s.raw["msg2"]);
    ASSERT_TRUE(sv.read_client_auth(bytes_of(s.raw["msg3"])));
    EXPECT_EQ(hex(sv.accept()), s.raw["msg4"]);
    EXPECT_EQ(outcome(sv.session_keys()), s.raw["shs1_test_server_outcome"]);
  }
}

// --------------------------------------------------------------------- negative vectors

TEST_F(Shs, RefusesEveryDerivedNegativeCase) {
  auto sessions = load_sessions();
  json cases = test::load_vectors("shs1-negative.derived.json")["cases"];
  ASSERT_EQ(cases.size(), 138u);
  std::map<std::string, int> per_message;
  for (const json& c : cases) {
    const session& s = sessions.at(c["session"].get<std::size_t>());
    std::string role = c["role_under_test"], bad = c["bad_message"];
    SCOPED_TRACE("session " + c["session"].dump() + " " + role + " " + bad + " " +
                 c["case"].get<std::string>());
    auto bytes = bytes_of(c["bytes"]);
    ++per_message[role + "/" + bad];
    if (role == "server") {
      // The server under test also serves two other networks: the outcome must not change.
      std::vector<network_key> networks{random_fixed<network_key>(), s.network,
                                        random_fixed<network_key>()};
      shs_server sv(networks, s.server, s.server_eph);
      if (bad == "msg1") {
        EXPECT_FALSE(sv.read_client_hello(bytes));
        EXPECT_THROW((void)sv.hello(), std::logic_error);  // no msg2 exists
      } else {
        ASSERT_EQ(bad, "msg3");
        ASSERT_TRUE(sv.read_client_hello(bytes_of(s.raw["msg1"])));
        EXPECT_EQ(hex(sv.hello()), s.raw["msg2"]);
        EXPECT_FALSE(sv.read_client_auth(bytes));
        EXPECT_THROW((void)sv.accept(), std::logic_error);  // no msg4 exists
        EXPECT_THROW((void)sv.client_key(), std::logic_error);
      }
      EXPECT_THROW((void)sv.session_keys(), std::logic_error);
      // A refused handshake stays refused, even for the honest next message.
      EXPECT_FALSE(sv.read_client_auth(bytes_of(s.raw["msg3"])));
    } else {
      ASSERT_EQ(role, "client");
      shs_client cl(s.network, s.client, s.server.pk, s.client_eph);
      EXPECT_EQ(hex(cl.hello()), s.raw["msg1"]);
      if (bad == "msg2") {
        EXPECT_FALSE(cl.read_server_hello(bytes));
        EXPECT_THROW((void)cl.auth(), std::logic_error);  // no msg3 exists
      } else {
        ASSERT_EQ(bad, "msg4");
        ASSERT_TRUE(cl.read_server_hello(bytes_of(s.raw["msg2"])));
        EXPECT_EQ(hex(cl.auth()), s.raw["msg3"]);
        EXPECT_FALSE(cl.read_server_accept(bytes));
      }
      EXPECT_THROW((void)cl.session_keys(), std::logic_error);
      EXPECT_FALSE(cl.read_server_accept(bytes_of(s.raw["msg4"])));
    }
  }
  EXPECT_EQ(per_message["server/msg1"], 36);
  EXPECT_EQ(per_message["server/msg3"], 36);
  EXPECT_EQ(per_message["client/msg2"], 30);
  EXPECT_EQ(per_message["client/msg4"], 36);
}

TEST_F(Shs, RefusesWrongLengths) {
  session s = load_sessions().at(0);
  auto msg1 = bytes_of(s.raw["msg1"]);
  for (std::size_t len : {std::size_t{0}, std::size_t{63}, std::size_t{65}}) {
    std::vector<std::uint8_t> m(msg1);
    m.resize(len, 0);
    std::vector<network_key> networks{s.network};
    shs_server sv(networks, s.server, s.server_eph);
    EXPECT_FALSE(sv.read_client_hello(m)) << len;
  }
  std::vector<network_key> networks{s.network};
  shs_server sv(networks, s.server, s.server_eph);
  ASSERT_TRUE(sv.read_client_hello(msg1));
  auto msg3 = bytes_of(s.raw["msg3"]);
  msg3.push_back(0);  // a 113-byte msg3 whose first 112 bytes are right
  EXPECT_FALSE(sv.read_client_auth(msg3));

  shs_client cl(s.network, s.client, s.server.pk, s.client_eph);
  ASSERT_TRUE(cl.read_server_hello(bytes_of(s.raw["msg2"])));
  auto msg4 = bytes_of(s.raw["msg4"]);
  msg4.pop_back();
  EXPECT_FALSE(cl.read_server_accept(msg4));
}

// ------------------------------------------------------------------ beyond the vectors

TEST_F(Shs, FreshKeysAgreeBothWays) {
  network_key n = random_fixed<network_key>();
  key_pair a = generate_key_pair(), b = generate_key_pair();
  std::vector<network_key> networks{n};
  for (int round = 0; round < 20; ++round) {
    shs_client c(n, a, b.pk);
    shs_server s(networks, b);
    ASSERT_TRUE(s.read_client_hello(c.hello()));
    ASSERT_TRUE(c.read_server_hello(s.hello()));
    ASSERT_TRUE(s.read_client_auth(c.auth()));
    EXPECT_EQ(s.client_key(), a.pk);
    ASSERT_TRUE(c.read_server_accept(s.accept()));
    auto ck = c.session_keys(), sk = s.session_keys();
    EXPECT_EQ(ck.encrypt_key, sk.decrypt_key);
    EXPECT_EQ(ck.encrypt_nonce, sk.decrypt_nonce);
    EXPECT_EQ(ck.decrypt_key, sk.encrypt_key);
    EXPECT_EQ(ck.decrypt_nonce, sk.encrypt_nonce);
    EXPECT_NE(ck.encrypt_key, ck.decrypt_key);
    EXPECT_EQ(ck.remote, b.pk);
    EXPECT_EQ(sk.remote, a.pk);
  }
}

TEST_F(Shs, EphemeralKeysAreFreshPerConnection) {
  network_key n = random_fixed<network_key>();
  key_pair a = generate_key_pair(), b = generate_key_pair();
  shs_client c1(n, a, b.pk), c2(n, a, b.pk);
  EXPECT_NE(c1.hello(), c2.hello());
}

TEST_F(Shs, ClientRefusesAServerThatIsNotTheExpectedKey) {
  network_key n = random_fixed<network_key>();
  key_pair a = generate_key_pair(), b = generate_key_pair(), impostor = generate_key_pair();
  std::vector<network_key> networks{n};
  shs_client c(n, a, b.pk);
  shs_server s(networks, impostor);
  ASSERT_TRUE(s.read_client_hello(c.hello()));
  ASSERT_TRUE(c.read_server_hello(s.hello()));
  // The client's msg3 box key contains aB for the key it expects: the impostor cannot open it.
  EXPECT_FALSE(s.read_client_auth(c.auth()));
}

TEST_F(Shs, ReplayedClientHelloNeverGetsPastMessage3) {
  session s = load_sessions().at(1);
  std::vector<network_key> networks{s.network};
  // A new server (fresh ephemeral key) answers the replayed msg1 ...
  shs_server sv(networks, s.server);
  ASSERT_TRUE(sv.read_client_hello(bytes_of(s.raw["msg1"])));
  EXPECT_NE(hex(sv.hello()), s.raw["msg2"]);
  // ... but the recorded msg3 was boxed for the old server ephemeral key.
  EXPECT_FALSE(sv.read_client_auth(bytes_of(s.raw["msg3"])));
  EXPECT_THROW((void)sv.accept(), std::logic_error);
}

TEST_F(Shs, ClientRefusesAServerKeyThatCannotHandshake) {
  // The mixed-order key of speccheck cases 3-5: it verifies signatures, but has no X25519 form.
  json cases = test::load_vectors("ed25519-speccheck-cases.json");
  public_key bad_server = fixed<public_key>(cases.at(3)["pub_key"]);
  ASSERT_FALSE(can_handshake(bad_server));
  network_key n = random_fixed<network_key>();
  shs_client c(n, generate_key_pair(), bad_server);
  auto server_eph = generate_ephemeral_key_pair();
  EXPECT_FALSE(c.read_server_hello(shs_challenge(n, server_eph.pk)));
  EXPECT_THROW((void)c.auth(), std::logic_error);
}

TEST_F(Shs, LowOrderEphemeralKeysAreRefusedEvenWithAValidHmac) {
  network_key n = random_fixed<network_key>();
  key_pair a = generate_key_pair(), b = generate_key_pair();
  std::vector<network_key> networks{n};
  // u = 0, u = 1 and the order-8 point of Wycheproof's "ZeroSharedSecret" cases.
  for (const char* u : {"0000000000000000000000000000000000000000000000000000000000000000",
                        "0100000000000000000000000000000000000000000000000000000000000000",
                        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"}) {
    x25519_public_key low = fixed<x25519_public_key>(json(u));
    shs_server sv(networks, b);
    EXPECT_FALSE(sv.read_client_hello(shs_challenge(n, low))) << u;
    shs_client cl(n, a, b.pk);
    EXPECT_FALSE(cl.read_server_hello(shs_challenge(n, low))) << u;
  }
}

TEST_F(Shs, OutOfOrderCallsAreCallerBugs) {
  network_key n = random_fixed<network_key>();
  key_pair a = generate_key_pair(), b = generate_key_pair();
  std::vector<network_key> networks{n};
  shs_client c(n, a, b.pk);
  EXPECT_THROW((void)c.auth(), std::logic_error);
  EXPECT_THROW((void)c.session_keys(), std::logic_error);
  shs_server s(networks, b);
  EXPECT_THROW((void)s.hello(), std::logic_error);
  EXPECT_THROW((void)s.network_index(), std::logic_error);
  EXPECT_THROW((void)s.accept(), std::logic_error);
  std::vector<network_key> none;
  EXPECT_THROW(shs_server(none, b), std::invalid_argument);
  // Peer messages delivered out of order are refusals, not exceptions.
  EXPECT_FALSE(c.read_server_accept(std::vector<std::uint8_t>(shs_msg4_size)));
  EXPECT_FALSE(s.read_client_auth(std::vector<std::uint8_t>(shs_msg3_size)));
}

}  // namespace
}  // namespace zwerm::crypto
