// The daemon's RPC methods: which exist, what each takes and returns (docs/OPERATIONS.md,
// "RPC methods"), and which part of the node serves each.
//
// Every method OPERATIONS.md lists is registered. A method whose backing library is not part of
// this build is registered as unavailable and answers not_available (-32001) with a sentence
// naming the missing part; `methods` lists them all with their availability.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "crypto/bytes.hpp"
#include "node/daemon/config.hpp"
#include "node/daemon/method_table.hpp"

namespace zwerm::node {

class community_host;

// What the methods read. Owned by the daemon, which outlives the table; every pointer is
// non-null.
struct node_services {
  const daemon_options* options = nullptr;
  crypto::public_key node_id;
  std::filesystem::path home;
  std::chrono::steady_clock::time_point started_steady;
  std::int64_t started_ms = 0;            // wall clock at start, ms since the epoch
  community_host* communities = nullptr;  // the communities this node is in
  bool network = false;  // network methods are registered too (they answer status's peers)
};

// Fills `table` with every method. The handlers keep pointers to `services` and to `table`
// itself (for `methods`): both must stay where they are while the server runs.
void register_methods(rpc::method_table& table, const node_services& services);

// The version string status reports ("0.1.0").
std::string_view zwermd_version();

}  // namespace zwerm::node
