// zwermd's configuration: <home>/config.json translated into plain option structs.
//
// The file is a JSON object; comments (// and /* */) are allowed. Every field is optional and
// has the default written next to it here and in docs/OPERATIONS.md. An unknown field, a value
// of the wrong type or an address that does not parse is an error that names the field, so a
// typo never silently falls back to a default. JSON is read here and nowhere else in node/:
// the rest of the daemon sees only these structs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/status.hpp"

namespace zwerm::node {

// A TCP address as written in the config: "host:port", "[v6-address]:port".
struct host_port {
  std::string host;
  std::uint16_t port = 0;

  std::string to_string() const;
  friend bool operator==(const host_port&, const host_port&) = default;
};

// Parses "host:port" or "[::1]:port". The port must be 0..65535 (0 only makes sense for
// listen: the system picks one). Errors: invalid_argument with the reason.
result<host_port> parse_host_port(std::string_view text);

enum class log_level { trace, debug, info, warn, error, off };

// The default of daemon_options::verify_threads: the machine's cores (as the standard library
// reports them), at least 1 and at most 4.
std::size_t default_verify_threads();

// Parses "trace" | "debug" | "info" | "warn" | "error" | "off".
std::optional<log_level> parse_log_level(std::string_view text);
std::string_view to_string(log_level level);

// Resource bounds. Each one protects the node from a peer or a local client that asks for too
// much; the defaults suit a member's laptop.
struct limits_options {
  // Inbound peer connections accepted at once, all communities together. Default 64.
  std::size_t max_inbound = 64;
  // Inbound peer connections from one remote IP address still in their handshake (admitted
  // sessions do not count). Default 8.
  std::size_t max_inbound_per_address = 8;
  // Local CLI connections on zwermd.sock at once; more are closed on accept. Default 32.
  std::size_t max_rpc_clients = 32;
  // Longest JSON-RPC line (request) the socket accepts, in bytes; a longer one is answered
  // with an error and the connection is closed. Default 1 MiB (a 16 KiB record body fits
  // many times over).
  std::size_t max_rpc_line_bytes = 1u << 20;
  // Notifications queued for one `watch` client before it is considered too slow and
  // disconnected. Default 1024.
  std::size_t max_watch_queue = 1024;
};

struct daemon_options {
  // The member's display name, used by `zwerm community create` and `join` to fill the first
  // profile record. Default "" (no name: others see an id prefix).
  std::string name;
  // Where zwermd accepts peer connections. Default 0.0.0.0:7411. Port 0 lets the system pick
  // a free port (tests); `zwerm status` shows the one in use.
  host_port listen{"0.0.0.0", 7411};
  // The address other members dial to reach this node, put into invite codes and profiles.
  // Default: none (the listen address when it is not 0.0.0.0 / ::).
  std::optional<host_port> advertise;
  // Peers dialed at start-up, in addition to those learned from invites, profiles and peer
  // exchange. Default empty.
  std::vector<host_port> bootstrap;
  // The member key named for each bootstrap entry written "KEY@host:port" (KEY: the member id,
  // 43 characters of base64url), in the same order as `bootstrap`; nullopt for a bare
  // "host:port" (dialed once a profile, invite or peer names the key there).
  std::vector<std::optional<crypto::public_key>> bootstrap_keys;
  // Connections the node keeps per community. Default 6, allowed 0..64.
  std::size_t target_peers = 6;
  // false: dial only `bootstrap` and `peer add` addresses (and, while joining, the invite's);
  // ignore members' profile addresses and peer exchange, and neither read nor keep learned
  // addresses. For fixed topologies (tests, a node behind a relay). Default true.
  bool peer_discovery = true;
  // Threads that verify the signatures of records received from peers (1..64). Committing
  // them to the store runs on one more thread, the network on another. Default: the number
  // of cores, at most 4 (default_verify_threads()).
  std::size_t verify_threads = default_verify_threads();
  // Lowest level that reaches stderr. Default info.
  log_level log = log_level::info;
  limits_options limits;
  // Where the read-only web dashboard listens ("127.0.0.1:7480"); an IP address, loopback
  // unless http_allow_remote. Default: none (no dashboard). zwermd --http overrides it.
  std::optional<host_port> http;
  // true: the dashboard may listen on a non-loopback address (zwermd logs a warning). It
  // still needs the per-start token. Default false. zwermd --http-allow-remote sets it.
  bool http_allow_remote = false;
  // Where the Prometheus metrics endpoint (GET /metrics) listens ("127.0.0.1:9480"); loopback
  // unless http_allow_remote. Default: none. zwermd --metrics overrides it.
  std::optional<host_port> metrics;
};

// Parses the text of a config file. `source` names the file in error messages.
// Errors: invalid_argument ("<source>: line 3: ..." for syntax, "<source>: 'listen': ..." for
// a bad field).
result<daemon_options> parse_config(std::string_view text, std::string_view source);

// Reads and parses `file`. A missing file yields the defaults (zwerm init writes one, but a
// hand-made home may not have it). Errors: io_error when it exists but cannot be read, and
// those of parse_config.
result<daemon_options> load_config(const std::filesystem::path& file);

}  // namespace zwerm::node
