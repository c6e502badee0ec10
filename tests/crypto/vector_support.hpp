// Helpers for the tests that read tests/vectors/*.json (hex strings into zwerm byte types).
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/bytes.hpp"

namespace zwerm::crypto::test {

inline nlohmann::json load_vectors(const std::string& name) {
  std::string path = std::string(ZWERM_VECTORS_DIR) + "/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open vector file " + path);
  return nlohmann::json::parse(in);
}

// Hex string -> bytes; throws on malformed hex so that a broken vector file fails loudly.
inline std::string unhex(const nlohmann::json& j) {
  std::string out;
  if (!j.is_string() || !from_hex(j.get<std::string>(), &out)) {
    throw std::runtime_error("vector field is not hex: " + j.dump());
  }
  return out;
}

template <class T>
T fixed(const nlohmann::json& j) {
  T v;
  if (!T::from(unhex(j), &v)) throw std::runtime_error("vector field has the wrong length");
  return v;
}

inline std::vector<std::uint8_t> bytes_of(const nlohmann::json& j) {
  std::string s = unhex(j);
  return {s.begin(), s.end()};
}

template <std::size_t N>
std::string hex(const std::array<std::uint8_t, N>& a) {
  return to_hex(std::string_view(reinterpret_cast<const char*>(a.data()), N));
}
inline std::string hex(std::string_view s) {
  return to_hex(s);
}

}  // namespace zwerm::crypto::test
