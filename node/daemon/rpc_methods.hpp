// The daemon's RPC methods (the contract: node/rpc_contract/contract.hpp, docs/RPC.md) and which
// part of the node serves each:
//   register_methods            status, methods (this file)
//   register_record_methods     the methods that write a record (rpc_records.cpp)
//   register_view_methods       the views, community.use and watch (rpc_views.cpp)
//   register_network_methods    join, peers, peer.add; wraps status (network_rpc.cpp)
// zwermd registers all of them; `methods` lists what is registered.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "base/bytes.hpp"
#include "base/clock.hpp"
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
  // The node's clock (the one community_host and network_host read too): views, invite
  // expiry, uptime. Never null.
  const zwerm::clock* clock = &machine_clock();
  std::chrono::steady_clock::time_point started_steady;  // clock->steady() at start
  std::int64_t started_ms = 0;                           // clock->unix_ms() at start
  community_host* communities = nullptr;                 // the communities this node is in
  bool network = false;  // network methods are registered too (they answer status's peers)
  // Asks the daemon to stop cleanly once the current answer is out (the `stop` method). Null:
  // `stop` answers not_available.
  std::function<void()> request_stop;
};

// Registers status, methods, log.level and stop. The handlers keep pointers to `services` and to
// `table` itself (for `methods`): both must stay where they are while the server runs.
void register_methods(rpc::method_table& table, const node_services& services);

// The version string status reports ("0.1.0").
std::string_view zwermd_version();

}  // namespace zwerm::node
