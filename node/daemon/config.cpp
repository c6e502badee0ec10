#include "node/daemon/config.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "base/base64url.hpp"

namespace zwerm::node {
namespace {

using json = nlohmann::json;

status bad_field(std::string_view source, std::string_view field, std::string_view why) {
  return {status_code::invalid_argument,
          std::string(source) + ": '" + std::string(field) + "' " + std::string(why)};
}

// 1-based line of a byte offset, for parse errors people can find in their editor.
std::size_t line_of(std::string_view text, std::size_t byte) {
  byte = std::min(byte, text.size());
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + byte, '\n'));
}

result<std::size_t> read_count(const json& v, std::string_view source, std::string_view field,
                               std::size_t min, std::size_t max) {
  if (!v.is_number_integer()) return bad_field(source, field, "must be a whole number");
  const bool negative = !v.is_number_unsigned() && v.get<std::int64_t>() < 0;
  const std::uint64_t n = negative ? 0 : v.get<std::uint64_t>();
  if (negative || n < min || n > max) {
    return bad_field(source, field,
                     "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return static_cast<std::size_t>(n);
}

result<host_port> read_address(const json& v, std::string_view source, std::string_view field) {
  if (!v.is_string()) return bad_field(source, field, "must be a string like \"host:port\"");
  auto hp = parse_host_port(v.get<std::string>());
  if (!hp) return bad_field(source, field, hp.error().message());
  return hp;
}

std::string known_list(const auto& names) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

status read_limits(const json& v, std::string_view source, limits_options& out) {
  static constexpr std::array<std::string_view, 5> known = {
      "max_inbound", "max_inbound_per_address", "max_rpc_clients", "max_rpc_line_bytes",
      "max_watch_queue"};
  if (!v.is_object()) return bad_field(source, "limits", "must be an object");
  for (const auto& [key, value] : v.items()) {
    const std::string field = "limits." + key;
    result<std::size_t> n = std::size_t{0};
    if (key == "max_inbound") {
      n = read_count(value, source, field, 0, 100000);
      if (n) out.max_inbound = *n;
    } else if (key == "max_inbound_per_address") {
      n = read_count(value, source, field, 1, 10000);
      if (n) out.max_inbound_per_address = *n;
    } else if (key == "max_rpc_clients") {
      n = read_count(value, source, field, 1, 10000);
      if (n) out.max_rpc_clients = *n;
    } else if (key == "max_rpc_line_bytes") {
      n = read_count(value, source, field, 1024, std::size_t{64} << 20);
      if (n) out.max_rpc_line_bytes = *n;
    } else if (key == "max_watch_queue") {
      n = read_count(value, source, field, 1, 1000000);
      if (n) out.max_watch_queue = *n;
    } else {
      return bad_field(source, field, "is not a known field (known: " + known_list(known) + ")");
    }
    if (!n) return n.error();
  }
  return {};
}

}  // namespace

std::string host_port::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

result<host_port> parse_host_port(std::string_view text) {
  auto bad = [&](std::string why) {
    return status{status_code::invalid_argument,
                  "\"" + std::string(text) + "\" is not host:port (" + why + ")"};
  };
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return bad("missing ']'");
    host = text.substr(1, close - 1);
    if (close + 1 >= text.size() || text[close + 1] != ':') return bad("missing ':port'");
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("missing ':port'");
    host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos) return bad("write IPv6 addresses as [addr]");
    port = text.substr(colon + 1);
  }
  if (host.empty()) return bad("empty host");
  if (host.size() > 253) return bad("host too long");
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == ':' || c == '_' || c == '%';
    if (!ok) return bad("unexpected character in host");
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value > 65535) {
    return bad("the port must be a number from 0 to 65535");
  }
  return host_port{std::string(host), static_cast<std::uint16_t>(value)};
}

std::size_t default_verify_threads() {
  const unsigned cores = std::thread::hardware_concurrency();  // 0 when unknown
  return std::clamp<std::size_t>(cores, 1, 4);
}

std::optional<log_level> parse_log_level(std::string_view text) {
  if (text == "trace") return log_level::trace;
  if (text == "debug") return log_level::debug;
  if (text == "info") return log_level::info;
  if (text == "warn") return log_level::warn;
  if (text == "error") return log_level::error;
  if (text == "off") return log_level::off;
  return std::nullopt;
}

std::string_view to_string(log_level level) {
  switch (level) {
    case log_level::trace:
      return "trace";
    case log_level::debug:
      return "debug";
    case log_level::info:
      return "info";
    case log_level::warn:
      return "warn";
    case log_level::error:
      return "error";
    case log_level::off:
      return "off";
  }
  return "info";
}

result<daemon_options> parse_config(std::string_view text, std::string_view source) {
  json doc;
  try {
    doc = json::parse(text, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 3, column 5: ...";
    // keep the part after the bracketed tag.
    std::string what = e.what();
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    return status{status_code::invalid_argument,
                  std::string(source) + ": not valid JSON near line " +
                      std::to_string(line_of(text, e.byte)) + ": " + what};
  }
  if (!doc.is_object()) {
    return status{status_code::invalid_argument,
                  std::string(source) + ": must hold a JSON object { ... }"};
  }
  static constexpr std::array<std::string_view, 12> known = {
      "name",      "listen", "advertise",      "bootstrap", "peer_discovery",    "target_peers",
      "log_level", "limits", "verify_threads", "http",      "http_allow_remote", "metrics"};
  daemon_options out;
  for (const auto& [key, value] : doc.items()) {
    if (key == "name") {
      if (!value.is_string()) return bad_field(source, key, "must be a string");
      out.name = value.get<std::string>();
      if (out.name.size() > 64) return bad_field(source, key, "is longer than 64 bytes");
    } else if (key == "listen") {
      auto hp = read_address(value, source, key);
      if (!hp) return hp.error();
      out.listen = *hp;
    } else if (key == "advertise") {
      if (value.is_null()) continue;
      auto hp = read_address(value, source, key);
      if (!hp) return hp.error();
      if (hp->port == 0) return bad_field(source, key, "needs a real port, not 0");
      out.advertise = *hp;
    } else if (key == "bootstrap") {
      if (!value.is_array()) {
        return bad_field(source, key, "must be a list like [\"host:port\", ...]");
      }
      for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string field = "bootstrap[" + std::to_string(i) + "]";
        // "KEY@host:port" names the member key the handshake expects there.
        json address = value[i];
        std::optional<crypto::public_key> member;
        if (address.is_string()) {
          const std::string text = address.get<std::string>();
          if (auto at = text.find('@'); at != std::string::npos) {
            crypto::public_key k;
            if (!crypto::from_text(text.substr(0, at), &k)) {
              return bad_field(source, field,
                               "the part before '@' must be a member id (43 characters)");
            }
            member = k;
            address = text.substr(at + 1);
          }
        }
        auto hp = read_address(address, source, field);
        if (!hp) return hp.error();
        if (hp->port == 0) return bad_field(source, key, "entries need a real port, not 0");
        out.bootstrap.push_back(*hp);
        out.bootstrap_keys.push_back(member);
      }
    } else if (key == "target_peers") {
      auto n = read_count(value, source, key, 0, 64);
      if (!n) return n.error();
      out.target_peers = *n;
    } else if (key == "verify_threads") {
      auto n = read_count(value, source, key, 1, 64);
      if (!n) return n.error();
      out.verify_threads = *n;
    } else if (key == "peer_discovery") {
      if (!value.is_boolean()) return bad_field(source, key, "must be true or false");
      out.peer_discovery = value.get<bool>();
    } else if (key == "log_level") {
      auto level = value.is_string() ? parse_log_level(value.get<std::string>()) : std::nullopt;
      if (!level) {
        return bad_field(source, key, "must be one of trace, debug, info, warn, error, off");
      }
      out.log = *level;
    } else if (key == "limits") {
      if (status s = read_limits(value, source, out.limits); !s.ok()) return s;
    } else if (key == "http" || key == "metrics") {
      if (value.is_null()) continue;
      auto hp = read_address(value, source, key);
      if (!hp) return hp.error();
      (key == "http" ? out.http : out.metrics) = *hp;
    } else if (key == "http_allow_remote") {
      if (!value.is_boolean()) return bad_field(source, key, "must be true or false");
      out.http_allow_remote = value.get<bool>();
    } else {
      return bad_field(source, key, "is not a known field (known: " + known_list(known) + ")");
    }
  }
  return out;
}

result<daemon_options> load_config(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return daemon_options{};
  std::ifstream in(file, std::ios::binary);
  if (!in) return status{status_code::io_error, "cannot read " + file.string()};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return status{status_code::io_error, "cannot read " + file.string()};
  return parse_config(text.str(), file.string());
}

}  // namespace zwerm::node
