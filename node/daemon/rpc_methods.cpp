#include "node/daemon/rpc_methods.hpp"

#include <unistd.h>

#include <array>

#include "crypto/base64url.hpp"
#include "node/daemon/community_host.hpp"
#include "node/daemon/invite_code.hpp"

#ifndef ZWERM_VERSION
#error "ZWERM_VERSION must be defined by the build (node/daemon.cmake)"
#endif

namespace zwerm::node {
namespace {

using rpc::json;
using rpc::reply;

// Parts of the node that later libraries provide, and what is missing without them. Kept in
// one place so `status`, `methods` and the registrations below agree.
constexpr std::string_view needs_community =
    "the community state machine and views (node/community) on the store (store/)";
constexpr std::string_view needs_sync =
    "the network transport (net/) and sync (node/sync) to reach other members' nodes";
constexpr std::string_view needs_net = "the network transport and peer manager (net/)";
constexpr std::string_view needs_ingest = "record ingest (node/ingest) to learn of new records";

reply status_method(const node_services& s, const json&) {
  const auto uptime = std::chrono::steady_clock::now() - s.started_steady;
  json result{
      {"node_id", crypto::to_text(s.node_id)},
      {"name", s.options->name},
      {"version", zwermd_version()},
      {"pid", static_cast<std::int64_t>(::getpid())},
      {"home", s.home.string()},
      {"started_ts", s.started_ms},
      {"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(uptime).count()},
      {"listen", s.options->listen.to_string()},
  };
  json missing = json::array();
  if (s.communities) {
    json rows = json::array();
    for (const auto& id : s.communities->ids()) {
      const auto* st = s.communities->state_of(id);
      rows.push_back(json{{"id", crypto::to_text(id)},
                          {"name", st->name},
                          {"active_members", st->active_count},
                          {"records", st->applied()}});
    }
    result["communities"] = std::move(rows);
  } else {
    missing.push_back(json{{"field", "communities"}, {"needs", needs_community}});
  }
  // Without the network (a node serving RPC only): named, never faked.
  if (!s.network) missing.push_back(json{{"field", "peers"}, {"needs", needs_net}});
  if (!missing.empty()) result["not_available"] = std::move(missing);
  return reply::ok(std::move(result));
}

// join's params: {"code": "zw1-..."}. Checked even while joining itself is not available, so
// a mistyped code is reported as what it is.
reply check_join_params(const json& p) {
  auto code = p.find("code");
  if (code == p.end() || !code->is_string()) {
    return reply::fail(rpc::invalid_params, "join needs the invite code as \"code\"");
  }
  auto decoded = decode_invite_code(code->get<std::string>());
  if (!decoded) return reply::from_status(decoded.error());
  return reply::ok(json::object());
}

reply methods_method(const rpc::method_table& table, const json&) {
  json list = json::array();
  for (const rpc::method* m : table.all()) {
    json entry{{"name", m->name}, {"summary", m->summary}, {"available", m->available()}};
    if (!m->available()) entry["needs"] = m->missing_part;
    if (!m->stream_topic.empty()) entry["streams"] = true;
    list.push_back(std::move(entry));
  }
  return reply::ok(json{{"methods", std::move(list)}});
}

struct planned_method {
  std::string_view name;
  std::string_view summary;
  std::string_view needs;
};

// Methods whose backing parts have not landed in this build.
constexpr std::array<planned_method, 29> planned = {{
    {"community.create", "start a community: name, purpose, policy", needs_community},
    {"community.list", "the communities this node is in", needs_community},
    {"community.show", "name, purpose, steward, policy and agreements in force", needs_community},
    {"community.use", "make a community the default for commands", needs_community},
    {"invite", "admit someone: an invite record and a copy-paste code", needs_community},
    {"leave", "leave a community", needs_community},
    {"profile.set", "name, about, skills, address", needs_community},
    {"profile.show", "a member's profile", needs_community},
    {"ask", "post a request", needs_community},
    {"contribute", "bring knowledge, help, an event, an introduction", needs_community},
    {"thank", "thank the author of a contribution", needs_community},
    {"propose", "propose an agreement, purpose, removal, steward or dissolution", needs_community},
    {"endorse", "endorse an open proposal", needs_community},
    {"proposals", "open and decided proposals", needs_community},
    {"circle.open", "open a circle (a working group)", needs_community},
    {"circle.join", "join a circle", needs_community},
    {"circle.leave", "leave a circle", needs_community},
    {"circle.close", "close a circle", needs_community},
    {"circle.list", "the community's circles", needs_community},
    {"members", "members with status, skills, last activity, given/taken", needs_community},
    {"feed", "records newest first, filtered by type, author, tag, circle", needs_community},
    {"requests", "open and answered requests", needs_community},
    {"balance", "given and taken per member; who only takes, who carries", needs_community},
    {"who_knows", "members ranked by a topic in skills and tags", needs_community},
    {"ties", "the thanks graph: density, components, isolated, connectors", needs_community},
    {"pulse", "records and active members per week; fading warning", needs_community},
    {"peers", "connected and known peers per community", needs_net},
    {"peer.add", "dial a peer at host:port", needs_net},
    {"watch", "stream newly ingested records until the client leaves", needs_ingest},
}};

}  // namespace

std::string_view zwermd_version() {
  return ZWERM_VERSION;
}

void register_methods(rpc::method_table& table, const node_services& services) {
  const node_services* s = &services;
  const rpc::method_table* t = &table;
  table.add("status", "node id, version, uptime, communities and peers",
            rpc::sync_handler([s](const json& p) { return status_method(*s, p); }));
  table.add("methods", "every method of this zwermd and whether this build serves it",
            rpc::sync_handler([t](const json& p) { return methods_method(*t, p); }));
  table.add_unavailable_checked("join",
                                "redeem an invite code: dial members, present the token, join",
                                std::string(needs_sync), rpc::sync_handler(check_join_params));
  for (const planned_method& m : planned) {
    table.add_unavailable(std::string(m.name), std::string(m.summary), std::string(m.needs));
  }
}

}  // namespace zwerm::node
