#include "node/http/request_guard.hpp"

#include <boost/asio/ip/address.hpp>

namespace zwerm::node::http {

bool is_loopback(std::string_view address) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(std::string(address), ec);
  return !ec && a.is_loopback();
}

namespace {

// "host:port" or "[v6]:port" split; nullopt without a port (browsers always send the port
// of a non-default one, and ours is never 80).
std::optional<std::pair<std::string, std::string>> split_host(std::string_view h) {
  if (h.starts_with('[')) {
    auto close = h.find(']');
    if (close == std::string_view::npos || close + 1 >= h.size() || h[close + 1] != ':') {
      return std::nullopt;
    }
    return std::pair{std::string(h.substr(1, close - 1)), std::string(h.substr(close + 2))};
  }
  auto colon = h.rfind(':');
  if (colon == std::string_view::npos || h.find(':') != colon) return std::nullopt;
  return std::pair{std::string(h.substr(0, colon)), std::string(h.substr(colon + 1))};
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

}  // namespace

bool host_allowed(std::string_view host_header, std::string_view bound_host, std::uint16_t port) {
  auto parts = split_host(host_header);
  if (!parts || parts->second != std::to_string(port)) return false;
  const std::string name = lower(parts->first);
  boost::system::error_code ec;
  const auto bound = boost::asio::ip::make_address(std::string(bound_host), ec);
  if (ec) return false;
  if (name == "localhost") return bound.is_loopback() || bound.is_unspecified();
  const auto asked = boost::asio::ip::make_address(name, ec);
  if (ec) return false;  // a DNS name: exactly what a rebinding page sends
  if (bound.is_loopback()) return asked.is_loopback();
  if (bound.is_unspecified()) return true;  // an IP literal: no rebinding through a name
  return asked == bound;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::optional<target> parse_target(std::string_view raw) {
  if (raw.empty() || raw.front() != '/') return std::nullopt;
  const auto q = raw.find('?');
  const std::string_view raw_path = raw.substr(0, q);
  // An encoded slash or backslash would let a decoded path differ from its segments.
  for (std::size_t i = 0; i + 2 < raw_path.size(); ++i) {
    if (raw_path[i] == '%' && raw_path[i + 1] == '2' &&
        (raw_path[i + 2] == 'f' || raw_path[i + 2] == 'F')) {
      return std::nullopt;
    }
    if (raw_path[i] == '%' && raw_path[i + 1] == '5' &&
        (raw_path[i + 2] == 'c' || raw_path[i + 2] == 'C')) {
      return std::nullopt;
    }
  }
  auto path = percent_decode(raw_path);
  if (!path) return std::nullopt;
  for (unsigned char c : *path) {
    if (c < 0x20 || c == 0x7f || c == '\\') return std::nullopt;
  }
  // Segments "." and ".." (after decoding, so %2e%2e counts) are refused.
  std::size_t start = 1;
  while (start <= path->size()) {
    auto end = path->find('/', start);
    if (end == std::string::npos) end = path->size();
    const std::string_view seg(path->data() + start, end - start);
    if (seg == "." || seg == "..") return std::nullopt;
    start = end + 1;
  }
  target t;
  t.path = std::move(*path);
  if (q == std::string_view::npos) return t;
  std::string_view rest = raw.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq));
    auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    t.query.emplace(std::move(*name), std::move(*value));
  }
  return t;
}

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto semi = header.find(';');
    std::string_view item = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    auto eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == name) {
      return std::string(item.substr(eq + 1));
    }
  }
  return std::nullopt;
}

bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

}  // namespace zwerm::node::http
