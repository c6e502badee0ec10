#include "node/records/record_parse.hpp"

#include <string>

#include "crypto/hash.hpp"
#include "crypto/sign.hpp"
#include "node/records/record_scan.hpp"

namespace zwerm::node {

namespace {
constexpr std::size_t min_payload_size = 2;  // "{}"
}

record_result<record> parse_record(std::string_view bytes, signature_check check) {
  if (bytes.size() < min_payload_size + signature_size) {
    return rejection{reject_reason::too_short, rejection::no_offset,
                     "a record of " + std::to_string(bytes.size()) +
                         " bytes is too short to hold a payload and a 64-byte signature"};
  }
  std::string_view payload = bytes.substr(0, bytes.size() - signature_size);
  if (payload.size() > max_payload_size) {
    return rejection{reject_reason::payload_too_large, max_payload_size,
                     "the payload is " + std::to_string(payload.size()) + " bytes; the limit is " +
                         std::to_string(max_payload_size)};
  }
  record r;
  if (auto e = scan_payload(payload, &r)) return std::move(*e);
  r.id = crypto::record_id_of(payload);
  if (r.is_genesis()) r.community = community_of_genesis(r.id);
  r.bytes = std::string(bytes);
  if (check == signature_check::verify && !signature_valid(r)) return bad_signature_rejection(r);
  return r;
}

bool signature_valid(const record& r) {
  return signature_valid(r.bytes, r.author);
}

bool signature_valid(std::string_view record_bytes, const member_id& author) {
  const std::string_view payload = record_bytes.substr(0, record_bytes.size() - signature_size);
  crypto::signature sig;
  crypto::signature::from(record_bytes.substr(payload.size()), &sig);
  return crypto::verify(sig, payload, author);
}

rejection bad_signature_rejection(const record& r) {
  return rejection{reject_reason::bad_signature, r.payload().size(),
                   "the signature does not verify for the author's key over the payload"};
}

}  // namespace zwerm::node
