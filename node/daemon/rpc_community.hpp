// The community methods of the RPC table (docs/OPERATIONS.md, "RPC methods"), served from the
// community_host. Each write method checks its params (invalid_params with a sentence), checks
// the body against the record schema before signing anything, writes the record and answers
// {"record_id": ..., "took_effect": bool} (false when a community rule gave it no effect,
// e.g. a member who is no longer active). Views answer the community library's JSON as is.
#pragma once

#include "node/daemon/community_host.hpp"
#include "node/daemon/method_table.hpp"
#include "node/daemon/rpc_methods.hpp"

namespace zwerm::node {

// Registers (replacing unavailable entries) every method the host can serve. The handlers
// keep pointers to `host` and `services`.
void register_community_methods(rpc::method_table& table, community_host& host,
                                const node_services& services);

// The `watch.record` notification for one appended record.
rpc::json watch_notification(const community_host& host, const record& r);

}  // namespace zwerm::node
