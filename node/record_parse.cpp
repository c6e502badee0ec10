#include "node/record_parse.hpp"

#include <string>

#include "crypto/hash.hpp"
#include "crypto/sign.hpp"
#include "node/record_scan.hpp"

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
  r.id = crypto::blake2b256(payload);
  if (r.is_genesis()) r.community = r.id;
  if (check == signature_check::verify) {
    crypto::signature sig;
    crypto::signature::from(bytes.substr(payload.size()), &sig);
    if (!crypto::verify(sig, payload, r.author)) {
      return rejection{reject_reason::bad_signature, payload.size(),
                       "the signature does not verify for the author's key over the payload"};
    }
  }
  r.bytes = std::string(bytes);
  return r;
}

std::string_view to_string(reject_reason reason) {
  switch (reason) {
    case reject_reason::too_short:
      return "too_short";
    case reject_reason::payload_too_large:
      return "payload_too_large";
    case reject_reason::not_an_object:
      return "not_an_object";
    case reject_reason::syntax_error:
      return "syntax_error";
    case reject_reason::nesting_too_deep:
      return "nesting_too_deep";
    case reject_reason::duplicate_key:
      return "duplicate_key";
    case reject_reason::float_number:
      return "float_number";
    case reject_reason::invalid_number:
      return "invalid_number";
    case reject_reason::integer_out_of_range:
      return "integer_out_of_range";
    case reject_reason::invalid_utf8:
      return "invalid_utf8";
    case reject_reason::invalid_escape:
      return "invalid_escape";
    case reject_reason::control_character:
      return "control_character";
    case reject_reason::unsupported_version:
      return "unsupported_version";
    case reject_reason::unknown_field:
      return "unknown_field";
    case reject_reason::missing_field:
      return "missing_field";
    case reject_reason::wrong_field_type:
      return "wrong_field_type";
    case reject_reason::invalid_id:
      return "invalid_id";
    case reject_reason::field_out_of_range:
      return "field_out_of_range";
    case reject_reason::empty_type:
      return "empty_type";
    case reject_reason::genesis_with_community:
      return "genesis_with_community";
    case reject_reason::missing_community:
      return "missing_community";
    case reject_reason::genesis_not_first:
      return "genesis_not_first";
    case reject_reason::seq_prev_mismatch:
      return "seq_prev_mismatch";
    case reject_reason::bad_signature:
      return "bad_signature";
    case reject_reason::malformed_fork_proof:
      return "malformed_fork_proof";
    case reject_reason::not_a_fork:
      return "not_a_fork";
  }
  return "unknown_reason";
}

}  // namespace zwerm::node
