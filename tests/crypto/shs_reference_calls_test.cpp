// Replays the 159 calls recorded from the JS reference SHS (secret-handshake/crypto.js) in
// tests/vectors/shs1-test-secret-handshake.data.json against zwerm's SHS steps
// (crypto/shs_steps.hpp), each call recomputed from its recorded input state. See
// tests/vectors/README.md §1 for the state fields and the caveats: inputs were recorded after
// the call mutated them, `clean` entries are expected final states only, `null` = reject.
#include <gtest/gtest.h>

#include <map>

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

key_pair local_keys(const json& st) {
  return {fixed<public_key>(st["local"]["publicKey"]), fixed<secret_key>(st["local"]["secretKey"])};
}

// verifyChallenge: check msg1/msg2's hmac, then ab = scalarmult(local eph sk, remote eph pk).
// Returns false where the reference returned null.
bool verify_challenge(const json& st, const json& challenge, const json& expect) {
  network_key n = fixed<network_key>(st["app_key"]);
  shs_mac mac;
  auto remote = shs_verify_challenge(n, bytes_of(challenge), &mac);
  if (!remote) return false;
  auto ab = shs_x25519(fixed<x25519_secret_key>(st["local"]["kx_sk"]), *remote);
  if (!ab) return false;
  EXPECT_EQ(to_hex(*remote), expect["remote"]["kx_pk"]);
  EXPECT_EQ(to_hex(mac), expect["remote"]["app_mac"]);
  EXPECT_EQ(to_hex(*ab), expect["secret"]);
  EXPECT_EQ(to_hex(sha256(ab->view())), expect["shash"]);
  return true;
}

bool client_verify_challenge(const json& st, const json& msg2, const json& expect) {
  if (!verify_challenge(st, msg2, expect)) return false;
  network_key n = fixed<network_key>(st["app_key"]);
  public_key server = fixed<public_key>(st["remote"]["publicKey"]);
  auto server_curve = shs_curve_pk(server);
  if (!server_curve) return false;
  auto aB = shs_x25519(fixed<x25519_secret_key>(st["local"]["kx_sk"]), *server_curve);
  if (!aB) return false;
  shs_secret ab = fixed<shs_secret>(expect["secret"]);
  EXPECT_EQ(to_hex(*aB), expect["a_bob"]);
  EXPECT_EQ(to_hex(shs_msg3_key(n, ab, *aB)), expect["secret2"]);
  auto hello = shs_client_hello_plain(n, local_keys(st), server, sha256(ab.view()));
  EXPECT_EQ(hex(hello), expect["local"]["hello"]);
  return true;
}

bool server_verify_auth(const json& st, const json& msg3, const json& expect) {
  network_key n = fixed<network_key>(st["app_key"]);
  key_pair local = local_keys(st);
  auto remote_eph = fixed<x25519_public_key>(st["remote"]["kx_pk"]);
  auto curve_sk = shs_curve_sk(local.sk);
  if (!curve_sk) return false;
  auto aB = shs_x25519(*curve_sk, remote_eph);
  if (!aB) return false;
  shs_secret ab = fixed<shs_secret>(st["secret"]);
  shs_secret key3 = shs_msg3_key(n, ab, *aB);
  auto plain = shs_unbox(bytes_of(msg3), key3);
  if (!plain || plain->size() != 96) return false;
  std::vector<std::uint8_t> hello(plain->begin(), plain->end());
  public_key client;
  if (!shs_verify_client_hello_plain(n, local.pk, fixed<sha256_digest>(st["shash"]), hello,
                                     &client)) {
    return false;
  }
  auto client_curve = shs_curve_pk(client);
  if (!client_curve) return false;
  auto Ab = shs_x25519(fixed<x25519_secret_key>(st["local"]["kx_sk"]), *client_curve);
  if (!Ab) return false;
  EXPECT_EQ(to_hex(*aB), expect["a_bob"]);
  EXPECT_EQ(to_hex(key3), expect["secret2"]);
  EXPECT_EQ(test::hex(*plain), expect["remote"]["hello"]);
  EXPECT_EQ(to_hex(client), expect["remote"]["publicKey"]);
  EXPECT_EQ(to_hex(*Ab), expect["b_alice"]);
  EXPECT_EQ(to_hex(shs_msg4_key(n, ab, *aB, *Ab)), expect["secret3"]);
  return true;
}

bool client_verify_accept(const json& st, const json& msg4, const json& expect) {
  network_key n = fixed<network_key>(st["app_key"]);
  key_pair local = local_keys(st);
  auto curve_sk = shs_curve_sk(local.sk);
  if (!curve_sk) return false;
  auto Ab = shs_x25519(*curve_sk, fixed<x25519_public_key>(st["remote"]["kx_pk"]));
  if (!Ab) return false;
  shs_secret key4 =
      shs_msg4_key(n, fixed<shs_secret>(st["secret"]), fixed<shs_secret>(st["a_bob"]), *Ab);
  auto plain = shs_unbox(bytes_of(msg4), key4);
  if (!plain || plain->size() != 64) return false;
  signature sig_b;
  signature::from(*plain, &sig_b);
  if (!shs_verify_server_accept_sig(n, fixed<public_key>(st["remote"]["publicKey"]),
                                    bytes_of(st["local"]["hello"]),
                                    fixed<sha256_digest>(st["shash"]), sig_b)) {
    return false;
  }
  EXPECT_EQ(to_hex(*Ab), expect["b_alice"]);
  EXPECT_EQ(to_hex(key4), expect["secret3"]);
  return true;
}

TEST(ShsReferenceCalls, EveryRecordedCallIsReproduced) {
  init();
  json calls = test::load_vectors("shs1-test-secret-handshake.data.json");
  ASSERT_EQ(calls.size(), 159u);
  std::map<std::string, int> count, rejected;
  // The last successful state per (local eph pk, remote eph pk), for linking `clean` entries.
  std::map<std::string, json> last_state;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const json& call = calls[i];
    const std::string name = call["name"];
    const json& args = call["args"];
    const json& result = call["result"];
    SCOPED_TRACE("entry " + std::to_string(i) + " " + name);
    ++count[name];
    if (result.is_null()) ++rejected[name];

    try {
      if (name == "initialize") {
        const json& st = args[0];
        if (st.contains("seed") && !st.at("seed").is_null()) {
          key_pair kp = key_pair_from_seed(fixed<seed>(st["seed"]));
          EXPECT_EQ(to_hex(kp.pk), result["local"]["publicKey"]);
          EXPECT_EQ(to_hex(kp.sk), result["local"]["secretKey"]);
        }
        auto eph = shs_ephemeral_from_ed25519_seed(fixed<seed>(st["random"]));
        ASSERT_TRUE(eph);
        EXPECT_EQ(to_hex(eph->pk), result["local"]["kx_pk"]);
        EXPECT_EQ(to_hex(eph->sk), result["local"]["kx_sk"]);
        EXPECT_EQ(to_hex(shs_app_mac(fixed<network_key>(st["app_key"]), eph->pk)),
                  result["local"]["app_mac"]);
      } else if (name == "createChallenge") {
        const json& st = args[0];
        EXPECT_EQ(hex(shs_challenge(fixed<network_key>(st["app_key"]),
                                    fixed<x25519_public_key>(st["local"]["kx_pk"]))),
                  result);
      } else if (name == "verifyChallenge") {
        EXPECT_EQ(verify_challenge(args[0], args[1], result), !result.is_null());
      } else if (name == "clientVerifyChallenge") {
        EXPECT_EQ(client_verify_challenge(args[0], args[1], result), !result.is_null());
      } else if (name == "clientCreateAuth") {
        const json& st = args[0];
        auto msg3 = shs_box(bytes_of(st["local"]["hello"]), fixed<shs_secret>(st["secret2"]));
        EXPECT_EQ(hex(msg3), result);
        EXPECT_EQ(msg3.size(), 112u);
      } else if (name == "serverVerifyAuth") {
        EXPECT_EQ(server_verify_auth(args[0], args[1], result), !result.is_null());
      } else if (name == "serverCreateAccept") {
        const json& st = args[0];
        network_key n = fixed<network_key>(st["app_key"]);
        signature sig = shs_server_accept_sig(n, local_keys(st).sk, bytes_of(st["remote"]["hello"]),
                                              fixed<sha256_digest>(st["shash"]));
        auto msg4 = shs_box(sig.bytes, fixed<shs_secret>(st["secret3"]));
        EXPECT_EQ(hex(msg4), result);
        EXPECT_EQ(msg4.size(), 80u);
      } else if (name == "clientVerifyAccept") {
        EXPECT_EQ(client_verify_accept(args[0], args[1], result), !result.is_null());
      } else if (name == "clean") {
        // Expected final state: box_secret and the two stream keys, derived from the secret3 of
        // the same session's last successful step.
        std::string link = result["local"]["kx_pk"].get<std::string>() +
                           result["remote"]["kx_pk"].get<std::string>();
        ASSERT_TRUE(last_state.count(link)) << "no earlier state for this session";
        shs_secret box_secret = shs_box_secret(fixed<shs_secret>(last_state[link]["secret3"]));
        EXPECT_EQ(to_hex(box_secret), result["secret"]);
        EXPECT_EQ(
            to_hex(shs_stream_key(box_secret, fixed<public_key>(result["remote"]["publicKey"]))),
            result["encryptKey"]);
        EXPECT_EQ(
            to_hex(shs_stream_key(box_secret, fixed<public_key>(result["local"]["publicKey"]))),
            result["decryptKey"]);
        EXPECT_TRUE(result["secret3"].is_null());
      } else if (name == "toKeys") {
        const json& in = args[0];
        seed s = in.is_string()
                     ? fixed<seed>(in)
                     : fixed<seed>(json(in["secretKey"].get<std::string>().substr(0, 64)));
        key_pair kp = key_pair_from_seed(s);
        EXPECT_EQ(to_hex(kp.pk), result["publicKey"]);
        EXPECT_EQ(to_hex(kp.sk), result["secretKey"]);
      } else {
        ADD_FAILURE() << "unknown call name " << name;
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << "entry " << i << " (" << name << "): " << e.what();
    }
    if (result.is_object() && result.contains("secret3") && !result["secret3"].is_null()) {
      last_state[result["local"]["kx_pk"].get<std::string>() +
                 result["remote"]["kx_pk"].get<std::string>()] = result;
    }
  }
  // The counts of tests/vectors/README.md §1: every entry was recognised and none skipped.
  EXPECT_EQ(count["initialize"], 34);
  EXPECT_EQ(count["createChallenge"], 31);
  EXPECT_EQ(count["verifyChallenge"], 30);
  EXPECT_EQ(rejected["verifyChallenge"], 4);
  EXPECT_EQ(count["clientVerifyChallenge"], 14);
  EXPECT_EQ(rejected["clientVerifyChallenge"], 2);
  EXPECT_EQ(count["clientCreateAuth"], 12);
  EXPECT_EQ(count["serverVerifyAuth"], 12);
  EXPECT_EQ(rejected["serverVerifyAuth"], 1);
  EXPECT_EQ(count["serverCreateAccept"], 6);
  EXPECT_EQ(count["clientVerifyAccept"], 6);
  EXPECT_EQ(count["clean"], 12);
  EXPECT_EQ(count["toKeys"], 2);
}

}  // namespace
}  // namespace zwerm::crypto
