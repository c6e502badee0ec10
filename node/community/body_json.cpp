#include "node/community/body_json.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "base/bytes.hpp"
#include "node/records/record_scan.hpp"

namespace zwerm::node::community {

// Builds a body_value from SAX events. `stack_` holds the containers being filled; a value
// lands in the innermost one (after its key for objects) or becomes the root.
class body_sax {
 public:
  using json = nlohmann::json;

  bool null() { return put(body_value{}); }
  bool boolean(bool) { return put(make(body_value::type::boolean)); }
  bool number_integer(json::number_integer_t v) {
    body_value b = make(body_value::type::integer);
    b.integer_ = v;
    return put(std::move(b));
  }
  bool number_unsigned(json::number_unsigned_t v) {
    body_value b = make(body_value::type::unsigned_integer);
    b.unsigned_ = v;
    b.integer_ = static_cast<std::int64_t>(v);
    return put(std::move(b));
  }
  bool number_float(json::number_float_t, const json::string_t&) {
    return put(make(body_value::type::floating));
  }
  bool string(json::string_t& s) {
    body_value b = make(body_value::type::string);
    b.string_ = std::move(s);
    return put(std::move(b));
  }
  bool binary(json::binary_t&) { return false; }
  bool start_object(std::size_t) { return open(body_value::type::object); }
  bool key(json::string_t& k) {
    body_value* obj = stack_.back();
    if (obj->find(k)) return false;  // duplicate key
    obj->fields_.emplace_back(std::move(k), body_value{});
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(body_value::type::array); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }

  std::optional<body_value> root;

 private:
  static body_value make(body_value::type t) {
    body_value b;
    b.type_ = t;
    return b;
  }
  // Where the next value goes.
  body_value* slot() {
    if (stack_.empty()) {
      root.emplace();
      return &*root;
    }
    body_value* c = stack_.back();
    if (c->type_ == body_value::type::array) {
      c->items_.emplace_back();
      return &c->items_.back();
    }
    return &c->fields_.back().second;  // after key()
  }
  bool put(body_value v) {
    *slot() = std::move(v);
    return true;
  }
  bool open(body_value::type t) {
    body_value* s = slot();
    s->type_ = t;
    stack_.push_back(s);  // children are added to s's own vectors, so s stays put while open
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  std::vector<body_value*> stack_;
};

std::optional<body_value> parse_body_json_reference(std::string_view text) {
  body_sax sax;
  bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &sax,
                                      nlohmann::json::input_format_t::json, /*strict=*/true);
  if (!ok || !sax.root) return std::nullopt;
  return std::move(sax.root);
}

// Recursive descent over the text; every error returns false and leaves the result unused.
class body_parser {
 public:
  explicit body_parser(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  std::optional<body_value> run() {
    body_value root;
    skip_ws();
    if (!value(root, 0)) return std::nullopt;
    skip_ws();
    if (p_ != end_) return std::nullopt;
    return root;
  }

 private:
  void skip_ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  bool value(body_value& out, int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return object(out, depth + 1);
      case '[':
        return array(out, depth + 1);
      case '"':
        out.type_ = body_value::type::string;
        return string(out.string_);
      case 't':
        out.type_ = body_value::type::boolean;
        return literal("true");
      case 'f':
        out.type_ = body_value::type::boolean;
        return literal("false");
      case 'n':
        out.type_ = body_value::type::null;
        return literal("null");
      default:
        return number(out);
    }
  }

  bool object(body_value& out, int depth) {
    if (depth > max_body_json_depth) return false;
    out.type_ = body_value::type::object;
    ++p_;  // {
    skip_ws();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    for (;;) {
      if (p_ == end_ || *p_ != '"') return false;
      std::string key;
      if (!string(key)) return false;
      if (out.find(key)) return false;  // duplicate key
      skip_ws();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      skip_ws();
      out.fields_.emplace_back(std::move(key), body_value{});
      if (!value(out.fields_.back().second, depth)) return false;
      skip_ws();
      if (p_ == end_) return false;
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
      skip_ws();
    }
  }

  bool array(body_value& out, int depth) {
    if (depth > max_body_json_depth) return false;
    out.type_ = body_value::type::array;
    ++p_;  // [
    skip_ws();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      out.items_.emplace_back();
      if (!value(out.items_.back(), depth)) return false;
      skip_ws();
      if (p_ == end_) return false;
      if (*p_ == ']') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
      skip_ws();
    }
  }

  bool hex4(std::uint32_t* out) {
    if (end_ - p_ < 4) return false;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = crypto::hex_value(p_[i]);
      if (h < 0) return false;
      v = (v << 4) | static_cast<std::uint32_t>(h);
    }
    p_ += 4;
    *out = v;
    return true;
  }
  bool string(std::string& s) {
    ++p_;  // "
    for (;;) {
      // Runs of plain ASCII are copied at once.
      const char* run = p_;
      while (p_ != end_ && static_cast<unsigned char>(*p_) >= 0x20 &&
             static_cast<unsigned char>(*p_) < 0x80 && *p_ != '"' && *p_ != '\\') {
        ++p_;
      }
      s.append(run, static_cast<std::size_t>(p_ - run));
      if (p_ == end_) return false;
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) {
        std::size_t length = 0;
        const std::string_view rest(p_, static_cast<std::size_t>(end_ - p_));
        if (check_utf8_sequence(rest, &length) != utf8_problem::none) return false;
        s.append(p_, length);
        p_ += length;
        continue;
      }
      // A backslash.
      if (++p_ == end_) return false;
      const char e = *p_++;
      switch (e) {
        case '"':
          s.push_back('"');
          break;
        case '\\':
          s.push_back('\\');
          break;
        case '/':
          s.push_back('/');
          break;
        case 'b':
          s.push_back('\b');
          break;
        case 'f':
          s.push_back('\f');
          break;
        case 'n':
          s.push_back('\n');
          break;
        case 'r':
          s.push_back('\r');
          break;
        case 't':
          s.push_back('\t');
          break;
        case 'u': {
          std::uint32_t cp;
          if (!hex4(&cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a lone low surrogate
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t low;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
            p_ += 2;
            if (!hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(&s, cp);
          break;
        }
        default:
          return false;
      }
    }
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, classified as nlohmann does: an integer
  // that fits uint64 (non-negative) or int64 (negative), else a float.
  bool number(body_value& out) {
    const char* start = p_;
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    } else {
      return false;
    }
    bool integral = true;
    if (p_ != end_ && *p_ == '.') {
      integral = false;
      ++p_;
      if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integral = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    out.type_ = body_value::type::floating;
    if (!integral) return finite(start);
    // Digits only (after the sign): accumulate with an overflow check.
    std::uint64_t v = 0;
    for (const char* d = start + (negative ? 1 : 0); d != p_; ++d) {
      const auto digit = static_cast<std::uint64_t>(*d - '0');
      if (v > (UINT64_MAX - digit) / 10)
        return finite(start);  // too large: a float, as nlohmann has it
      v = v * 10 + digit;
    }
    if (!negative) {
      out.type_ = body_value::type::unsigned_integer;
      out.unsigned_ = v;
      out.integer_ = static_cast<std::int64_t>(v);
      return true;
    }
    if (v > static_cast<std::uint64_t>(INT64_MAX) + 1) return finite(start);  // a float
    out.type_ = body_value::type::integer;
    out.integer_ =
        v == static_cast<std::uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<std::int64_t>(v);
    return true;
  }

  // A float that does not overflow to infinity (nlohmann refuses those).
  bool finite(const char* start) const {
    const std::string text(start, p_);
    return std::isfinite(std::strtod(text.c_str(), nullptr));
  }

  const char* p_;
  const char* const end_;
};

std::optional<body_value> parse_body_json(std::string_view text) {
  return body_parser(text).run();
}

bool same_body_value(const body_value& a, const body_value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case body_value::type::string:
      return a.str() == b.str();
    case body_value::type::integer:
      return a.integer() == b.integer();
    case body_value::type::unsigned_integer:
      return a.unsigned_integer() == b.unsigned_integer() && a.integer() == b.integer();
    case body_value::type::array:
      if (a.items().size() != b.items().size()) return false;
      for (std::size_t i = 0; i < a.items().size(); ++i) {
        if (!same_body_value(a.items()[i], b.items()[i])) return false;
      }
      return true;
    case body_value::type::object:
      if (a.fields().size() != b.fields().size()) return false;
      for (std::size_t i = 0; i < a.fields().size(); ++i) {
        if (a.fields()[i].first != b.fields()[i].first ||
            !same_body_value(a.fields()[i].second, b.fields()[i].second)) {
          return false;
        }
      }
      return true;
    default:
      return true;  // null, boolean (the value is not kept), floating (nor is it)
  }
}

}  // namespace zwerm::node::community
