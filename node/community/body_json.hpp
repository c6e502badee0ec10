// Internal: a light JSON value for record bodies, read by a small strict parser of our own into
// vectors instead of a std::map based DOM, because the state machine parses every body it
// applies and a rewind re-applies thousands of them (nlohmann's SAX parser, which did this
// before, cost about 0.8 µs per record of a catch-up; it stays as the reference the tests and
// the fuzz target compare with). Strict RFC 8259: UTF-8 checked, escapes and surrogate pairs
// decoded, numbers as nlohmann classifies them. Duplicate keys are refused (the record parser
// refuses them too). Not thread-safe per value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zwerm::node::community {

class body_value {
 public:
  enum class type : std::uint8_t {
    null,
    boolean,
    integer,
    unsigned_integer,
    floating,
    string,
    array,
    object
  };

  type kind() const { return type_; }
  bool is_null() const { return type_ == type::null; }
  bool is_string() const { return type_ == type::string; }
  bool is_array() const { return type_ == type::array; }
  bool is_object() const { return type_ == type::object; }
  bool is_number_unsigned() const { return type_ == type::unsigned_integer; }
  bool is_number_integer() const {
    return type_ == type::integer || type_ == type::unsigned_integer;
  }
  const std::string& str() const { return string_; }
  std::int64_t integer() const { return integer_; }
  std::uint64_t unsigned_integer() const { return unsigned_; }
  const std::vector<body_value>& items() const { return items_; }
  const std::vector<std::pair<std::string, body_value>>& fields() const { return fields_; }
  // The field's value, or nullptr when the object has no such field.
  const body_value* find(std::string_view key) const {
    for (const auto& [k, v] : fields_) {
      if (k == key) return &v;
    }
    return nullptr;
  }
  body_value* find(std::string_view key) {
    return const_cast<body_value*>(static_cast<const body_value&>(*this).find(key));
  }
  // Moves the string out (the reader takes each text once).
  std::string take_str() { return std::move(string_); }

 private:
  friend class body_sax;
  friend class body_parser;
  type type_ = type::null;
  std::string string_;
  std::int64_t integer_ = 0;
  std::uint64_t unsigned_ = 0;
  std::vector<body_value> items_;
  std::vector<std::pair<std::string, body_value>> fields_;
};

// Parses one JSON value; nullopt on a syntax error, invalid UTF-8, a duplicate key, or nesting
// deeper than max_body_json_depth (record bodies nest at most 31 deep, PROTOCOL.md §2.2).
std::optional<body_value> parse_body_json(std::string_view text);

inline constexpr int max_body_json_depth = 512;

// The same through nlohmann's SAX parser: the reference for tests and fuzzing. It differs on
// texts no record body can be: it has no depth bound, skips a leading byte-order mark and ends
// its input at a NUL byte.
std::optional<body_value> parse_body_json_reference(std::string_view text);

// Whether two values are the same (type, value, items and fields in order).
bool same_body_value(const body_value& a, const body_value& b);

}  // namespace zwerm::node::community
