#include "node/peers/address.hpp"

#include <algorithm>

#include "base/base64url.hpp"

namespace zwerm::node::peers {

namespace {

status refuse(std::string_view text, const std::string& why) {
  // Addresses come from peers: quote at most a bounded prefix of what they sent.
  std::string shown(text.substr(0, 64));
  if (text.size() > 64) shown += "...";
  return {status_code::invalid_argument, "'" + shown + "' is not a dialable address: " + why};
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool is_v6_char(char c) {
  return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9') || c == ':' || c == '.';
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// The IPv6 forms of "all zeros" (::, 0::0, 0:0:0:0:0:0:0:0, ...): only ':' and '0'.
bool is_unspecified_v6(std::string_view host) {
  return std::all_of(host.begin(), host.end(), [](char c) { return c == ':' || c == '0'; });
}

}  // namespace

std::string dial_address::text() const {
  const std::string p = std::to_string(port);
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + p;
  return host + ":" + p;
}

result<dial_address> parse_address(std::string_view text) {
  if (text.empty()) return refuse(text, "it is empty");
  if (text.size() > max_address_size)
    return refuse(text, "it is longer than " + std::to_string(max_address_size) + " bytes");

  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return refuse(text, "it has no ':port'");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);

  dial_address out;
  bool v6 = false;
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 3 || host.back() != ']')
      return refuse(text, "an IPv6 address needs a closing ']' before the port");
    host = host.substr(1, host.size() - 2);
    v6 = true;
  } else if (host.find(':') != std::string_view::npos) {
    return refuse(text, "an IPv6 address must be written in brackets, as [::1]:7411");
  }
  if (host.empty()) return refuse(text, "the host is empty");
  out.host.reserve(host.size());
  for (char c : host) {
    const char l = lower(c);
    if (v6 ? !is_v6_char(l) : !is_name_char(l))
      return refuse(text, "the host contains a character that no host name or address has");
    out.host.push_back(l);
  }
  if (v6 ? is_unspecified_v6(out.host) : out.host == "0.0.0.0")
    return refuse(text, "the unspecified address names no node");
  if (!v6 && (out.host.front() == '.' || out.host.front() == '-'))
    return refuse(text, "a host name cannot start with '.' or '-'");

  if (port_text.empty() || port_text.size() > 5) return refuse(text, "the port is not 1..65535");
  std::uint32_t port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9') return refuse(text, "the port is not a decimal number");
    port = port * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (port == 0 || port > 65535) return refuse(text, "the port is not 1..65535");
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

result<address_hint> parse_hint(std::string_view text) {
  address_hint hint;
  const std::size_t at = text.find('@');
  if (at != std::string_view::npos) {
    crypto::public_key k;
    if (!crypto::from_text(text.substr(0, at), &k))
      return status(status_code::invalid_argument,
                    "the key before '@' is not a member id (43 characters of base64url)");
    hint.key = k;
    text.remove_prefix(at + 1);
  }
  auto parsed = parse_address(text);
  if (!parsed.ok()) return parsed.error();
  hint.address = parsed->text();
  return hint;
}

}  // namespace zwerm::node::peers
