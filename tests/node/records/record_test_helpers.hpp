// Helpers shared by the record tests: deterministic keys and hand-made signed payloads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/base64url.hpp"
#include "crypto/hash.hpp"
#include "crypto/sign.hpp"
#include "crypto/sodium.hpp"
#include "node/records/record.hpp"

namespace zwerm::node::test {

inline crypto::key_pair key_from(std::uint8_t n) {
  crypto::init();
  crypto::seed s{};
  for (std::size_t i = 0; i < s.size(); ++i) s.bytes[i] = static_cast<std::uint8_t>(n + i);
  return crypto::key_pair_from_seed(s);
}

// payload ‖ a valid signature by `key`: any refusal is then about the payload, not the signature.
inline std::string sign_payload(std::string_view payload, const crypto::key_pair& key) {
  std::string out(payload);
  out += crypto::sign(payload, key.sk).view();
  return out;
}

// A deterministic fake id (not the hash of anything) for fields that only need the format.
inline record_id fake_id(std::uint8_t n) {
  record_id id;
  for (std::size_t i = 0; i < id.size(); ++i) id.bytes[i] = static_cast<std::uint8_t>(n * 7 + i);
  return id;
}
// The community whose genesis would be fake_id(n).
inline community_id fake_community(std::uint8_t n) {
  return community_of_genesis(fake_id(n));
}

// A non-genesis payload by `key` with the fields as given (raw JSON fragments for the values),
// written compactly in the standard order. Tests replace one fragment to break one rule.
struct payload_parts {
  std::string v = "1";
  std::string community;  // filled by make()
  std::string author;     // filled by make()
  std::string seq = "2";
  std::string prev;  // filled by make()
  std::string lamport = "5";
  std::string ts = "1764240000000";
  std::string type = "\"request\"";
  std::string body =
      "{\"title\":\"Wie kent Asio?\",\"body\":\"Coroutines en timers\",\"tags\":[\"cpp\"]}";

  static payload_parts make(const crypto::key_pair& key) {
    payload_parts p;
    p.community = "\"" + crypto::to_text(fake_id(1)) + "\"";
    p.author = "\"" + crypto::to_text(key.pk) + "\"";
    p.prev = "\"" + crypto::to_text(fake_id(2)) + "\"";
    return p;
  }
  std::string str() const {
    return "{\"v\":" + v + ",\"community\":" + community + ",\"author\":" + author +
           ",\"seq\":" + seq + ",\"prev\":" + prev + ",\"lamport\":" + lamport + ",\"ts\":" + ts +
           ",\"type\":" + type + ",\"body\":" + body + "}";
  }
};

}  // namespace zwerm::node::test
