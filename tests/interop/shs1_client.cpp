// zwerm-shs-client NETWORK_KEY_HEX SERVER_PK_HEX: the client role of Secret Handshake v1 on
// stdin/stdout, as the shs1-test harness (`shs1testclient`) expects: write msg1, read msg2,
// write msg3, read msg4, then write the 112-byte outcome
// encrypt_key(32) ‖ encrypt_nonce(24) ‖ decrypt_key(32) ‖ decrypt_nonce(24) and exit 0. On any
// refusal it writes nothing more and exits 1. The client's long-term key is fresh each run.
#include <array>
#include <cstdio>
#include <exception>

#include "crypto/shs.hpp"
#include "crypto/sodium.hpp"
#include "shs1_stdio.hpp"

namespace crypto = zwerm::crypto;
using namespace zwerm::interop;

int main(int argc, char** argv) try {
  crypto::network_key network;
  crypto::public_key server;
  if (argc != 3 || !hex_arg(argv[1], &network) || !hex_arg(argv[2], &server)) {
    std::fprintf(stderr, "usage: zwerm-shs-client NETWORK_KEY_HEX(32) SERVER_PK_HEX(32)\n");
    return exit_error;
  }
  ignore_sigpipe();
  crypto::init();
  crypto::shs_client client(network, crypto::generate_key_pair(), server);

  std::array<std::uint8_t, crypto::shs_msg2_size> msg2;
  std::array<std::uint8_t, crypto::shs_msg4_size> msg4;
  if (!write_all(client.hello())) return exit_refused;
  if (!read_exact(msg2) || !client.read_server_hello(msg2)) return exit_refused;
  if (!write_all(client.auth())) return exit_refused;
  if (!read_exact(msg4) || !client.read_server_accept(msg4)) return exit_refused;

  return write_all(outcome(client.session_keys())) ? 0 : exit_refused;
} catch (const std::exception& e) {
  std::fprintf(stderr, "zwerm-shs-client: %s\n", e.what());
  return exit_error;
}
