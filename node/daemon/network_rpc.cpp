#include "node/daemon/network_rpc.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <map>
#include <memory>

#include "base/base64url.hpp"
#include "net/asio.hpp"

namespace zwerm::node {
namespace {

using rpc::json;
using rpc::reply;

// Dials of each node of an invite code that fail without an answer (reset, unreachable) before
// `zwerm join` gives up, within its timeout.
constexpr std::size_t join_dial_tries = 3;
namespace asio = boost::asio;

// The invite as this node's log knows it, or a refusal that says why it cannot be redeemed.
std::optional<reply> check_invite(const community::state& st, const invite_code& code,
                                  const member_id& me, std::int64_t now_ms) {
  auto it = st.invites.find(code.invite_id);
  if (it == st.invites.end()) return std::nullopt;
  const auto& inv = it->second;
  if (inv.used) {
    return reply::fail(rpc::refused, "this invite has already been used; ask a member of " +
                                         st.name + " for a new one");
  }
  if (now_ms > inv.expires_ts) {
    return reply::fail(rpc::refused,
                       "this invite has expired; ask a member of " + st.name + " for a new one");
  }
  if (inv.invitee && *inv.invitee != me) {
    return reply::fail(rpc::refused, "this invite is made out to another member id, not to " +
                                         crypto::to_text(me));
  }
  if (inv.inviter >= st.members.size() || !st.is_active_member(st.members[inv.inviter].id) ||
      st.members[inv.inviter].active_since > inv.made_at) {
    return reply::fail(rpc::refused, "the member who made this invite is no longer in " + st.name +
                                         "; ask another member for a new one");
  }
  const auto mine = st.find_member(me);
  if (mine != community::no_index && st.members[mine].status == community::member_status::removed &&
      inv.made_at < st.members[mine].removed_at) {
    return reply::fail(rpc::refused, "you were removed from " + st.name +
                                         " after this invite was made; only an invite made since "
                                         "can bring you back");
  }
  return std::nullopt;
}

// What each join attempt has done, step by step, for `status` (joins) while it runs and the
// join's own answer (events): `zwerm join` prints the steps as they come. Per community, the
// latest attempt only. Used on the I/O thread only.
struct join_log {
  bool running = false;
  json events = json::array();  // {ts, step, text}, in order
};
using join_logs = std::map<community_id, join_log>;

net::awaitable<reply> join_call(community_host* host, network_host* network,
                                const node_services* services, network_rpc_options options,
                                std::shared_ptr<join_logs> logs, json p) {
  auto text = p.find(rpc_contract::param::code);
  if (text == p.end() || !text->is_string()) {
    co_return reply::fail(rpc::invalid_params, "join needs the invite code as \"code\"");
  }
  auto code = decode_invite_code(text->get<std::string>());
  if (!code) co_return reply::from_status(code.error());
  const member_id me = host->me().pk;
  if (const auto* st = host->state_of(code->community)) {
    if (st->is_active_member(me)) {
      co_return reply::fail(rpc::refused, "you are already an active member of " + st->name);
    }
    if (auto refused = check_invite(*st, *code, me, services->clock->unix_ms())) co_return *refused;
  }
  if (status s = network->begin_join(*code); !s.ok()) co_return reply::from_status(s);
  join_log& log = (*logs)[code->community];
  log = join_log{true, json::array()};
  auto step = [&log, services](const char* name, std::string text) {
    log.events.push_back(
        json{{"ts", services->clock->unix_ms()}, {"step", name}, {"text", std::move(text)}});
  };
  {
    std::string where;
    for (const auto& peer : code->peers)
      where += (where.empty() ? "" : ", ") + peer.address.to_string();
    step("dialing", "dialing " + where);
  }
  // Every way out that does not end in a join stops the attempt: no more dials with the token.
  auto failed = [network, community = code->community, &log, &step](reply r) {
    network->end_join(community);
    step("failed", r.err().message);
    log.running = false;
    return r;
  };

  // Join first, read after: the node writes the join as soon as an invite node answers
  // (network_host::write_join); the member nodes serve it the log once the join took effect
  // there. Wait until this node's state shows the member active, or no node lets us in.
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto deadline = std::chrono::steady_clock::now() + options.join_timeout;
  bool seen_connected = false, seen_written = false;
  for (;;) {
    const join_progress pr = network->progress(code->community, code->invite_id);
    // A join record is written only once an invite node answered: a connection that closed
    // between two polls still counts.
    if ((pr.connected > 0 || pr.join_written) && !seen_connected) {
      seen_connected = true;
      const std::size_t n = std::max<std::size_t>(pr.connected, 1);
      step("connected", "connected to " + std::to_string(n) + " member node" + (n == 1 ? "" : "s"));
    }
    if (pr.join_written && !seen_written) {
      seen_written = true;
      step("join_written", "join record written; waiting for it to take effect");
    }
    if (pr.joined) {
      step("admitted", "admitted: the join took effect");
      break;
    }
    const bool idle = pr.connected == 0 && pr.dialing == 0;
    // A refusal is an answer; a reset or an unreachable address may be passing (a busy node
    // resets connections while every inbound slot is taken): each node of the code gets three
    // tries before the join gives up on reaching them.
    const std::size_t tries = pr.refusals > 0 ? 1 : join_dial_tries;
    if (idle && pr.dials_failed + pr.sessions_ended >= tries * code->peers.size()) {
      if (pr.refusals > 0) {
        co_return failed(reply::fail(
            rpc::refused,
            "no member node let this node in: " + pr.last_problem +
                ". The invite may have been used or expired, or the node does not know it yet"));
      }
      co_return failed(reply::fail(
          rpc::refused, "no member node in the invite code could be reached: " + pr.last_problem));
    }
    if (network->stopped()) {
      co_return failed(reply::fail(rpc::refused, "zwermd is stopping; run zwerm join again later"));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      co_return failed(reply::fail(
          rpc::refused,
          std::string(pr.join_written
                          ? "joining timed out: the join record did not take effect at the member "
                            "nodes, or their log did not arrive"
                          : "joining timed out: no member node answered") +
              (pr.last_problem.empty() ? std::string() : " (" + pr.last_problem + ")")));
    }
    timer.expires_after(std::chrono::milliseconds(50));
    co_await timer.async_wait(net::use_nothrow);
  }

  const community::state* st = host->state_of(code->community);
  if (!st) co_return failed(reply::fail(rpc::internal_error, "the community state is missing"));
  const record_id join_id = network->progress(code->community, code->invite_id).join_record;
  // The newcomer's first profile, with the name from config.json (as community create does).
  if (!services->options->name.empty()) {
    auto own = network->own_address();
    json profile{{"name", services->options->name},
                 {"about", ""},
                 {"skills", json::array()},
                 {"address", own ? json(own->to_string()) : json(nullptr)}};
    if (auto w = host->write(code->community, "profile", profile); !w) {
      log.running = false;
      co_return reply::from_status(w.error());
    }
  }
  step("done", "joined " + st->name);
  log.running = false;
  co_return reply::ok(json{{"community_id", crypto::to_text(code->community)},
                           {"name", st->name},
                           {"record_id", crypto::to_text(join_id)},
                           {"took_effect", true},
                           {"active_members", st->active_count},
                           {"events", log.events}});
}

net::awaitable<reply> status_call(rpc::handler inner, network_host* network,
                                  std::shared_ptr<join_logs> logs, json p) {
  network_host::lag_rows lag = network_host::lag_rows::all;
  if (auto l = p.find(rpc_contract::param::lag); l != p.end() && !l->is_null()) {
    if (!l->is_string() || (*l != "all" && *l != "behind" && *l != "none")) {
      co_return reply::fail(rpc::invalid_params, "\"lag\" must be \"all\", \"behind\" or \"none\"");
    }
    lag = *l == "behind" ? network_host::lag_rows::behind
          : *l == "none" ? network_host::lag_rows::none
                         : network_host::lag_rows::all;
  }
  reply r = co_await inner(std::move(p));
  if (!r.is_ok()) co_return r;
  json out = r.result();
  const json net_status = network->status_json(lag);
  for (const auto& [k, v] : net_status.items()) out[k] = v;
  json joins = json::array();
  for (const auto& [id, log] : *logs) {
    joins.push_back(
        json{{"community", crypto::to_text(id)}, {"running", log.running}, {"events", log.events}});
  }
  out["joins"] = std::move(joins);
  co_return reply::ok(std::move(out));
}

// The "address" param of the peer methods: a string of at most max_address_size bytes.
std::variant<std::string, reply> address_param(const json& p, std::string_view method,
                                               std::string_view form) {
  auto a = p.find(rpc_contract::param::address);
  if (a == p.end() || !a->is_string()) {
    return reply::fail(rpc::invalid_params,
                       std::string(method) + " needs \"address\": \"" + std::string(form) + "\"");
  }
  const std::string& text = a->get_ref<const std::string&>();
  if (text.size() > peers::max_address_size) {
    return reply::fail(rpc::invalid_params, "\"address\" is " + std::to_string(text.size()) +
                                                " bytes; an address has at most " +
                                                std::to_string(peers::max_address_size));
  }
  return text;
}

std::variant<community_id, reply> community_param(const community_host& host, const json& p) {
  std::optional<std::string> ref;
  if (auto it = p.find(rpc_contract::param::community); it != p.end() && !it->is_null()) {
    if (!it->is_string()) return reply::fail(rpc::invalid_params, "\"community\" must be a string");
    ref = it->get<std::string>();
  }
  auto id = host.resolve(ref);
  if (!id) return reply::from_status(id.error());
  return *id;
}

}  // namespace

void register_network_methods(rpc::method_table& table, community_host& host, network_host& network,
                              const node_services& services, network_rpc_options options) {
  const node_services* sv = &services;
  community_host* h = &host;
  network_host* n = &network;
  namespace method = rpc_contract::method;
  auto logs = std::make_shared<join_logs>();
  table.add(method::join, [h, n, sv, options, logs](json p) {
    return join_call(h, n, sv, options, logs, std::move(p));
  });
  if (const rpc::method* status = table.find(method::status.name); status && status->available()) {
    rpc::handler inner = status->call;
    table.add(method::status,
              [inner, n, logs](json p) { return status_call(inner, n, logs, std::move(p)); });
  }
  table.add(method::peers, rpc::sync_handler([h, n](const json& p) {
              auto c = community_param(*h, p);
              if (auto* r = std::get_if<reply>(&c)) return *r;
              return reply::ok(n->peers_json(std::get<community_id>(c)));
            }));
  table.add(
      method::community_forget, rpc::sync_handler([h, n](const json& p) {
        auto c = community_param(*h, p);
        if (auto* r = std::get_if<reply>(&c)) return *r;
        const community_id id = std::get<community_id>(c);
        if (status s = h->can_forget(id); !s.ok()) return reply::from_status(s);
        const std::string name = h->state_of(id)->name;
        n->forget(id);
        auto dropped = h->forget(id);
        if (!dropped) return reply::from_status(dropped.error());
        return reply::ok(json{
            {"community", crypto::to_text(id)}, {"name", name}, {"records_dropped", *dropped}});
      }));
  table.add(method::peer_add, rpc::sync_handler([h, n](const json& p) {
              auto a = p.find(rpc_contract::param::address);
              if (a == p.end() || !a->is_string()) {
                return reply::fail(rpc::invalid_params,
                                   "peer.add needs \"address\": \"[KEY@]host:port\"");
              }
              auto c = community_param(*h, p);
              if (auto* r = std::get_if<reply>(&c)) return *r;
              auto hint = n->add_peer(std::get<community_id>(c), a->get<std::string>());
              if (!hint) return reply::from_status(hint.error());
              json out{{"address", hint->address},
                       {"member", hint->key ? json(crypto::to_text(*hint->key)) : json(nullptr)}};
              if (!hint->key) {
                out["note"] =
                    "no key given: the address is dialed once a profile, invite or peer names the "
                    "member key there (or give KEY@host:port)";
              }
              return reply::ok(std::move(out));
            }));
  table.add(method::peer_remove, rpc::sync_handler([h, n](const json& p) {
              auto a = address_param(p, method::peer_remove.name, "host:port");
              if (auto* r = std::get_if<reply>(&a)) return *r;
              auto c = community_param(*h, p);
              if (auto* r = std::get_if<reply>(&c)) return *r;
              auto removed = n->remove_peer(std::get<community_id>(c), std::get<std::string>(a));
              if (!removed) return reply::from_status(removed.error());
              return reply::ok(json{{"address", *removed}, {"removed", true}});
            }));
  table.add(
      method::peer_ban, rpc::sync_handler([n](const json& p) {
        auto a = address_param(p, method::peer_ban.name, "IP address");
        if (auto* r = std::get_if<reply>(&a)) return *r;
        std::int64_t seconds = rpc_contract::default_ban_s;
        if (auto f = p.find(rpc_contract::param::for_s); f != p.end() && !f->is_null()) {
          if (!f->is_number_integer()) {
            return reply::fail(rpc::invalid_params, "\"for_s\" must be an integer (seconds)");
          }
          // A value beyond int64 arrives as an unsigned number: as out of range as any.
          const bool too_big = f->is_number_unsigned() &&
                               f->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX);
          seconds = too_big ? INT64_MAX : f->get<std::int64_t>();
          if (seconds < 1 || seconds > rpc_contract::max_ban_s) {
            return reply::fail(rpc::invalid_params, "\"for_s\" must be 1.." +
                                                        std::to_string(rpc_contract::max_ban_s) +
                                                        " seconds (366 days)");
          }
        }
        auto banned = n->ban_peer(std::get<std::string>(a), std::chrono::seconds(seconds));
        if (!banned) return reply::from_status(banned.error());
        return reply::ok(json{{"address", banned->ip},
                              {"until_ts", banned->until_ms},
                              {"sessions_closed", banned->closed}});
      }));
  table.add(method::peer_unban, rpc::sync_handler([n](const json& p) {
              auto a = address_param(p, method::peer_unban.name, "IP address");
              if (auto* r = std::get_if<reply>(&a)) return *r;
              auto lifted = n->unban_peer(std::get<std::string>(a));
              if (!lifted) return reply::from_status(lifted.error());
              return reply::ok(json{{"address", *lifted}, {"unbanned", true}});
            }));
}

}  // namespace zwerm::node
