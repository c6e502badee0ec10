// What the HTTP module reads, and all it reads: the daemon's read-only RPC methods, called by
// their contract name through the same handlers that answer the local socket. node/http never
// sees the community state, the store or the network; it cannot write.
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "node/rpc_contract/contract.hpp"

namespace zwerm::node::http {

struct view_result {
  bool ok = false;
  std::string json_text;  // the method's result, one JSON value (ok)
  int code = 0;           // the RPC error code (not ok)
  std::string message;    // the RPC error's sentence (not ok)
};

// Calls one method of `dashboard_methods` with `params` on the daemon's I/O executor.
using view_source =
    std::function<boost::asio::awaitable<view_result>(std::string method, nlohmann::json params)>;

// The methods the dashboard may call: the contract's views plus the two read-only node and
// network methods (status, peers). The daemon's view_source refuses every other name, so a
// bug here cannot reach a method that writes.
inline constexpr std::array<const rpc_contract::method_spec*, 14> dashboard_methods = {
    &rpc_contract::method::status,         &rpc_contract::method::peers,
    &rpc_contract::method::community_list, &rpc_contract::method::community_show,
    &rpc_contract::method::profile_show,   &rpc_contract::method::feed,
    &rpc_contract::method::requests,       &rpc_contract::method::members,
    &rpc_contract::method::circle_list,    &rpc_contract::method::proposals,
    &rpc_contract::method::balance,        &rpc_contract::method::who_knows,
    &rpc_contract::method::ties,           &rpc_contract::method::pulse,
};

// True when `method` is one of dashboard_methods.
constexpr bool is_dashboard_method(std::string_view method) {
  for (const auto* m : dashboard_methods) {
    if (m->name == method) return true;
  }
  return false;
}

}  // namespace zwerm::node::http
