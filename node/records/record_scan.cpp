// One file over 600 lines on purpose: the strict one-pass scanner of a record's JSON
// (PROTOCOL.md §2) keeps every state of the reader side by side, so that a rule is read and
// changed in one place; split, its states would point at each other across files.
#include "node/records/record_scan.hpp"

#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/base64url.hpp"
#include "base/bytes.hpp"
#include "node/records/record_fields.hpp"

namespace zwerm::node {

namespace {

using detail::field_count;
using detail::field_index;
using detail::header_values;
using detail::kind;
using detail::quote;
using detail::value_info;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

using crypto::hex_value;

}  // namespace

void append_utf8(std::string* out, std::uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | cp >> 6));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | cp >> 12));
    out->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | cp >> 18));
    out->push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

utf8_problem check_utf8_sequence(std::string_view at, std::size_t* length) {
  const auto lead = static_cast<unsigned char>(at[0]);
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the second byte
  if (lead >= 0xc2 && lead <= 0xdf) {
    n = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    n = 3;
    if (lead == 0xe0) lo = 0xa0;  // below: overlong
    if (lead == 0xed) hi = 0x9f;  // above: UTF-16 surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    n = 4;
    if (lead == 0xf0) lo = 0x90;  // below: overlong
    if (lead == 0xf4) hi = 0x8f;  // above: beyond U+10FFFF
  } else if (lead >= 0x80 && lead <= 0xbf) {
    return utf8_problem::lone_continuation;
  } else if (lead == 0xc0 || lead == 0xc1) {
    return utf8_problem::overlong;
  } else {
    return utf8_problem::invalid_byte;
  }
  if (at.size() < n) return utf8_problem::truncated;
  const auto second = static_cast<unsigned char>(at[1]);
  if (second < lo || second > hi) {
    if (second < 0x80 || second > 0xbf) return utf8_problem::truncated;
    if (lead == 0xed) return utf8_problem::surrogate;
    if (lead == 0xf4) return utf8_problem::above_max;
    return utf8_problem::overlong;
  }
  for (std::size_t i = 2; i < n; ++i) {
    const auto b = static_cast<unsigned char>(at[i]);
    if (b < 0x80 || b > 0xbf) return utf8_problem::truncated;
  }
  *length = n;
  return utf8_problem::none;
}

namespace {

class scanner {
 public:
  scanner(std::string_view text, bool compact)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), compact_(compact) {
    keys_.reserve(32);
  }

  std::optional<rejection>& error() { return error_; }

  // Whole-text entry points.
  bool scan_payload(header_values* fields, value_info* unknown);
  bool scan_single_object();

 private:
  struct frame {
    std::size_t first;  // index into keys_ of this object's first key
    std::unique_ptr<std::unordered_set<std::string_view>> big;  // once an object has many keys
  };
  struct key_entry {
    std::string_view key;
  };
  static constexpr std::size_t linear_key_limit = 16;

  std::size_t offset(const char* at) const { return static_cast<std::size_t>(at - begin_); }

  bool fail(reject_reason reason, const char* at, std::string what) {
    what += " at byte ";
    what += std::to_string(offset(at));
    error_ = rejection{reason, offset(at), std::move(what)};
    return false;
  }

  bool skip_ws() {
    const char* start = p_;
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    if (compact_ && p_ != start) {
      return fail(reject_reason::syntax_error, start,
                  "whitespace between tokens (compact JSON required)");
    }
    return true;
  }

  bool expect(char c, const char* what) {
    if (p_ == end_) {
      return fail(reject_reason::syntax_error, p_,
                  std::string("end of input where ") + what + " was expected");
    }
    if (*p_ != c) {
      return fail(reject_reason::syntax_error, p_,
                  std::string("unexpected ") + quote(std::string_view(p_, 1)) + " where " + what +
                      " was expected");
    }
    ++p_;
    return true;
  }

  bool scan_value(int depth, value_info* info);
  bool scan_object(int depth);
  bool scan_array(int depth);
  // Validates a string (p_ at its opening quote). Appends the decoded text to *decoded when
  // given; sets *escaped when the string holds a backslash escape.
  bool scan_string(std::string* decoded, bool* escaped = nullptr);
  // Scans a string and yields its decoded text: a view into the input when it has no escapes
  // (the common case, no copy), else decoded into *storage.
  bool scan_string_value(std::string_view* out, std::string* storage);
  bool scan_utf8(std::string* decoded);
  bool scan_escape(std::string* decoded);
  bool scan_number(std::int64_t* out);
  bool scan_literal(std::string_view word);

  // Key bookkeeping for duplicate detection.
  void open_object() { frames_.push_back(frame{keys_.size(), nullptr}); }
  void close_object() {
    keys_.resize(frames_.back().first);
    frames_.pop_back();
  }
  // Scans a key (p_ at '"'), checks it is new in the current object; *key receives it.
  bool scan_key(std::string_view* key, const char** key_at);

  const char* begin_;
  const char* p_;
  const char* end_;
  bool compact_;
  std::optional<rejection> error_;
  std::vector<key_entry> keys_;
  std::vector<frame> frames_;
  std::string key_scratch_;
  std::vector<std::unique_ptr<std::string>> unescaped_keys_;  // stable storage, escaped keys
};

bool scanner::scan_key(std::string_view* key, const char** key_at) {
  *key_at = p_;
  if (p_ == end_ || *p_ != '"') return expect('"', "a key string");
  if (!scan_string_value(key, &key_scratch_)) return false;
  if (!key_scratch_.empty() && key->data() == key_scratch_.data()) {
    // An escaped key: keep its decoded text alive as long as the scan.
    unescaped_keys_.push_back(std::make_unique<std::string>(std::move(key_scratch_)));
    *key = *unescaped_keys_.back();
    key_scratch_.clear();
  }
  frame& f = frames_.back();
  std::size_t count = keys_.size() - f.first;
  bool duplicate = false;
  if (f.big) {
    duplicate = !f.big->insert(*key).second;
  } else {
    for (std::size_t i = f.first; i < keys_.size(); ++i) {
      if (keys_[i].key == *key) {
        duplicate = true;
        break;
      }
    }
    if (!duplicate && count + 1 > linear_key_limit) {
      // Many keys in one object: switch to a hash set so a 16 KiB object stays linear.
      f.big = std::make_unique<std::unordered_set<std::string_view>>();
      for (std::size_t i = f.first; i < keys_.size(); ++i) f.big->insert(keys_[i].key);
      f.big->insert(*key);
    }
  }
  if (duplicate) return fail(reject_reason::duplicate_key, *key_at, "duplicate key " + quote(*key));
  keys_.push_back(key_entry{*key});
  return true;
}

bool scanner::scan_value(int depth, value_info* info) {
  if (p_ == end_) {
    return fail(reject_reason::syntax_error, p_, "end of input where a value was expected");
  }
  const char* start = p_;
  kind k = kind::none;
  bool ok = false;
  switch (*p_) {
    case '{':
      k = kind::object;
      ok = scan_object(depth + 1);
      break;
    case '[':
      k = kind::array;
      ok = scan_array(depth + 1);
      break;
    case '"':
      k = kind::string;
      ok = info ? scan_string_value(&info->str, &info->owned) : scan_string(nullptr);
      break;
    case 't':
      k = kind::boolean;
      ok = scan_literal("true");
      break;
    case 'f':
      k = kind::boolean;
      ok = scan_literal("false");
      break;
    case 'n':
      k = kind::null;
      ok = scan_literal("null");
      break;
    default:
      if (*p_ == '-' || is_digit(*p_)) {
        k = kind::number;
        std::int64_t v = 0;
        ok = scan_number(&v);
        if (info) info->integer = v;
      } else {
        return fail(reject_reason::syntax_error, p_,
                    "unexpected " + quote(std::string_view(p_, 1)) + " where a value was expected");
      }
  }
  if (!ok) return false;
  if (info) {
    info->k = k;
    info->offset = offset(start);
    info->raw = std::string_view(start, static_cast<std::size_t>(p_ - start));
  }
  return true;
}

bool scanner::scan_object(int depth) {
  if (depth > max_nesting_depth) {
    return fail(reject_reason::nesting_too_deep, p_,
                "nesting deeper than " + std::to_string(max_nesting_depth) + " levels");
  }
  ++p_;  // '{'
  if (!skip_ws()) return false;
  open_object();
  if (p_ < end_ && *p_ == '}') {
    ++p_;
    close_object();
    return true;
  }
  for (;;) {
    std::string_view key;
    const char* key_at;
    if (!scan_key(&key, &key_at)) return false;
    if (!skip_ws() || !expect(':', "':'") || !skip_ws()) return false;
    if (!scan_value(depth, nullptr)) return false;
    if (!skip_ws()) return false;
    if (p_ < end_ && *p_ == ',') {
      ++p_;
      if (!skip_ws()) return false;
      continue;
    }
    if (!expect('}', "',' or '}'")) return false;
    close_object();
    return true;
  }
}

bool scanner::scan_array(int depth) {
  if (depth > max_nesting_depth) {
    return fail(reject_reason::nesting_too_deep, p_,
                "nesting deeper than " + std::to_string(max_nesting_depth) + " levels");
  }
  ++p_;  // '['
  if (!skip_ws()) return false;
  if (p_ < end_ && *p_ == ']') {
    ++p_;
    return true;
  }
  for (;;) {
    if (!scan_value(depth, nullptr)) return false;
    if (!skip_ws()) return false;
    if (p_ < end_ && *p_ == ',') {
      ++p_;
      if (!skip_ws()) return false;
      continue;
    }
    return expect(']', "',' or ']'");
  }
}

bool scanner::scan_literal(std::string_view word) {
  if (static_cast<std::size_t>(end_ - p_) < word.size() ||
      std::memcmp(p_, word.data(), word.size()) != 0) {
    return fail(reject_reason::syntax_error, p_, "unknown literal (expected true, false or null)");
  }
  p_ += word.size();
  return true;
}

bool scanner::scan_number(std::int64_t* out) {
  const char* start = p_;
  bool negative = false;
  if (*p_ == '-') {
    negative = true;
    ++p_;
  }
  if (p_ == end_ || !is_digit(*p_)) {
    return fail(reject_reason::invalid_number, start, "a minus sign without digits");
  }
  std::uint64_t magnitude = 0;
  bool too_long = false;
  if (*p_ == '0') {
    ++p_;
    if (p_ < end_ && is_digit(*p_)) {
      return fail(reject_reason::invalid_number, start, "a number with a leading zero");
    }
  } else {
    int digits = 0;
    while (p_ < end_ && is_digit(*p_)) {
      // 2^53 has 16 digits; more than 16 digits is out of range, keep reading to the end.
      if (++digits <= 16) {
        magnitude = magnitude * 10 + static_cast<std::uint64_t>(*p_ - '0');
      } else {
        too_long = true;
      }
      ++p_;
    }
  }
  if (p_ < end_ && *p_ == '.') {
    return fail(reject_reason::float_number, start,
                "a number with a fraction (only integers are allowed)");
  }
  if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
    return fail(reject_reason::float_number, start,
                "a number with an exponent (only integers are allowed)");
  }
  if (too_long || magnitude > static_cast<std::uint64_t>(max_json_integer)) {
    return fail(reject_reason::integer_out_of_range, start,
                "the integer " +
                    quote(std::string_view(start, static_cast<std::size_t>(p_ - start))) +
                    " is outside [-(2^53), 2^53]");
  }
  if (negative && magnitude == 0) {
    return fail(reject_reason::invalid_number, start, "negative zero");
  }
  *out = negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude);
  return true;
}

bool scanner::scan_string_value(std::string_view* out, std::string* storage) {
  const char* open = p_;
  bool escaped = false;
  if (!scan_string(nullptr, &escaped)) return false;
  if (!escaped) {
    *out = std::string_view(open + 1, static_cast<std::size_t>(p_ - open - 2));
    return true;
  }
  // Rare: decode in a second pass over this string only.
  p_ = open;
  storage->clear();
  if (!scan_string(storage, nullptr)) return false;
  *out = *storage;
  return true;
}

bool scanner::scan_string(std::string* decoded, bool* escaped) {
  const char* open = p_;
  ++p_;  // '"'
  for (;;) {
    if (p_ == end_) return fail(reject_reason::syntax_error, open, "unterminated string starting");
    auto c = static_cast<unsigned char>(*p_);
    if (c == '"') {
      ++p_;
      return true;
    }
    if (c == '\\') {
      if (escaped) *escaped = true;
      if (!scan_escape(decoded)) return false;
    } else if (c < 0x20) {
      return fail(reject_reason::control_character, p_,
                  "an unescaped control character in a string");
    } else if (c < 0x80) {
      if (decoded) decoded->push_back(static_cast<char>(c));
      ++p_;
    } else if (!scan_utf8(decoded)) {
      return false;
    }
  }
}

// One multi-byte UTF-8 sequence (p_ at its lead byte).
bool scanner::scan_utf8(std::string* decoded) {
  std::size_t length = 0;
  const char* why = nullptr;
  switch (check_utf8_sequence(std::string_view(p_, static_cast<std::size_t>(end_ - p_)), &length)) {
    case utf8_problem::none:
      if (decoded) decoded->append(p_, length);
      p_ += length;
      return true;
    case utf8_problem::lone_continuation:
      why = "a continuation byte without a lead byte";
      break;
    case utf8_problem::overlong:
      why = "an overlong encoding";
      break;
    case utf8_problem::invalid_byte:
      return fail(reject_reason::invalid_utf8, p_,
                  "invalid UTF-8 (byte 0x" + crypto::to_hex(std::string_view(p_, 1)) +
                      " never appears in UTF-8)");
    case utf8_problem::truncated:
      why = "a truncated sequence";
      break;
    case utf8_problem::surrogate:
      why = "an encoded UTF-16 surrogate";
      break;
    case utf8_problem::above_max:
      why = "a code point above U+10FFFF";
      break;
  }
  return fail(reject_reason::invalid_utf8, p_, std::string("invalid UTF-8 (") + why + ")");
}

bool scanner::scan_escape(std::string* decoded) {
  const char* start = p_;
  if (end_ - p_ < 2) return fail(reject_reason::syntax_error, start, "an unterminated escape");
  char e = p_[1];
  char simple = 0;
  switch (e) {
    case '"':
      simple = '"';
      break;
    case '\\':
      simple = '\\';
      break;
    case '/':
      simple = '/';
      break;
    case 'b':
      simple = '\b';
      break;
    case 'f':
      simple = '\f';
      break;
    case 'n':
      simple = '\n';
      break;
    case 'r':
      simple = '\r';
      break;
    case 't':
      simple = '\t';
      break;
    case 'u':
      break;
    default:
      return fail(
          reject_reason::invalid_escape, start,
          "unknown escape character " + quote(std::string_view(p_ + 1, 1)) + " after a backslash");
  }
  if (simple) {
    if (decoded) decoded->push_back(simple);
    p_ += 2;
    return true;
  }
  auto hex4 = [&](const char* at, std::uint32_t* v) {
    if (end_ - at < 6 || at[0] != '\\' || at[1] != 'u') return false;
    std::uint32_t r = 0;
    for (int i = 2; i < 6; ++i) {
      int h = hex_value(at[i]);
      if (h < 0) return false;
      r = r << 4 | static_cast<std::uint32_t>(h);
    }
    *v = r;
    return true;
  };
  std::uint32_t cp;
  if (!hex4(p_, &cp))
    return fail(reject_reason::invalid_escape, start, "\\u not followed by four hex digits");
  if (cp >= 0xdc00 && cp <= 0xdfff) {
    return fail(reject_reason::invalid_escape, start,
                "an escaped low surrogate without a high surrogate before it");
  }
  if (cp >= 0xd800 && cp <= 0xdbff) {
    std::uint32_t low;
    if (!hex4(p_ + 6, &low) || low < 0xdc00 || low > 0xdfff) {
      return fail(reject_reason::invalid_escape, start,
                  "an escaped high surrogate not followed by an escaped low surrogate");
    }
    cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    p_ += 12;
  } else {
    p_ += 6;
  }
  if (decoded) append_utf8(decoded, cp);
  return true;
}

bool scanner::scan_payload(header_values* fields, value_info* unknown) {
  if (!skip_ws()) return false;
  if (p_ == end_ || *p_ != '{') {
    return fail(reject_reason::not_an_object, p_,
                "the payload does not start with '{' (it must be a JSON object)");
  }
  ++p_;
  if (!skip_ws()) return false;
  open_object();
  if (p_ < end_ && *p_ == '}') {
    ++p_;
  } else {
    for (;;) {
      std::string_view key;
      const char* key_at;
      if (!scan_key(&key, &key_at)) return false;
      if (!skip_ws() || !expect(':', "':'") || !skip_ws()) return false;
      int idx = field_index(key);
      value_info* info = nullptr;
      if (idx >= 0) {
        info = &(*fields)[static_cast<std::size_t>(idx)];
      } else if (unknown->k == kind::none) {
        info = unknown;
        unknown->key = std::string(key);  // remembered for the message
      }
      if (info) info->key_offset = offset(key_at);
      if (!scan_value(1, info)) return false;
      if (!skip_ws()) return false;
      if (p_ < end_ && *p_ == ',') {
        ++p_;
        if (!skip_ws()) return false;
        continue;
      }
      if (!expect('}', "',' or '}'")) return false;
      break;
    }
  }
  close_object();
  if (!skip_ws()) return false;
  if (p_ != end_) return fail(reject_reason::syntax_error, p_, "bytes after the payload object");
  return true;
}

bool scanner::scan_single_object() {
  if (p_ == end_ || *p_ != '{') {
    return fail(reject_reason::not_an_object, p_, "the text is not a JSON object");
  }
  if (!scan_object(2)) return false;
  if (p_ != end_) return fail(reject_reason::syntax_error, p_, "bytes after the object");
  return true;
}

}  // namespace

std::optional<rejection> scan_payload(std::string_view payload, record* out) {
  scanner s(payload, /*compact=*/false);
  header_values fields;
  value_info unknown;
  if (!s.scan_payload(&fields, &unknown)) return std::move(s.error());
  return detail::apply_field_rules(fields, unknown, out);
}

bool read_writer_prefix(std::string_view payload, crypto::public_key* author, std::uint64_t* seq) {
  constexpr std::string_view start = "{\"v\":1,";
  constexpr std::string_view community = "\"community\":\"";
  constexpr std::string_view author_key = "\"author\":\"";
  constexpr std::string_view seq_key = "\",\"seq\":";
  constexpr std::size_t text_size = 43;  // base64url of 32 bytes
  std::string_view p = payload;
  if (!p.starts_with(start)) return false;
  p.remove_prefix(start.size());
  if (p.starts_with(community)) {
    // The community's text form, then `",`; its value is checked by the full scan.
    if (p.size() < community.size() + text_size + 2) return false;
    p.remove_prefix(community.size() + text_size);
    if (!p.starts_with("\",")) return false;
    p.remove_prefix(2);
  }
  if (!p.starts_with(author_key) || p.size() < author_key.size() + text_size + seq_key.size()) {
    return false;
  }
  p.remove_prefix(author_key.size());
  if (!crypto::from_text(p.substr(0, text_size), author)) return false;
  p.remove_prefix(text_size);
  if (!p.starts_with(seq_key)) return false;
  p.remove_prefix(seq_key.size());
  // A canonical integer in [1, 2^53] followed by a comma.
  std::uint64_t v = 0;
  std::size_t digits = 0;
  while (digits < p.size() && p[digits] >= '0' && p[digits] <= '9') {
    if (digits == 16) return false;  // more digits than 2^53 has
    v = v * 10 + static_cast<std::uint64_t>(p[digits] - '0');
    ++digits;
  }
  if (digits == 0 || p[0] == '0' || digits == p.size() || p[digits] != ',') return false;
  if (v > static_cast<std::uint64_t>(max_json_integer)) return false;
  *seq = v;
  return true;
}

std::optional<rejection> check_json_object(std::string_view text, bool compact) {
  scanner s(text, compact);
  if (!s.scan_single_object()) return std::move(s.error());
  return std::nullopt;
}

}  // namespace zwerm::node
