// The community methods of the RPC table (docs/RPC.md), served from the community_host, in two
// groups (the contract's method_group):
//   record methods (rpc_records.cpp): each checks its params (invalid_params with a sentence),
//     checks the body against the record schema before signing anything, writes the record and
//     answers {"record_id", "type", "took_effect"} (false when a community rule gave it no
//     effect, e.g. a member who is no longer active);
//   views (rpc_views.cpp): answer the community library's JSON as is; plus community.use and
//     watch.
#pragma once

#include <memory>

#include "node/daemon/community_host.hpp"
#include "node/daemon/method_table.hpp"
#include "node/daemon/rpc_methods.hpp"

namespace zwerm::node {

namespace community_rpc {
class context;  // rpc_community_parts.hpp
}

// Registers every method the host can serve: the record methods and the views. The handlers
// keep pointers to `host` and `services`.
void register_community_methods(rpc::method_table& table, community_host& host,
                                const node_services& services);

// The two halves of register_community_methods; the handlers share `ctx`.
void register_record_methods(rpc::method_table& table,
                             const std::shared_ptr<community_rpc::context>& ctx);
void register_view_methods(rpc::method_table& table,
                           const std::shared_ptr<community_rpc::context>& ctx);

// The `watch.record` notification for one appended record.
rpc::json watch_notification(const community_host& host, const record& r);

}  // namespace zwerm::node
