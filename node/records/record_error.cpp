#include "node/records/record_error.hpp"

namespace zwerm::node {

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
