// libFuzzer target: the SHS v1 state machines fed arbitrary handshake messages.
//
// Input: one mode byte, then the rest.
//   mode % 3 == 0: a server (keys of session 0 of tests/vectors/shs1-transcripts.json, serving
//                  that network and one other) reads msg1 = rest[0..64], msg3 = rest[64..176].
//   mode % 3 == 1: a client (session 0 keys) reads msg2 = rest[0..64], msg4 = rest[64..144].
//   mode % 3 == 2: an honest handshake between fresh keys seeded from rest[3..35]; rest[0]
//                  picks a message (1..4) in which bit rest[1..2] is flipped, 0 for none.
//                  Without a flip both sides must agree on the keys; with one, the receiving
//                  side must refuse and produce nothing more.
// Seeds (scripts/fuzz) are the transcript messages and the negative cases, so mutations reach
// every step. Nothing may crash, throw, or accept what it must refuse.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/shs.hpp"
#include "crypto/sodium.hpp"

namespace {

using namespace zwerm::crypto;
using bytes = std::span<const std::uint8_t>;

template <class T>
T unhex(std::string_view hex) {
  std::string raw;
  T out;
  if (!from_hex(hex, &raw) || !T::from(raw, &out)) std::abort();
  return out;
}

void check(bool ok) {
  if (!ok) __builtin_trap();
}

template <class F>
void expect_logic_error(F f) {
  try {
    f();
  } catch (const std::logic_error&) {
    return;
  }
  __builtin_trap();
}

struct session0 {
  network_key network =
      unhex<network_key>("291356d28154da68e8a9ee4fed71497c0a67d121a41b544d7a6157e76e0df5bc");
  key_pair client{
      unhex<public_key>("d5bf4a3fcce717b0388bcc2749ebc148ad9969b23f45ee1b605fd58778576ac4"),
      unhex<secret_key>("2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90"
                        "d5bf4a3fcce717b0388bcc2749ebc148ad9969b23f45ee1b605fd58778576ac4")};
  key_pair server{
      unhex<public_key>("ecc1b58727f3f12b3194881a9ecb9de0b28ce7b207230d8e930fe1bce75e256c"),
      unhex<secret_key>("81b637d8fcd2c6da6359e6963113a1170de795e4b725b84d1e0b4cfd9ec58ce9"
                        "ecc1b58727f3f12b3194881a9ecb9de0b28ce7b207230d8e930fe1bce75e256c")};
  ephemeral_key_pair client_eph{
      unhex<decltype(ephemeral_key_pair::pk)>(
          "0b6ea52868f0cbbac2deba8bb0fc1a1251d5aa80bc4fa85d8143571abc458752"),
      unhex<decltype(ephemeral_key_pair::sk)>(
          "3886cd3e87ce98aa0e68da9ad04fb5b7b9089cc8a6705bc83cb507e69419a95b")};
  ephemeral_key_pair server_eph{
      unhex<decltype(ephemeral_key_pair::pk)>(
          "7924d8b4cc7ddc4c5414cdafa1da6bbe1d6f5051644b8e5bec8feacde708b343"),
      unhex<decltype(ephemeral_key_pair::sk)>(
          "58be5dc9fd64fc4e476035c9870af05ee32c5f1de6e28ea708b267f9e6315b41")};
};

const session0& s0() {
  static const session0 s;
  return s;
}

bytes slice(bytes in, std::size_t from, std::size_t len) {
  if (from >= in.size()) return {};
  return in.subspan(from, std::min(len, in.size() - from));
}

void fuzz_server(bytes in) {
  network_key other;
  other.bytes.fill(7);
  std::array<network_key, 2> networks{other, s0().network};
  shs_server server(networks, s0().server, s0().server_eph);
  if (!server.read_client_hello(slice(in, 0, shs_msg1_size))) {
    expect_logic_error([&] { (void)server.hello(); });
    return;
  }
  check(server.network_index() == 1);
  (void)server.hello();
  if (!server.read_client_auth(slice(in, shs_msg1_size, shs_msg3_size))) {
    expect_logic_error([&] { (void)server.accept(); });
    return;
  }
  public_key client = server.client_key();
  (void)server.accept();
  check(server.session_keys().remote == client);
}

void fuzz_client(bytes in) {
  shs_client client(s0().network, s0().client, s0().server.pk, s0().client_eph);
  (void)client.hello();
  if (!client.read_server_hello(slice(in, 0, shs_msg2_size))) {
    expect_logic_error([&] { (void)client.auth(); });
    return;
  }
  (void)client.auth();
  if (!client.read_server_accept(slice(in, shs_msg2_size, shs_msg4_size))) {
    expect_logic_error([&] { (void)client.session_keys(); });
    return;
  }
  check(client.session_keys().remote == s0().server.pk);
}

template <std::size_t N>
std::array<std::uint8_t, N> flip(std::array<std::uint8_t, N> m, bool on, unsigned bit) {
  if (on) m[(bit / 8) % N] ^= static_cast<std::uint8_t>(1u << (bit % 8));
  return m;
}

void fuzz_honest(bytes in) {
  unsigned which = in.size() > 0 ? in[0] % 5 : 0;
  unsigned bit = in.size() > 2 ? (unsigned{in[1]} << 8 | in[2]) : 0;
  seed a_seed, b_seed;
  bytes s = slice(in, 3, 32);
  if (!s.empty()) std::memcpy(a_seed.data(), s.data(), s.size());
  b_seed = a_seed;
  b_seed.bytes[31] ^= 0x80;
  network_key n;
  n.bytes.fill(0x5a);
  key_pair a = key_pair_from_seed(a_seed), b = key_pair_from_seed(b_seed);
  std::array<network_key, 1> networks{n};
  shs_client client(n, a, b.pk);
  shs_server server(networks, b);
  if (!server.read_client_hello(flip(client.hello(), which == 1, bit))) {
    check(which == 1);
    return;
  }
  check(which != 1);
  if (!client.read_server_hello(flip(server.hello(), which == 2, bit))) {
    check(which == 2);
    return;
  }
  check(which != 2);
  if (!server.read_client_auth(flip(client.auth(), which == 3, bit))) {
    check(which == 3);
    return;
  }
  check(which != 3 && server.client_key() == a.pk);
  if (!client.read_server_accept(flip(server.accept(), which == 4, bit))) {
    check(which == 4);
    expect_logic_error([&] { (void)client.session_keys(); });
    return;
  }
  check(which == 0);
  auto ck = client.session_keys(), sk = server.session_keys();
  check(ck.encrypt_key == sk.decrypt_key && ck.decrypt_key == sk.encrypt_key);
  check(ck.encrypt_nonce == sk.decrypt_nonce && ck.decrypt_nonce == sk.encrypt_nonce);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  zwerm::crypto::init();
  (void)s0();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  bytes rest(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      fuzz_server(rest);
      break;
    case 1:
      fuzz_client(rest);
      break;
    default:
      fuzz_honest(rest);
      break;
  }
  return 0;
}
