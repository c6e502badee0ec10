// What the community methods share (rpc_community.cpp): reading params, resolving the
// community and ids a request names, and writing a record. Internal to node/daemon: the record
// methods (rpc_records.cpp) and the views (rpc_views.cpp) use it.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "node/daemon/community_host.hpp"
#include "node/daemon/rpc_methods.hpp"
#include "node/daemon/rpc_protocol.hpp"

namespace zwerm::node::community_rpc {

using rpc::json;
using rpc::reply;

// invalid_params with a sentence.
reply bad(std::string why);

// Optional string param; absent or null is nullopt, a present non-string is an error (returned
// through *err).
std::optional<std::string> opt_string(const json& p, std::string_view key,
                                      std::optional<reply>* err);
// Optional array of strings (empty strings are skipped); a present non-array or an element
// that is not a string is an error.
std::vector<std::string> string_list(const json& p, std::string_view key,
                                     std::optional<reply>* err);
// Checks every param `spec` names against its JSON type in the contract, and that the required
// ones are there (absent and null are "not given"); the reply on the first that is wrong.
std::optional<reply> check_params(const json& p, const rpc_contract::method_spec& spec);
// Optional boolean param, `fallback` when absent or null; a present non-boolean is an error.
bool opt_bool(const json& p, std::string_view key, bool fallback, std::optional<reply>* err);
// Optional string param that must be one of `allowed`; `fallback` when absent or null.
template <std::size_t N>
std::string opt_choice(const json& p, std::string_view key,
                       const std::array<std::string_view, N>& allowed, std::string_view fallback,
                       std::optional<reply>* err) {
  auto v = opt_string(p, key, err);
  if (!v) return std::string(fallback);
  for (std::string_view a : allowed) {
    if (*v == a) return *v;
  }
  std::string list;
  for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  *err = bad("\"" + std::string(key) + "\" must be one of " + list);
  return std::string(fallback);
}

// A record id given in full or as a prefix, among the ids of one kind of entity. Errors:
// not_found (no match), invalid_argument (ambiguous: lists the candidates).
result<record_id> resolve_id(const std::unordered_map<record_id, community::index>& ids,
                             const std::string& ref, const std::string& what);
// An open circle by exact name, else a circle id or prefix.
result<record_id> resolve_circle(const community::state& st, const std::string& ref);

// The community methods' access to the node: one per method table, shared by its handlers.
class context {
 public:
  context(community_host& host, const node_services& services) : host_(host), services_(services) {}

  community_host& host() { return host_; }
  const node_services& services() const { return services_; }

  // Resolves params.community (a name, id or id prefix; absent: the default or only one) to
  // a state; on failure the reply.
  std::variant<std::pair<community_id, const community::state*>, reply> community_of(const json& p);

  // Checks the body against the record schema, refuses when this member is not active, writes
  // the record and answers {record_id, type, took_effect[, note]}.
  reply write(const community_id& c, std::string_view type, const json& body);

  // The address other members' nodes reach this one at: advertise, else a specific listen
  // address; nullopt when neither.
  std::optional<host_port> own_address() const;

  // The profile body this node writes for its member when it has none yet.
  json first_profile() const;

 private:
  community_host& host_;
  const node_services& services_;
};

// Registers `fn` as the synchronous handler of method `spec`, run against the shared context.
void add_method(rpc::method_table& table, const std::shared_ptr<context>& ctx,
                const rpc_contract::method_spec& spec,
                std::function<reply(context&, const json&)> fn);
// add_method bound to one table and context: add(spec, fn).
inline auto method_adder(rpc::method_table& table, const std::shared_ptr<context>& ctx) {
  return [&table, ctx](const rpc_contract::method_spec& spec,
                       std::function<reply(context&, const json&)> fn) {
    add_method(table, ctx, spec, std::move(fn));
  };
}

}  // namespace zwerm::node::community_rpc
