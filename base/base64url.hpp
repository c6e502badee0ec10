// base64url (RFC 4648 §5) without padding: the text form of member ids, record ids and codes.
#pragma once

#include <string>
#include <string_view>

#include "base/bytes.hpp"

namespace zwerm::crypto {

std::string base64url_encode(std::string_view bytes);

// Strict decoding: only the url-safe alphabet, no padding, no whitespace, and the unused low
// bits of the last character must be zero (so every byte string has exactly one text form).
bool base64url_decode(std::string_view text, std::string* out);

template <class T>
std::string to_text(const T& fixed) {
  return base64url_encode(fixed.view());
}

// The first 8 characters of the text form: how logs name a member, record or community.
template <class T>
std::string short_id(const T& fixed) {
  return to_text(fixed).substr(0, 8);
}

// Parses the text form of a fixed-size value (43 characters for 32 bytes).
template <class T>
bool from_text(std::string_view text, T* out) {
  std::string raw;
  return base64url_decode(text, &raw) && T::from(raw, out);
}

}  // namespace zwerm::crypto
