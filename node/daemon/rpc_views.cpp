// The RPC views (the contract's method_group::view; docs/RPC.md, "Views"): they read the
// community state and write nothing. Also community.use (the node's default community) and
// watch (a stream of appended records).
#include <algorithm>

#include "base/base64url.hpp"
#include "node/community/body_schema.hpp"
#include "node/daemon/rpc_community.hpp"
#include "node/daemon/rpc_community_parts.hpp"

namespace zwerm::node {
namespace {

using namespace community_rpc;
namespace cm = community;
namespace param = rpc_contract::param;
namespace method = rpc_contract::method;

// Runs `make` on the state of the community the params name.
template <class F>
reply view(context& x, const json& p, F make) {
  auto c = x.community_of(p);
  if (auto* r = std::get_if<reply>(&c)) return *r;
  return make(*std::get<0>(c).second);
}

// The list views' `limit`: absent means the default; an integer is clamped to
// 1..max_list_limit (docs/RPC.md, "Conventions"); anything else is an error.
std::size_t page_limit(const json& p, std::optional<reply>* err) {
  auto l = p.find(param::limit);
  if (l == p.end() || l->is_null()) return rpc_contract::default_list_limit;
  if (!l->is_number_integer()) {
    *err = bad("\"limit\" must be an integer");
    return 0;
  }
  // Above the maximum as an unsigned number (which int64 may not hold): the maximum.
  if (l->is_number_unsigned() &&
      l->get<std::uint64_t>() > static_cast<std::uint64_t>(rpc_contract::max_list_limit)) {
    return rpc_contract::max_list_limit;
  }
  return static_cast<std::size_t>(
      std::clamp<std::int64_t>(l->get<std::int64_t>(), 1, rpc_contract::max_list_limit));
}

// The `before` of requests and proposals: the id of a row an earlier page of the same view of
// the same community listed. A cursor that is no id, or the id of nothing that view lists
// here, is an error, not an empty page.
std::optional<record_id> row_cursor(const json& p,
                                    const std::unordered_map<record_id, cm::index>& rows,
                                    std::string_view view_name, const std::string& community,
                                    std::optional<reply>* err) {
  auto b = opt_string(p, param::before, err);
  if (!b) return std::nullopt;
  record_id id;
  if (!crypto::from_text(*b, &id) || !rows.contains(id)) {
    *err =
        bad("\"before\" is not a cursor printed by " + std::string(view_name) + " in " + community);
    return std::nullopt;
  }
  return id;
}

// The `before` of members and who_knows: the id of a member (the last row of an earlier page);
// of circle.list: a circle's id. Anything else is an error, as row_cursor's.
template <class Id, class Find>
std::optional<cm::index> index_cursor(const json& p, std::string_view view_name,
                                      const std::string& community, Find find,
                                      std::optional<reply>* err) {
  auto b = opt_string(p, param::before, err);
  if (!b) return std::nullopt;
  Id id;
  cm::index i = cm::no_index;
  if (!crypto::from_text(*b, &id) || (i = find(id)) == cm::no_index) {
    *err =
        bad("\"before\" is not a cursor printed by " + std::string(view_name) + " in " + community);
    return std::nullopt;
  }
  return i;
}

json profile_of(const cm::state& st, const cm::member_info& m) {
  const char* s = m.status == cm::member_status::active ? "active"
                  : m.status == cm::member_status::left ? "left"
                                                        : "removed";
  return json{{"id", crypto::to_text(m.id)},
              {"name", m.name},
              {"about", m.about},
              {"skills", m.skills},
              {"address", m.address ? json(*m.address) : json(nullptr)},
              {"status", st.forks().contains(m.id) ? "forked" : s},
              {"joined_ts", m.joined_ts},
              {"last_active_ts", m.last_active_ts},
              {"given", m.given},
              {"taken", m.taken}};
}

reply list(context& x, const json&) {
  json rows = json::array();
  for (const auto& id : x.host().ids()) {
    const cm::state* st = x.host().state_of(id);
    rows.push_back(json{{"id", crypto::to_text(id)},
                        {"name", st->name},
                        {"purpose", st->purpose},
                        {"active_members", st->active_count},
                        {"default", x.host().default_community() == id}});
  }
  return reply::ok(json{{"communities", rows}});
}

reply show(context& x, const json& p) {
  auto c = x.community_of(p);
  if (auto* r = std::get_if<reply>(&c)) return *r;
  auto [id, st] = std::get<0>(c);
  json v = cm::community_view(*st);
  v["id"] = crypto::to_text(id);
  return reply::ok(std::move(v));
}

reply use(context& x, const json& p) {
  auto c = x.community_of(p);
  if (auto* r = std::get_if<reply>(&c)) return *r;
  auto [id, st] = std::get<0>(c);
  if (status s = x.host().set_default(id); !s.ok()) return reply::from_status(s);
  return reply::ok(json{{"default", crypto::to_text(id)}, {"name", st->name}});
}

reply profile_show(context& x, const json& p) {
  auto c = x.community_of(p);
  if (auto* r = std::get_if<reply>(&c)) return *r;
  auto [id, st] = std::get<0>(c);
  std::optional<reply> err;
  auto who = opt_string(p, param::member, &err);
  if (err) return *err;
  member_id m = x.host().me().pk;
  if (who && !crypto::from_text(*who, &m)) return bad("\"member\" must be a full member id");
  const cm::index i = st->find_member(m);
  if (i == cm::no_index)
    return reply::fail(rpc::not_found, "that id is not a member of " + st->name);
  return reply::ok(profile_of(*st, st->members[i]));
}

reply feed(context& x, const json& p) {
  return view(x, p, [&](const cm::state& st) -> reply {
    cm::feed_query q;
    std::optional<reply> err;
    if (auto t = opt_string(p, param::type, &err)) {
      q.kind = cm::kind_of(*t);
      if (*q.kind == cm::record_kind::unknown) return bad("unknown record type '" + *t + "'");
    }
    if (auto a = opt_string(p, param::author, &err)) {
      member_id m;
      if (!crypto::from_text(*a, &m)) return bad("\"author\" must be a full member id");
      q.author = m;
    }
    if (auto t = opt_string(p, param::tag, &err)) q.tag = *t;
    if (auto ci = opt_string(p, param::circle, &err)) {
      auto r = resolve_circle(st, *ci);
      if (!r) return reply::from_status(r.error());
      q.circle = *r;
    }
    if (auto b = opt_string(p, param::before, &err)) {
      q.before = cm::position_from_text(*b);
      if (!q.before) return bad("\"before\" is not a cursor printed by feed");
    }
    q.limit = page_limit(p, &err);
    if (err) return *err;
    json page = cm::feed_view(st, q, &x.host().lookup());
    // A thanks row names what it thanked (docs/RPC.md, entries[].thanked).
    for (auto& e : page["entries"]) {
      if (e.value("type", "") == "thanks" && e["body"].is_object()) {
        e["thanked"] = cm::thanked_view(st, e["body"], x.host().lookup());
      }
    }
    return reply::ok(std::move(page));
  });
}

reply requests(context& x, const json& p) {
  std::optional<reply> err;
  const std::string s = opt_choice(p, param::state, rpc_contract::request_states, "open", &err);
  if (err) return *err;
  std::size_t who_knows = 0;
  if (auto w = p.find(param::who_knows); w != p.end() && !w->is_null()) {
    // An unsigned number beyond int64 reads as negative here: refused as well.
    if (!w->is_number_integer() || w->get<std::int64_t>() < 0 ||
        w->get<std::int64_t>() > rpc_contract::max_request_who_knows) {
      return bad("\"who_knows\" must be an integer from 0 to " +
                 std::to_string(rpc_contract::max_request_who_knows));
    }
    who_knows = w->get<std::size_t>();
  }
  return view(x, p, [&](const cm::state& st) -> reply {
    cm::requests_query q;
    q.filter = s == "answered" ? cm::request_filter::answered
               : s == "all"    ? cm::request_filter::all
                               : cm::request_filter::open;
    std::optional<reply> err;
    q.limit = page_limit(p, &err);
    q.before = row_cursor(p, st.request_index, "requests", st.name, &err);
    if (err) return *err;
    q.who_knows = who_knows;
    // Each row's who-knows ranks a topic: at most max_request_who_knows_rows of them per call.
    if (who_knows > 0) {
      q.limit = std::min<std::size_t>(q.limit, rpc_contract::max_request_who_knows_rows);
    }
    return reply::ok(cm::requests_view(st, q));
  });
}

reply members(context& x, const json& p) {
  std::optional<reply> err;
  const bool all = opt_bool(p, param::include_former, false, &err);
  if (err) return *err;
  return view(x, p, [&](const cm::state& st) -> reply {
    std::optional<reply> err;
    const std::size_t limit = page_limit(p, &err);
    auto after = index_cursor<member_id>(
        p, "members", st.name, [&](const member_id& id) { return st.find_member(id); }, &err);
    if (err) return *err;
    return reply::ok_text(cm::members_page_text(st, /*active_only=*/!all, limit, after));
  });
}

reply circle_list(context& x, const json& p) {
  std::optional<reply> err;
  const bool all = opt_bool(p, param::include_closed, false, &err);
  if (err) return *err;
  return view(x, p, [&](const cm::state& st) -> reply {
    std::optional<reply> err;
    const std::size_t limit = page_limit(p, &err);
    auto after = index_cursor<record_id>(
        p, "circle list", st.name,
        [&](const record_id& id) {
          auto it = st.circle_index.find(id);
          return it == st.circle_index.end() ? cm::no_index : it->second;
        },
        &err);
    if (err) return *err;
    return reply::ok(cm::circles_page(st, all, limit, after));
  });
}

reply proposals(context& x, const json& p) {
  std::optional<reply> err;
  const std::string want = opt_choice(p, param::state, rpc_contract::proposal_states, "open", &err);
  if (err) return *err;
  const cm::proposal_filter filter = want == "open"      ? cm::proposal_filter::open
                                     : want == "adopted" ? cm::proposal_filter::adopted
                                     : want == "expired" ? cm::proposal_filter::expired
                                                         : cm::proposal_filter::all;
  const std::int64_t now = x.services().clock->unix_ms();
  return view(x, p, [&](const cm::state& st) -> reply {
    std::optional<reply> err;
    const std::size_t limit = page_limit(p, &err);
    auto before = row_cursor(p, st.proposal_index, "proposals", st.name, &err);
    if (err) return *err;
    return reply::ok(cm::proposals_view(st, now, limit, before, filter));
  });
}

reply balance(context& x, const json& p) {
  return view(x, p, [&p](const cm::state& st) {
    std::optional<reply> err;
    std::optional<std::size_t> top;
    if (p.contains(param::limit) && !p[param::limit].is_null()) top = page_limit(p, &err);
    if (err) return *err;
    return reply::ok_text(cm::balance_view_text(st, top));
  });
}

reply who_knows(context& x, const json& p) {
  if (!p.contains(param::topic) || !p[param::topic].is_string()) {
    return bad("who_knows needs \"topic\"");
  }
  const std::string topic = p[param::topic].get<std::string>();
  return view(x, p, [&](const cm::state& st) -> reply {
    std::optional<reply> err;
    // who_knows pages hold 20 members unless asked otherwise: a ranking is read from the top.
    const std::size_t limit = p.contains(param::limit) && !p[param::limit].is_null()
                                  ? page_limit(p, &err)
                                  : rpc_contract::default_who_knows_limit;
    auto after = index_cursor<member_id>(
        p, "who-knows", st.name, [&](const member_id& id) { return st.find_member(id); }, &err);
    if (err) return *err;
    auto page = cm::who_knows_page(st, topic, limit, after);
    if (!page) {
      return bad("\"before\" is not a cursor printed by who-knows '" + topic + "' in " + st.name);
    }
    return reply::ok(std::move(*page));
  });
}

reply pulse(context& x, const json& p) {
  const std::int64_t now = x.services().clock->unix_ms();
  std::size_t weeks = 12;
  if (auto w = p.find(param::weeks); w != p.end() && !w->is_null()) {
    if (!w->is_number_integer() || w->get<std::int64_t>() < 1 ||
        w->get<std::int64_t>() > static_cast<std::int64_t>(cm::max_pulse_weeks)) {
      return bad("\"weeks\" must be an integer from 1 to 53");
    }
    weeks = w->get<std::size_t>();
  }
  return view(x, p, [now, weeks](const cm::state& st) {
    return reply::ok(cm::pulse_view(st, now, weeks));
  });
}

// A plain view (rpc_contract::method_spec::plain_view): the params' types are checked against
// the contract, then the community's view answers.
reply plain(context& x, const json& p, const rpc_contract::method_spec& spec,
            const cm::plain_view& v) {
  if (auto err = check_params(p, spec)) return *err;
  const std::int64_t now = x.services().clock->unix_ms();
  return view(x, p, [&](const cm::state& st) {
    return reply::ok(v.make(st, cm::view_request{.params = p, .now_ms = now}));
  });
}

// The subscription's params are kept by the server; zwermd's publisher filters by them.
reply watch(const json& p) {
  std::optional<reply> err;
  opt_string(p, param::type, &err);
  opt_string(p, param::community, &err);
  if (err) return *err;
  return reply::ok(json{{"watching", true}});
}

}  // namespace

json watch_notification(const community_host& host, const record& r) {
  json body = json::parse(r.body, nullptr, false);
  std::string name;
  if (const auto* st = host.state_of(r.community)) {
    auto i = st->find_member(r.author);
    if (i != community::no_index) name = st->members[i].name;
  }
  return json{{"community", crypto::to_text(r.community)},
              {"id", crypto::to_text(r.id)},
              {"author", crypto::to_text(r.author)},
              {"name", name},
              {"type", r.type},
              {"seq", r.seq},
              {"lamport", r.lamport},
              {"ts", r.ts},
              {"body", body.is_discarded() ? json(nullptr) : body}};
}

void register_view_methods(rpc::method_table& table, const std::shared_ptr<context>& ctx) {
  const auto add = method_adder(table, ctx);
  add(method::community_list, list);
  add(method::community_show, show);
  add(method::community_use, use);
  add(method::profile_show, profile_show);
  add(method::feed, feed);
  add(method::requests, requests);
  add(method::members, members);
  add(method::circle_list, circle_list);
  add(method::proposals, proposals);
  add(method::balance, balance);
  add(method::who_knows, who_knows);
  add(method::pulse, pulse);
  table.add(method::watch, rpc::sync_handler(watch), "records");
  // Every plain view, from its entry in the contract and its row in the community's table. A
  // contract entry without a row is listed as unavailable (the contract test calls every method,
  // and fails on it).
  for (const rpc_contract::method_spec* spec : rpc_contract::all_methods) {
    if (!spec->plain_view) continue;
    if (const cm::plain_view* v = cm::find_plain_view(spec->name)) {
      add(*spec, [spec, v](context& x, const json& p) { return plain(x, p, *spec, *v); });
    } else {
      table.add_unavailable(std::string(spec->name), std::string(spec->summary),
                            "its view in node/community (plain_views)");
    }
  }
}

}  // namespace zwerm::node
