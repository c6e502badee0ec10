#include "node/daemon/rpc_methods.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "base/base64url.hpp"
#include "node/daemon/community_host.hpp"
#include "node/daemon/daemon.hpp"
#include "node/rpc_contract/contract.hpp"
#include "node/sync/messages.hpp"

#ifndef ZWERM_VERSION
#error "ZWERM_VERSION must be defined by the build (node/daemon.cmake)"
#endif

namespace zwerm::node {
namespace {

using rpc::json;
using rpc::reply;

// What `status` reports under "not_available" when the daemon runs without these parts.
constexpr std::string_view needs_community =
    "the community state machine and views (node/community) on the store (store/)";
constexpr std::string_view needs_net = "the network transport and peer manager (net/)";

reply status_method(const node_services& s, const json&) {
  const auto uptime = s.clock->steady() - s.started_steady;
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

// Sets the level when `level` is given; answers the level in force. The level lasts until
// zwermd stops (or SIGHUP reloads config.json).
reply log_level_method(const json& p) {
  if (p.contains(rpc_contract::param::level)) {
    if (!p[rpc_contract::param::level].is_string()) {
      return reply::fail(rpc::invalid_params, "\"level\" must be a string");
    }
    const std::string text = p[rpc_contract::param::level].get<std::string>();
    auto level = parse_log_level(text);
    if (!level) {
      std::string allowed;
      for (std::string_view l : rpc_contract::log_levels) {
        allowed += (allowed.empty() ? "" : ", ") + std::string(l);
      }
      return reply::fail(rpc::invalid_params,
                         "\"level\" must be one of " + allowed + " (not \"" + text + "\")");
    }
    setup_logging(*level);
    spdlog::info("log level set to {} over RPC", to_string(*level));
  }
  return reply::ok(json{{"level", std::string(to_string(current_log_level()))}});
}

}  // namespace

static_assert(rpc_contract::sync_protocol_min == sync::min_protocol_version &&
                  rpc_contract::sync_protocol_max == sync::max_protocol_version,
              "the RPC contract's protocol versions must be node/sync's");

std::string_view zwermd_version() {
  return ZWERM_VERSION;
}

void register_methods(rpc::method_table& table, const node_services& services) {
  const node_services* s = &services;
  const rpc::method_table* t = &table;
  table.add(rpc_contract::method::status,
            rpc::sync_handler([s](const json& p) { return status_method(*s, p); }));
  table.add(rpc_contract::method::methods,
            rpc::sync_handler([t](const json& p) { return methods_method(*t, p); }));
  table.add(rpc_contract::method::log_level,
            rpc::sync_handler([](const json& p) { return log_level_method(p); }));
  table.add(rpc_contract::method::stop, rpc::sync_handler([s](const json&) {
              if (!s->request_stop) {
                return reply::fail(rpc::not_available, "this zwermd cannot be stopped over RPC");
              }
              s->request_stop();
              return reply::ok(json{{"stopping", true}});
            }));
}

}  // namespace zwerm::node
