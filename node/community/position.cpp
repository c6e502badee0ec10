#include "node/community/position.hpp"

#include <charconv>

#include "base/base64url.hpp"

namespace zwerm::node::community {

std::string to_text(const position& p) {
  return std::to_string(p.lamport) + "." + crypto::to_text(p.author) + "." + std::to_string(p.seq);
}

namespace {
bool parse_u64(std::string_view s, std::uint64_t* out) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}
}  // namespace

std::optional<position> position_from_text(std::string_view text) {
  auto dot1 = text.find('.');
  if (dot1 == std::string_view::npos) return std::nullopt;
  auto dot2 = text.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return std::nullopt;
  position p;
  if (!parse_u64(text.substr(0, dot1), &p.lamport)) return std::nullopt;
  if (!crypto::from_text(text.substr(dot1 + 1, dot2 - dot1 - 1), &p.author)) return std::nullopt;
  if (!parse_u64(text.substr(dot2 + 1), &p.seq)) return std::nullopt;
  return p;
}

}  // namespace zwerm::node::community
