#include "node/peers/address.hpp"

#include <arpa/inet.h>

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

namespace {

// inet_pton's canonical text of an IP literal; nullopt when `host` is none.
std::optional<std::string> canonical_ip(std::string_view host) {
  if (host.empty() || host.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string h(host);
  char out[INET6_ADDRSTRLEN] = {};
  if (h.find(':') == std::string::npos) {
    in_addr a{};
    if (inet_pton(AF_INET, h.c_str(), &a) != 1) return std::nullopt;
    if (inet_ntop(AF_INET, &a, out, sizeof out) == nullptr) return std::nullopt;
  } else {
    in6_addr a{};
    if (inet_pton(AF_INET6, h.c_str(), &a) != 1) return std::nullopt;
    if (inet_ntop(AF_INET6, &a, out, sizeof out) == nullptr) return std::nullopt;
  }
  return std::string(out);
}

status refuse_ban(std::string_view text, const std::string& why) {
  std::string shown(text.substr(0, 64));
  if (text.size() > 64) shown += "...";
  return {status_code::invalid_argument, "'" + shown + "' cannot be banned: " + why};
}

}  // namespace

std::optional<std::string> ban_key_of_host(std::string_view host) {
  return canonical_ip(host);
}

result<std::string> parse_ban_address(std::string_view text) {
  if (text.empty()) return refuse_ban(text, "it is empty");
  if (text.size() > max_address_size)
    return refuse_ban(text, "it is longer than " + std::to_string(max_address_size) + " bytes");
  if (text.find('%') != std::string_view::npos)
    return refuse_ban(text, "an IPv6 zone (%...) names no remote node");
  std::string_view host = text;
  if (host.front() == '[') {
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos) return refuse_ban(text, "the '[' has no closing ']'");
    const std::string_view rest = host.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || rest.size() < 2))
      return refuse_ban(text, "after ']' only ':port' may follow");
    host = host.substr(1, close - 1);
    if (host.find(':') == std::string_view::npos)
      return refuse_ban(text, "only an IPv6 address goes in brackets");
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    host = host.substr(0, host.find(':'));  // a.b.c.d:port
  }
  if (!text.ends_with(']') && host.size() != text.size()) {
    // The port that followed: checked like a dial address's, then ignored.
    const std::string_view port_text = text.substr(text.rfind(':') + 1);
    bool digits = !port_text.empty() && port_text.size() <= 5 &&
                  std::all_of(port_text.begin(), port_text.end(),
                              [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoul(std::string(port_text)) == 0 ||
        std::stoul(std::string(port_text)) > 65535)
      return refuse_ban(text, "the port is not 1..65535");
  }
  auto ip = canonical_ip(host);
  if (!ip) {
    return refuse_ban(text,
                      "it is not an IP address (a ban names an IPv4 or IPv6 address, not "
                      "a host name)");
  }
  if (*ip == "0.0.0.0" || *ip == "::")
    return refuse_ban(text, "the unspecified address names no node");
  return *ip;
}

}  // namespace zwerm::node::peers
