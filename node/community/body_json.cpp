#include "node/community/body_json.hpp"

#include <nlohmann/json.hpp>

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

std::optional<body_value> parse_body_json(std::string_view text) {
  body_sax sax;
  bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &sax,
                                      nlohmann::json::input_format_t::json, /*strict=*/true);
  if (!ok || !sax.root) return std::nullopt;
  return std::move(sax.root);
}

}  // namespace zwerm::node::community
