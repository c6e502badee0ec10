// Internal to zwerm_records: the nine header fields as the scanner extracts them, and the field
// rules applied to them after the scan (docs/PROTOCOL.md §2.4 step 3). Not for other modules;
// use node/records/record_parse.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "node/records/record.hpp"
#include "node/records/record_error.hpp"

namespace zwerm::node::detail {

// The nine header fields, in the order the writer emits them.
enum field : int { f_v, f_community, f_author, f_seq, f_prev, f_lamport, f_ts, f_type, f_body };
inline constexpr int field_count = 9;
inline constexpr std::array<std::string_view, field_count> field_names = {
    "v", "community", "author", "seq", "prev", "lamport", "ts", "type", "body"};

// The field's index, or -1 for a key that is not a header field.
inline int field_index(std::string_view key) {
  for (int i = 0; i < field_count; ++i) {
    if (field_names[static_cast<std::size_t>(i)] == key) return i;
  }
  return -1;
}

enum class kind : std::uint8_t { none, string, number, object, array, boolean, null };

// What the scanner learnt about one top-level value.
struct value_info {
  kind k = kind::none;
  std::size_t offset = 0;      // where the value starts
  std::size_t key_offset = 0;  // where its key starts
  std::int64_t integer = 0;    // for numbers
  std::string_view str;        // for strings: the decoded text (in the payload or in `owned`)
  std::string owned;           // the decoded text when the string had escapes
  std::string key;             // the key, kept only for the first unknown field
  std::string_view raw;        // the exact bytes of the value
};

using header_values = std::array<value_info, field_count>;

// A string for messages: printable ASCII as is, anything else as \xNN, at most 40 characters.
std::string quote(std::string_view s);

// Applies the field rules in the documented order; on success fills out's header fields
// (community only for non-genesis records) and leaves bytes and id alone.
std::optional<rejection> apply_field_rules(const header_values& fields, const value_info& unknown,
                                           record* out);

}  // namespace zwerm::node::detail
