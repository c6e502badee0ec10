// The checks every HTTP request passes before a route sees it. Pure functions, no I/O: the
// server calls them and unit tests call them directly.
//
// - Host: a browser sends the name it resolved in Host; a page that rebinds its own DNS name
//   to 127.0.0.1 (DNS rebinding) sends its own name. So only the names that mean this very
//   server are accepted: the bound address and, for a loopback bind, "localhost" and the
//   other loopback spellings, each with the bound port.
// - Path: percent-decoded once; a path with a "." or ".." segment (however encoded), a
//   backslash, an encoded slash, a NUL or any control byte is refused, not cleaned up.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace zwerm::node::http {

// True when `address` (an IP literal, IPv6 without brackets) is a loopback address.
bool is_loopback(std::string_view address);

// True when a request's Host header value names this server: bound to `bound_host` (an IP
// literal) on `port`. For a loopback bind: 127.0.0.1, localhost, [::1] (whichever family is
// bound) with the port. For a wildcard or other bind (only with allow_remote): any IP literal
// with the port, never a DNS name other than localhost.
bool host_allowed(std::string_view host_header, std::string_view bound_host, std::uint16_t port);

// A request target split and decoded: the path and the query parameters.
struct target {
  std::string path;                          // decoded, starts with '/'
  std::map<std::string, std::string> query;  // decoded; a repeated name keeps the first
};

// Splits and decodes a request target ("/api/members?community=abc"). nullopt when it is not
// an origin-form target, is malformed (bad percent escape), or has a forbidden path (see
// above).
std::optional<target> parse_target(std::string_view raw);

// Percent-decoding ('+' stays '+'); nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);

// The value of cookie `name` in a Cookie header, if present.
std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name);

// Compares two strings in time that depends only on their lengths (the access token).
bool same_secret(std::string_view a, std::string_view b);

}  // namespace zwerm::node::http
