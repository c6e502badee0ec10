// libFuzzer target: the box-stream frame decoder (box_stream_opener) fed arbitrary bytes.
//
// Input: one mode byte, then the rest.
//   mode even: the rest is the wire, decoded frame by frame under the key and nonce of
//              tests/vectors/box-stream.vectors.json stream_1 (so seeds made from the vectors
//              reach the body and goodbye paths). Nothing may crash; a refused frame must leave
//              the opener failed, and nothing is delivered after a refusal.
//   mode odd:  the rest is plaintext, sealed in pieces (piece sizes from the mode byte) and
//              opened again under a fixed key; the output must equal the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crypto/box_stream.hpp"
#include "crypto/sodium.hpp"

namespace {

using namespace zwerm::crypto;

template <class T>
T from_hex_or_die(std::string_view hex) {
  std::string raw;
  T out;
  if (!from_hex(hex, &raw) || !T::from(raw, &out)) std::abort();
  return out;
}

void check(bool ok) {
  if (!ok) __builtin_trap();
}

void decode(std::string_view wire) {
  static const box_key key =
      from_hex_or_die<box_key>("a21d99967be10aadafc9a022beb39e0eb069e8ee614285c2fa94c707229dae18");
  static const box_nonce nonce =
      from_hex_or_die<box_nonce>("2c8c4fe31799cacb5128723b38a73fa6c909329800ffe293");
  box_stream_opener opener(key, nonce);
  std::string out;
  while (wire.size() >= box_header_size) {
    std::size_t len = 0;
    auto h = opener.open_header(wire.substr(0, box_header_size), &len);
    wire.remove_prefix(box_header_size);
    if (h == box_stream_opener::header_result::bad) {
      check(opener.failed());
      return;
    }
    if (h == box_stream_opener::header_result::goodbye) {
      check(opener.ended());
      return;
    }
    check(len >= 1 && len <= box_max_body);
    if (wire.size() < len) return;  // truncated stream
    std::size_t before = out.size();
    bool ok = opener.open_body(wire.substr(0, len), out);
    check(ok ? out.size() == before + len : (out.size() == before && opener.failed()));
    if (!ok) return;
    wire.remove_prefix(len);
  }
}

void round_trip(std::uint8_t mode, std::string_view plain) {
  box_key key;
  key.bytes.fill(0x42);
  box_nonce nonce;
  nonce.bytes.fill(0xff);  // starts at the wrap-around
  box_stream_sealer sealer(key, nonce);
  std::string wire;
  std::size_t piece = std::size_t{mode} * 37 + 1;  // 38..9436 bytes: splits and multi-frame seals
  for (std::string_view rest = plain; !rest.empty();) {
    std::size_t n = rest.size() < piece ? rest.size() : piece;
    sealer.seal(rest.substr(0, n), wire);
    rest.remove_prefix(n);
  }
  sealer.goodbye(wire);
  box_stream_opener opener(key, nonce);
  std::string out;
  std::string_view w = wire;
  while (true) {
    std::size_t len = 0;
    check(w.size() >= box_header_size);
    auto h = opener.open_header(w.substr(0, box_header_size), &len);
    w.remove_prefix(box_header_size);
    if (h == box_stream_opener::header_result::goodbye) break;
    check(h == box_stream_opener::header_result::body && w.size() >= len);
    check(opener.open_body(w.substr(0, len), out));
    w.remove_prefix(len);
  }
  check(w.empty() && out == plain);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  zwerm::crypto::init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    decode(rest);
  } else {
    round_trip(data[0], rest);
  }
  return 0;
}
