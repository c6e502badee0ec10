// Internal: writes JSON text directly, byte for byte as nlohmann::json::dump() would write the
// same value (no spaces; strings escaped the same way; UTF-8 passed through). The large views
// use it so that answering 10,000 members does not build 10,000 JSON objects first. Callers
// emit object keys in sorted order, as nlohmann's default object does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace zwerm::node::community {

class json_writer {
 public:
  explicit json_writer(std::size_t reserve = 0) { out_.reserve(reserve); }

  json_writer& begin_object() { return open('{'); }
  json_writer& end_object() { return close('}'); }
  json_writer& begin_array() { return open('['); }
  json_writer& end_array() { return close(']'); }
  json_writer& key(std::string_view k) {
    separator();
    quoted(k);
    out_.push_back(':');
    after_key_ = true;
    return *this;
  }
  json_writer& string(std::string_view s) {
    separator();
    quoted(s);
    return *this;
  }
  json_writer& number(std::uint64_t v) {
    separator();
    out_ += std::to_string(v);
    return *this;
  }
  json_writer& number(std::int64_t v) {
    separator();
    out_ += std::to_string(v);
    return *this;
  }
  json_writer& boolean(bool v) {
    separator();
    out_ += v ? "true" : "false";
    return *this;
  }
  json_writer& null() {
    separator();
    out_ += "null";
    return *this;
  }
  std::string take() { return std::move(out_); }

 private:
  json_writer& open(char c) {
    separator();
    out_.push_back(c);
    first_ = true;
    return *this;
  }
  json_writer& close(char c) {
    out_.push_back(c);
    first_ = false;
    return *this;
  }
  void separator() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_) out_.push_back(',');
    first_ = false;
  }
  void quoted(std::string_view s);

  std::string out_;
  bool first_ = true;
  bool after_key_ = false;
};

}  // namespace zwerm::node::community
