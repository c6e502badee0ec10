// What the operator decided about peers by hand, kept in the home's peers.json (mode 0600) so
// that it outlives a restart: the addresses added with `zwerm peer add` (per community) and the
// operator's bans of IP addresses (`zwerm peer ban`, node-wide). docs/OPERATIONS.md, "Peers".
//
// The peer managers keep what the node learned by itself (the store's peer book); this file
// keeps only the operator's word, which holds with `peer_discovery` off too.
//
// Pure data and two functions that read and write the file; network_host owns the copy in use.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "base/status.hpp"
#include "node/records/record.hpp"

namespace zwerm::node {

struct operator_ban {
  std::int64_t since_ms = 0;  // when the operator set it (Unix ms)
  std::int64_t until_ms = 0;  // when it ends
  friend bool operator==(const operator_ban&, const operator_ban&) = default;
};

struct operator_peers {
  // Per community, the canonical "[KEY@]host:port" of each `peer add`, in the order added.
  std::map<community_id, std::vector<std::string>> added;
  // By IP address (peers::parse_ban_address's canonical text).
  std::map<std::string, operator_ban> bans;
  friend bool operator==(const operator_peers&, const operator_peers&) = default;
};

// A missing file is an empty operator_peers. Errors: corruption naming the file and what is
// wrong (not JSON, an entry that does not parse); zwermd then refuses to start rather than
// forget a ban.
result<operator_peers> load_operator_peers(const std::filesystem::path& file);
// Replaces the file atomically (durable_file.hpp). Errors: io_error.
status save_operator_peers(const std::filesystem::path& file, const operator_peers& peers);

}  // namespace zwerm::node
