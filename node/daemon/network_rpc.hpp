// The RPC methods backed by the network (docs/RPC.md):
//   join {"code"}                 redeem an invite code: dial the code's member nodes with the
//                                 token, sync the log up to the invite, write member.join
//   peers {"community"?}          connections and known addresses of one community
//   peer.add {"address", "community"?}  add "[KEY@]host:port" to the community's addresses
//   peer.remove {"address", "community"?}  forget an address (not bootstrap's, not a profile's)
//   peer.ban {"address", "for_s"?}    ban an IP address node-wide (network_host::ban_peer)
//   peer.unban {"address"}            lift every ban of an IP address
// and it extends `status` with the bound listen address, the connected peers and, per member,
// how far this node lags behind the best-known head of that member's feed.
//
// Handlers run on the daemon's I/O executor; join waits for the network without blocking
// other clients (it polls its progress on a timer, up to `join_timeout`).
#pragma once

#include <chrono>

#include "node/daemon/community_host.hpp"
#include "node/daemon/method_table.hpp"
#include "node/daemon/network_host.hpp"
#include "node/daemon/rpc_methods.hpp"

namespace zwerm::node {

struct network_rpc_options {
  // How long join waits for a member node and the invite record before it gives up.
  // Default 60 s (the CLI waits 90 s for the answer).
  std::chrono::milliseconds join_timeout{std::chrono::seconds(60)};
};

// Registers join, peers and the peer.* methods and wraps the registered `status` method. The
// handlers keep pointers to `host`, `network` and `services`.
void register_network_methods(rpc::method_table& table, community_host& host, network_host& network,
                              const node_services& services, network_rpc_options options = {});

}  // namespace zwerm::node
