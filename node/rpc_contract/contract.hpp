// The JSON-RPC contract between zwermd and its local clients (docs/RPC.md): method names,
// parameter names and types, error codes. zwermd (node/daemon/) serves it and the `zwerm` CLI
// (cli/) calls it; both name methods, params and codes only through this header, so the two
// sides cannot drift apart by a typo. Header only, standard library only: it carries no part of
// the daemon, and the CLI links no daemon code by including it.
//
// Adding a method: a method_spec below, an entry in all_methods, the handler in the daemon, a
// section in docs/RPC.md (params and result tables) and a successful call in the e2e contract
// test (tests/e2e/rpc_contract_test.cpp), which fails until all of them agree. A plain record
// method (method_spec::writes) or plain view (method_spec::plain_view) needs no handler and no
// command: zwermd serves it and zwerm offers it from its entry here (a plain view also needs its
// row in node/community/views/plain_views.cpp).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace zwerm::rpc_contract {

// ---- Versions -------------------------------------------------------------------------------

// The sync protocol versions this build speaks (PROTOCOL.md §5.12), for `--version` of both
// programs. node/daemon checks them against node/sync's own constants.
inline constexpr int sync_protocol_min = 1;
inline constexpr int sync_protocol_max = 2;

// ---- Errors ---------------------------------------------------------------------------------

// The first five are JSON-RPC 2.0's own; the others are zwerm's, in the range JSON-RPC reserves
// for servers. The CLI maps invalid_params to its usage exit code (2) and every other code to
// "the node refused" (1).
enum error_code : int {
  parse_error = -32700,       // the line is not JSON
  invalid_request = -32600,   // not a JSON-RPC 2.0 request (a batch, too long, too deep)
  method_not_found = -32601,  // no such method in this zwermd
  invalid_params = -32602,    // the params are malformed: what the person typed is wrong
  internal_error = -32603,    // a bug or an unexpected failure inside the node
  refused = -32000,           // the node understood and refuses: a community rule, a busy store
  not_available = -32001,     // the method exists but this build lacks the part behind it
  not_found = -32002,         // the thing named (member, record, community) is not known
};

inline constexpr std::array<error_code, 8> all_error_codes = {
    parse_error,    invalid_request, method_not_found, invalid_params,
    internal_error, refused,         not_available,    not_found};

// ---- Parameter names --------------------------------------------------------------------------

namespace param {
inline constexpr std::string_view community = "community";  // name, id or id prefix
inline constexpr std::string_view code = "code";
inline constexpr std::string_view address = "address";
inline constexpr std::string_view name = "name";
inline constexpr std::string_view purpose = "purpose";
inline constexpr std::string_view policy = "policy";
inline constexpr std::string_view invite_by = "invite_by";    // inside policy
inline constexpr std::string_view quorum_pct = "quorum_pct";  // inside policy
inline constexpr std::string_view for_member = "for";
inline constexpr std::string_view note = "note";
inline constexpr std::string_view expires_s = "expires_s";
inline constexpr std::string_view for_s = "for_s";  // peer.ban: seconds
inline constexpr std::string_view reason = "reason";
inline constexpr std::string_view to = "to";
inline constexpr std::string_view about = "about";
inline constexpr std::string_view skills = "skills";
inline constexpr std::string_view member = "member";
inline constexpr std::string_view title = "title";
inline constexpr std::string_view body = "body";
inline constexpr std::string_view tags = "tags";
inline constexpr std::string_view kind = "kind";  // contribute; also inside propose's action
inline constexpr std::string_view answers = "answers";
inline constexpr std::string_view circle = "circle";
inline constexpr std::string_view contribution = "contribution";
inline constexpr std::string_view action = "action";
inline constexpr std::string_view text = "text";              // inside propose's action
inline constexpr std::string_view supersedes = "supersedes";  // inside propose's action
inline constexpr std::string_view proposal = "proposal";
inline constexpr std::string_view type = "type";
inline constexpr std::string_view author = "author";
inline constexpr std::string_view tag = "tag";
inline constexpr std::string_view before = "before";
inline constexpr std::string_view limit = "limit";
inline constexpr std::string_view state = "state";
inline constexpr std::string_view include_former = "include_former";
inline constexpr std::string_view include_closed = "include_closed";
inline constexpr std::string_view topic = "topic";
inline constexpr std::string_view who_knows = "who_knows";  // requests: who knows each one
inline constexpr std::string_view graph = "graph";          // ties: include nodes and edges
inline constexpr std::string_view lag = "lag";      // status: "all", "behind" or "none" feeds
inline constexpr std::string_view weeks = "weeks";  // pulse: how many weeks
inline constexpr std::string_view level =
    "level";  // log.level: trace, debug, info, warn, error, off
}  // namespace param

// Values and bounds of params.
inline constexpr std::int64_t max_invite_expires_s = 366 * 86400;  // invite: expires_s 1..this
inline constexpr std::int64_t default_invite_expires_s = 7 * 86400;
// peer.ban: `for_s` 1..max_ban_s (default default_ban_s); at most max_operator_bans bans in
// force at once. peer.add: at most max_added_peers addresses per community.
inline constexpr std::int64_t max_ban_s = 366 * 86400;
inline constexpr std::int64_t default_ban_s = 86400;
inline constexpr std::size_t max_operator_bans = 1024;
inline constexpr std::size_t max_added_peers = 256;
// The list views (feed, requests, proposals, members, circle.list, who_knows): `limit` is
// clamped to 1..max_list_limit; without it a page holds default_list_limit rows
// (who_knows: default_who_knows_limit).
inline constexpr std::int64_t max_list_limit = 500;
inline constexpr std::int64_t default_list_limit = 50;
inline constexpr std::int64_t default_who_knows_limit = 20;
inline constexpr std::array<std::string_view, 3> request_states = {"open", "answered", "all"};
// requests: `who_knows` 0..max_request_who_knows members per row; with it above 0 a page holds
// at most max_request_who_knows_rows requests (each row ranks a topic).
inline constexpr std::int64_t max_request_who_knows = 5;
inline constexpr std::int64_t max_request_who_knows_rows = 100;
// status: `lag` rows for every member's feed ("all", the default), only feeds behind, or none.
inline constexpr std::array<std::string_view, 3> lag_modes = {"all", "behind", "none"};
// log.level's `level` (config.json's log_level and zwermd --log-level take the same).
inline constexpr std::array<std::string_view, 6> log_levels = {"trace", "debug", "info",
                                                               "warn",  "error", "off"};
inline constexpr std::array<std::string_view, 4> proposal_states = {"open", "adopted", "expired",
                                                                    "all"};
inline constexpr std::array<std::string_view, 5> proposal_kinds = {"agreement", "purpose", "remove",
                                                                   "steward", "dissolve"};

// The notification a `watch` client receives for every appended record.
inline constexpr std::string_view watch_record_notification = "watch.record";

// ---- Methods ---------------------------------------------------------------------------------

// JSON types of params, as docs/RPC.md names them (type_name).
enum class param_type : std::uint8_t {
  string,
  integer,
  boolean,
  object,
  string_list,
  string_or_null
};

constexpr std::string_view type_name(param_type t) {
  switch (t) {
    case param_type::string:
      return "string";
    case param_type::integer:
      return "integer";
    case param_type::boolean:
      return "boolean";
    case param_type::object:
      return "object";
    case param_type::string_list:
      return "array of strings";
    case param_type::string_or_null:
      return "string or null";
  }
  return "?";
}

// `required`: the method answers invalid_params when the param is absent (or null). `help`: what
// zwerm's generated command says of it (plain record methods; method_spec::writes).
struct param_spec {
  std::string_view name;
  param_type type;
  bool required;
  std::string_view help = {};
};

// node: the node itself; network: reaching other nodes; record: signs and writes one record of
// the member's feed; view: reads the community state, writes nothing.
enum class method_group : std::uint8_t { node, network, record, view };

struct method_spec {
  std::string_view name;
  method_group group;
  std::string_view summary;  // one line for people; `methods` lists it
  std::span<const param_spec> params;
  bool streams = false;  // after an ok answer the connection receives notifications
  // Non-empty for a *plain record method*: it writes one record of this type whose body holds
  // exactly the method's params other than `community`, under the same names, an absent
  // optional one written empty ("", [] or null); the record schema checks their bounds. zwermd
  // serves every such method with one handler, and zwerm makes each one a command of its own
  // when no written command has its name (`zwerm NAME`, `zwerm GROUP NAME` for `GROUP.NAME`):
  // required strings are positional arguments in order, the others --options. Its params are
  // strings, lists of strings or strings-or-null (checked below, plain_method_is_valid).
  std::string_view writes = {};
  // A *plain view*: zwermd answers it with the community's plain view of the same name
  // (node/community/views.hpp, plain_views), and zwerm makes it a command as above when no
  // written command has its name (integers are --options, booleans flags).
  bool plain_view = false;
};

// A plain method's shape: a record method (writes) or a view (plain_view), params that the
// generic handler and command can carry, a name of one or two words.
constexpr bool plain_method_is_valid(const method_spec& m) {
  if (m.writes.empty() && !m.plain_view) return true;
  if (!m.writes.empty() && m.plain_view) return false;
  if (m.group != (m.plain_view ? method_group::view : method_group::record)) return false;
  if (m.name.empty()) return false;
  const auto dot = m.name.find('.');
  if (dot != std::string_view::npos &&
      (dot == 0 || dot + 1 == m.name.size() || m.name.find('.', dot + 1) != m.name.npos))
    return false;
  for (const param_spec& p : m.params) {
    if (p.type == param_type::object) return false;
    if (!m.writes.empty() && p.type != param_type::string && p.type != param_type::string_list &&
        p.type != param_type::string_or_null)
      return false;
  }
  return true;
}

namespace params {
using enum param_type;
inline constexpr param_spec community{param::community, string, false};

inline constexpr std::array<param_spec, 1> only_community = {community};
inline constexpr std::array<param_spec, 1> join = {param_spec{param::code, string, true}};
inline constexpr std::array<param_spec, 2> peer_add = {param_spec{param::address, string, true},
                                                       community};
inline constexpr std::array<param_spec, 2> peer_remove = {param_spec{param::address, string, true},
                                                          community};
inline constexpr std::array<param_spec, 2> peer_ban = {param_spec{param::address, string, true},
                                                       param_spec{param::for_s, integer, false}};
inline constexpr std::array<param_spec, 1> peer_unban = {param_spec{param::address, string, true}};
inline constexpr std::array<param_spec, 3> community_create = {
    param_spec{param::name, string, true}, param_spec{param::purpose, string, true},
    param_spec{param::policy, object, false}};
inline constexpr std::array<param_spec, 4> invite = {
    community, param_spec{param::for_member, string, false}, param_spec{param::note, string, false},
    param_spec{param::expires_s, integer, false}};
inline constexpr std::array<param_spec, 2> leave = {
    community, param_spec{param::reason, string, false, "A word for those who stay"}};
inline constexpr std::array<param_spec, 2> steward_handover = {community,
                                                               param_spec{param::to, string, true}};
inline constexpr std::array<param_spec, 5> profile_set = {
    community, param_spec{param::name, string, false}, param_spec{param::about, string, false},
    param_spec{param::skills, string_list, false},
    param_spec{param::address, string_or_null, false}};
inline constexpr std::array<param_spec, 2> profile_show = {
    community, param_spec{param::member, string, false}};
inline constexpr std::array<param_spec, 4> ask = {community, param_spec{param::title, string, true},
                                                  param_spec{param::body, string, false},
                                                  param_spec{param::tags, string_list, false}};
inline constexpr std::array<param_spec, 7> contribute = {
    community,
    param_spec{param::kind, string, false},
    param_spec{param::title, string, true},
    param_spec{param::body, string, false},
    param_spec{param::tags, string_list, false},
    param_spec{param::answers, string, false},
    param_spec{param::circle, string, false}};
inline constexpr std::array<param_spec, 3> thank = {community,
                                                    param_spec{param::contribution, string, true},
                                                    param_spec{param::note, string, false}};
inline constexpr std::array<param_spec, 3> propose = {
    community, param_spec{param::action, object, true}, param_spec{param::reason, string, false}};
inline constexpr std::array<param_spec, 2> endorse = {community,
                                                      param_spec{param::proposal, string, true}};
inline constexpr std::array<param_spec, 3> circle_open = {
    community, param_spec{param::name, string, true}, param_spec{param::purpose, string, false}};
inline constexpr std::array<param_spec, 2> circle_ref = {community,
                                                         param_spec{param::circle, string, true}};
inline constexpr std::array<param_spec, 4> circle_list = {
    community, param_spec{param::include_closed, boolean, false},
    param_spec{param::before, string, false}, param_spec{param::limit, integer, false}};
inline constexpr std::array<param_spec, 7> feed = {community,
                                                   param_spec{param::type, string, false},
                                                   param_spec{param::author, string, false},
                                                   param_spec{param::tag, string, false},
                                                   param_spec{param::circle, string, false},
                                                   param_spec{param::before, string, false},
                                                   param_spec{param::limit, integer, false}};
inline constexpr std::array<param_spec, 5> requests = {
    community, param_spec{param::state, string, false}, param_spec{param::before, string, false},
    param_spec{param::limit, integer, false}, param_spec{param::who_knows, integer, false}};
inline constexpr std::array<param_spec, 4> members = {
    community, param_spec{param::include_former, boolean, false},
    param_spec{param::before, string, false}, param_spec{param::limit, integer, false}};
inline constexpr std::array<param_spec, 4> proposals = {
    community, param_spec{param::state, string, false}, param_spec{param::before, string, false},
    param_spec{param::limit, integer, false}};
inline constexpr std::array<param_spec, 4> who_knows = {
    community, param_spec{param::topic, string, true}, param_spec{param::before, string, false},
    param_spec{param::limit, integer, false}};
inline constexpr std::array<param_spec, 1> status = {param_spec{param::lag, string, false}};
inline constexpr std::array<param_spec, 2> balance = {community,
                                                      param_spec{param::limit, integer, false}};
inline constexpr std::array<param_spec, 2> ties = {community,
                                                   param_spec{param::graph, boolean, false}};
inline constexpr std::array<param_spec, 2> pulse = {community,
                                                    param_spec{param::weeks, integer, false}};
inline constexpr std::array<param_spec, 1> log_level = {param_spec{param::level, string, false}};
inline constexpr std::array<param_spec, 2> watch = {community,
                                                    param_spec{param::type, string, false}};
}  // namespace params

namespace method {
using enum method_group;
// The node itself.
inline constexpr method_spec status{
    "status", node, "node id, version, uptime, communities and peers", params::status};
inline constexpr method_spec methods{
    "methods", node, "every method of this zwermd and whether this build serves it", {}};
inline constexpr method_spec community_use{
    "community.use", node, "make a community the default for commands", params::only_community};
inline constexpr method_spec watch{
    "watch", node, "stream newly ingested records until the client leaves", params::watch, true};
inline constexpr method_spec log_level{
    "log.level", node, "show the log level, or set it until zwermd stops", params::log_level};
inline constexpr method_spec stop{"stop", node, "stop this zwermd cleanly, as SIGTERM does", {}};
inline constexpr method_spec dashboard{
    "dashboard", node, "the web dashboard's address with this start's access token", {}};
// The network.
inline constexpr method_spec join{
    "join", network, "redeem an invite code: dial members, present the token, join", params::join};
inline constexpr method_spec peers{"peers", network, "connected and known peers per community",
                                   params::only_community};
inline constexpr method_spec peer_add{"peer.add", network,
                                      "add a peer's [KEY@]host:port to the community's addresses",
                                      params::peer_add};
inline constexpr method_spec peer_remove{
    "peer.remove", network, "forget a peer address the operator added or the node learned",
    params::peer_remove};
inline constexpr method_spec peer_ban{
    "peer.ban", network, "ban an IP address: close its sessions, refuse it, stop dialing it",
    params::peer_ban};
inline constexpr method_spec peer_unban{
    "peer.unban", network, "lift the operator's and the automatic bans of an IP address",
    params::peer_unban};
inline constexpr method_spec community_forget{
    "community.forget", network,
    "drop a community this member left or was removed from: its records, state and key",
    params::only_community};
// Methods that write a record.
inline constexpr method_spec community_create{"community.create", record,
                                              "start a community: name, purpose, policy",
                                              params::community_create};
inline constexpr method_spec invite{
    "invite", record, "admit someone: an invite record and a copy-paste code", params::invite};
inline constexpr method_spec leave{.name = "leave",
                                   .group = record,
                                   .summary = "leave a community",
                                   .params = params::leave,
                                   .writes = "member.leave"};
inline constexpr method_spec steward_handover{
    .name = "steward.handover",
    .group = record,
    .summary = "pass the steward role to an active member",
    .params = params::steward_handover,
    .writes = "steward.handover"};
inline constexpr method_spec profile_set{"profile.set", record, "name, about, skills, address",
                                         params::profile_set};
inline constexpr method_spec ask{.name = "ask",
                                 .group = record,
                                 .summary = "post a request",
                                 .params = params::ask,
                                 .writes = "request"};
inline constexpr method_spec contribute{
    "contribute", record, "bring knowledge, help, an event, an introduction", params::contribute};
inline constexpr method_spec thank{"thank", record, "thank the author of a contribution",
                                   params::thank};
inline constexpr method_spec propose{
    "propose", record, "propose an agreement, purpose, removal, steward or dissolution",
    params::propose};
inline constexpr method_spec endorse{"endorse", record, "endorse an open proposal",
                                     params::endorse};
inline constexpr method_spec circle_open{.name = "circle.open",
                                         .group = record,
                                         .summary = "open a circle (a working group)",
                                         .params = params::circle_open,
                                         .writes = "circle.open"};
inline constexpr method_spec circle_join{"circle.join", record, "join a circle",
                                         params::circle_ref};
inline constexpr method_spec circle_leave{"circle.leave", record, "leave a circle",
                                          params::circle_ref};
inline constexpr method_spec circle_close{"circle.close", record, "close a circle",
                                          params::circle_ref};
// Views: read the community state, write nothing.
inline constexpr method_spec community_list{
    "community.list", view, "the communities this node is in", {}};
inline constexpr method_spec community_show{
    "community.show", view, "name, purpose, steward, policy and agreements in force",
    params::only_community};
inline constexpr method_spec profile_show{"profile.show", view, "a member's profile",
                                          params::profile_show};
inline constexpr method_spec feed{
    "feed", view, "records newest first, filtered by type, author, tag, circle", params::feed};
inline constexpr method_spec requests{"requests", view, "open and answered requests",
                                      params::requests};
inline constexpr method_spec members{
    "members", view, "members with status, skills, last activity, given/taken", params::members};
inline constexpr method_spec circle_list{"circle.list", view, "the community's circles",
                                         params::circle_list};
inline constexpr method_spec proposals{"proposals", view, "open and decided proposals",
                                       params::proposals};
inline constexpr method_spec balance{
    "balance", view, "given and taken per member; who takes without contributing, who carries",
    params::balance};
inline constexpr method_spec who_knows{
    "who_knows", view, "members ranked by a topic in skills and tags", params::who_knows};
inline constexpr method_spec ties{
    .name = "ties",
    .group = view,
    .summary = "the thanks graph: density, components, isolated, connectors",
    .params = params::ties,
    .plain_view = true};
inline constexpr method_spec pulse{
    "pulse", view, "records and active members per week; fading warning", params::pulse};
}  // namespace method

// Every method zwermd serves, in the order docs/RPC.md lists them (the size follows the list).
inline constexpr auto all_methods = std::to_array<const method_spec*>({
    &method::status,
    &method::methods,
    &method::community_use,
    &method::watch,
    &method::log_level,
    &method::stop,
    &method::dashboard,
    &method::join,
    &method::peers,
    &method::peer_add,
    &method::peer_remove,
    &method::peer_ban,
    &method::peer_unban,
    &method::community_forget,
    &method::community_create,
    &method::invite,
    &method::leave,
    &method::steward_handover,
    &method::profile_set,
    &method::ask,
    &method::contribute,
    &method::thank,
    &method::propose,
    &method::endorse,
    &method::circle_open,
    &method::circle_join,
    &method::circle_leave,
    &method::circle_close,
    &method::community_list,
    &method::community_show,
    &method::profile_show,
    &method::feed,
    &method::requests,
    &method::members,
    &method::circle_list,
    &method::proposals,
    &method::balance,
    &method::who_knows,
    &method::ties,
    &method::pulse,
});

static_assert(std::ranges::all_of(all_methods,
                                  [](const method_spec* m) { return plain_method_is_valid(*m); }));

// The method named `name`, or nullptr.
constexpr const method_spec* find_method(std::string_view name) {
  for (const method_spec* m : all_methods) {
    if (m->name == name) return m;
  }
  return nullptr;
}

}  // namespace zwerm::rpc_contract
