// zwerm-shs-server NETWORK_KEY_HEX SERVER_SK_HEX SERVER_PK_HEX: the server role of Secret
// Handshake v1 on stdin/stdout, as the shs1-test harness (`shs1testserver`) expects: read msg1,
// write msg2, read msg3, then write msg4 and the 112-byte outcome
// encrypt_key(32) ‖ encrypt_nonce(24) ‖ decrypt_key(32) ‖ decrypt_nonce(24) and exit 0. On any
// refusal it writes nothing more and exits 1. Every client key is accepted (the membership
// check of docs/PROTOCOL.md §4.3 is above the handshake).
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
  crypto::key_pair local;
  if (argc != 4 || !hex_arg(argv[1], &network) || !hex_arg(argv[2], &local.sk) ||
      !hex_arg(argv[3], &local.pk)) {
    std::fprintf(stderr,
                 "usage: zwerm-shs-server NETWORK_KEY_HEX(32) SERVER_SK_HEX(64) "
                 "SERVER_PK_HEX(32)\n");
    return exit_error;
  }
  ignore_sigpipe();
  crypto::init();
  crypto::shs_server server(std::span(&network, 1), local);

  std::array<std::uint8_t, crypto::shs_msg1_size> msg1;
  std::array<std::uint8_t, crypto::shs_msg3_size> msg3;
  if (!read_exact(msg1) || !server.read_client_hello(msg1)) return exit_refused;
  if (!write_all(server.hello())) return exit_refused;
  if (!read_exact(msg3) || !server.read_client_auth(msg3)) return exit_refused;

  const auto msg4 = server.accept();
  if (!write_all(msg4)) return exit_refused;
  return write_all(outcome(server.session_keys())) ? 0 : exit_refused;
} catch (const std::exception& e) {
  std::fprintf(stderr, "zwerm-shs-server: %s\n", e.what());
  return exit_error;
}
