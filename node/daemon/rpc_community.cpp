#include "node/daemon/rpc_community.hpp"

#include <chrono>
#include <unordered_map>

#include "crypto/base64url.hpp"
#include "crypto/hash.hpp"
#include "crypto/unix_time.hpp"
#include "node/community/body_schema.hpp"
#include "node/daemon/invite_code.hpp"

namespace zwerm::node {
namespace {

using rpc::json;
using rpc::reply;
namespace cm = community;

reply bad(std::string why) {
  return reply::fail(rpc::invalid_params, std::move(why));
}

// Optional string param; a present non-string is an error (returned through *err).
std::optional<std::string> opt_string(const json& p, const char* key, std::optional<reply>* err) {
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    *err = bad(std::string("\"") + key + "\" must be a string");
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::vector<std::string> string_list(const json& p, const char* key, std::optional<reply>* err) {
  std::vector<std::string> out;
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return out;
  if (!it->is_array()) {
    *err = bad(std::string("\"") + key + "\" must be a list of strings");
    return out;
  }
  for (const auto& v : *it) {
    if (!v.is_string()) {
      *err = bad(std::string("\"") + key + "\" must be a list of strings");
      return {};
    }
    if (!v.get_ref<const std::string&>().empty()) out.push_back(v.get<std::string>());
  }
  return out;
}

// A record id given in full or as a prefix, among the ids of one kind of entity.
result<record_id> resolve_id(const std::unordered_map<record_id, cm::index>& ids,
                             const std::string& ref, const std::string& what) {
  record_id exact;
  if (crypto::from_text(ref, &exact) && ids.contains(exact)) return exact;
  std::vector<record_id> found;
  for (const auto& [id, i] : ids) {
    if (crypto::to_text(id).rfind(ref, 0) == 0) found.push_back(id);
  }
  if (ref.empty() || found.empty()) {
    return status{status_code::not_found, "no " + what + " has an id starting with '" + ref + "'"};
  }
  if (found.size() > 1) {
    std::string list;
    for (const auto& id : found)
      list += (list.empty() ? "" : ", ") + crypto::to_text(id).substr(0, 10);
    return status{status_code::invalid_argument, "'" + ref + "' is the start of " +
                                                     std::to_string(found.size()) + " " + what +
                                                     " ids: " + list + "; type more of the id"};
  }
  return found.front();
}

result<record_id> resolve_circle(const cm::state& st, const std::string& ref) {
  std::vector<record_id> by_name;
  for (const auto& c : st.circles) {
    if (c.name == ref && c.open) by_name.push_back(c.id);
  }
  if (by_name.size() == 1) return by_name.front();
  return resolve_id(st.circle_index, ref, "circle");
}

class methods {
 public:
  methods(community_host& host, const node_services& services) : host_(host), services_(services) {}

  // Resolves params.community to a state; on failure a reply.
  std::variant<std::pair<community_id, const cm::state*>, reply> community_of(const json& p) {
    std::optional<reply> err;
    auto ref = opt_string(p, "community", &err);
    if (err) return *err;
    auto id = host_.resolve(ref);
    if (!id) return reply::from_status(id.error());
    const cm::state* st = host_.state_of(*id);
    if (!st) return reply::fail(rpc::not_found, "this node holds no records of that community");
    return std::make_pair(*id, st);
  }

  // Checks the body against the record schema, writes it, reports whether it took effect.
  reply write(const community_id& c, const char* type, const json& body) {
    auto kind = cm::kind_of(type);
    if (auto checked = cm::parse_body(kind, body.dump()); !checked) {
      return bad(checked.error().message());
    }
    const cm::state* st = host_.state_of(c);
    if (st) {
      const cm::index me = st->find_member(host_.me().pk);
      if (me == cm::no_index || st->members[me].status != cm::member_status::active) {
        return reply::fail(rpc::refused, "you are not an active member of " + st->name +
                                             "; a record written now would have no effect");
      }
    }
    auto r = host_.write(c, type, body);
    if (!r) return reply::from_status(r.error());
    st = host_.state_of(c);
    const bool took_effect = st && !st->feed.empty() && st->feed.back().id == r->id;
    json out{{"record_id", crypto::to_text(r->id)}, {"type", type}, {"took_effect", took_effect}};
    if (!took_effect) {
      out["note"] = "the record is stored and relayed, but a community rule gave it no effect";
    }
    return reply::ok(std::move(out));
  }

  reply create(const json& p) {
    std::optional<reply> err;
    auto name = opt_string(p, "name", &err);
    auto purpose = opt_string(p, "purpose", &err);
    if (err) return *err;
    if (!name || !purpose) return bad("community.create needs \"name\" and \"purpose\"");
    json policy{{"invite_by", "member"}, {"quorum_pct", 50}};
    if (auto it = p.find("policy"); it != p.end() && it->is_object()) {
      if (it->contains("invite_by")) policy["invite_by"] = (*it)["invite_by"];
      if (it->contains("quorum_pct")) policy["quorum_pct"] = (*it)["quorum_pct"];
    }
    json body{{"name", *name}, {"purpose", *purpose}, {"policy", policy}};
    if (auto checked = cm::parse_body(cm::record_kind::community_create, body.dump()); !checked) {
      return bad(checked.error().message());
    }
    auto g = host_.create(body);
    if (!g) return reply::from_status(g.error());
    // The creator's first profile, with the name from config.json when there is one.
    if (!services_.options->name.empty()) {
      json profile{{"name", services_.options->name},
                   {"about", ""},
                   {"skills", json::array()},
                   {"address", own_address() ? json(own_address()->to_string()) : json(nullptr)}};
      auto w = host_.write(g->id, "profile", profile);
      if (!w) return reply::from_status(w.error());
    }
    return reply::ok(json{{"community_id", crypto::to_text(g->id)},
                          {"name", *name},
                          {"record_id", crypto::to_text(g->id)}});
  }

  reply list(const json&) {
    json rows = json::array();
    for (const auto& id : host_.ids()) {
      const cm::state* st = host_.state_of(id);
      rows.push_back(json{{"id", crypto::to_text(id)},
                          {"name", st->name},
                          {"purpose", st->purpose},
                          {"active_members", st->active_count},
                          {"default", host_.default_community() == id}});
    }
    return reply::ok(json{{"communities", rows}});
  }

  reply show(const json& p) {
    auto c = community_of(p);
    if (auto* r = std::get_if<reply>(&c)) return *r;
    auto [id, st] = std::get<0>(c);
    json view = cm::community_view(*st);
    view["id"] = crypto::to_text(id);
    return reply::ok(std::move(view));
  }

  reply use(const json& p) {
    auto c = community_of(p);
    if (auto* r = std::get_if<reply>(&c)) return *r;
    auto [id, st] = std::get<0>(c);
    if (status s = host_.set_default(id); !s.ok()) return reply::from_status(s);
    return reply::ok(json{{"default", crypto::to_text(id)}, {"name", st->name}});
  }

  std::optional<host_port> own_address() const {
    const auto& o = *services_.options;
    if (o.advertise) return o.advertise;
    if (o.listen.port != 0 && o.listen.host != "0.0.0.0" && o.listen.host != "::") return o.listen;
    return std::nullopt;
  }

  reply invite(const json& p) {
    auto c = community_of(p);
    if (auto* r = std::get_if<reply>(&c)) return *r;
    auto [id, st] = std::get<0>(c);
    std::optional<reply> err;
    auto for_member = opt_string(p, "for", &err);
    auto note = opt_string(p, "note", &err).value_or("");
    if (err) return *err;
    std::int64_t expires_s = 7 * 86400;
    if (auto it = p.find("expires_s"); it != p.end()) {
      // At most a year: the bound also keeps expires_s * 1000 far from overflowing.
      if (!it->is_number_integer() || it->get<std::int64_t>() <= 0 ||
          it->get<std::int64_t>() > 366 * 86400) {
        return bad("\"expires_s\" must be a number of seconds from 1 to 31622400 (a year)");
      }
      expires_s = it->get<std::int64_t>();
    }
    invite_code code;
    code.community = id;
    auto key = host_.network_key(id);
    if (!key) {
      return reply::fail(rpc::refused, "this node does not hold the network key of " + st->name +
                                           ", so it cannot make invite codes for it");
    }
    code.network_key = *key;
    // The nodes the newcomer may dial: this one and members who publish an address.
    if (auto own = own_address()) code.peers.push_back({host_.me().pk, *own});
    for (const auto& m : st->members) {
      if (code.peers.size() >= max_invite_peers) break;
      if (m.status != cm::member_status::active || !m.address || m.id == host_.me().pk) continue;
      if (auto hp = parse_host_port(*m.address); hp && hp->port != 0)
        code.peers.push_back({m.id, *hp});
    }
    if (code.peers.empty()) {
      return reply::fail(rpc::refused,
                         "no reachable address to put in the invite: set \"advertise\" in "
                         "config.json (or listen on a specific address) and restart zwermd");
    }
    json body{{"note", note}, {"expires_ts", unix_ms_now() + expires_s * 1000}};
    if (for_member) {
      member_id invitee;
      if (!crypto::from_text(*for_member, &invitee)) {
        return bad("\"for\" must be a full member id (43 characters)");
      }
      body["invitee"] = *for_member;
    } else {
      code.token = crypto::random_fixed<invite_token>();
      body["token_hash"] = crypto::to_text(crypto::blake2b256(code.token->view()));
    }
    reply written = write(id, "member.invite", body);
    if (!written.is_ok()) return written;
    crypto::from_text(written.result()["record_id"].get<std::string>(), &code.invite_id);
    auto text = encode_invite_code(code);
    if (!text) return reply::from_status(text.error());
    json out = written.result();
    out["code"] = *text;
    out["invite_id"] = out["record_id"];
    out["expires_ts"] = body["expires_ts"];
    return reply::ok(std::move(out));
  }

  reply leave(const json& p) {
    auto c = community_of(p);
    if (auto* r = std::get_if<reply>(&c)) return *r;
    std::optional<reply> err;
    auto reason = opt_string(p, "reason", &err).value_or("");
    if (err) return *err;
    return write(std::get<0>(c).first, "member.leave", json{{"reason", reason}});
  }

  reply steward_handover(const json& p) {
    auto c = community_of(p);
    if (auto* r = std::get_if<reply>(&c)) return *r;
    std::optional<reply> err;
    auto to = opt_string(p, "to", &err);
    if (err) return *err;
    if (!to || to->empty())
      return bad("steward.handover needs \"to\": the new steward's member id");
    return write(std::get<0>(c).first, "steward.handover", json{{"to", *to}});
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

  reply profile_set(const json& p) {
    auto c = community_of(p);
    if (auto* r = std::get_if<reply>(&c)) return *r;
    auto [id, st] = std::get<0>(c);
    const cm::index me = st->find_member(host_.me().pk);
    json body{{"name", services_.options->name},
              {"about", ""},
              {"skills", json::array()},
              {"address", own_address() ? json(own_address()->to_string()) : json(nullptr)}};
    if (me != cm::no_index && st->members[me].has_profile) {
      const auto& m = st->members[me];
      body = json{{"name", m.name},
                  {"about", m.about},
                  {"skills", m.skills},
                  {"address", m.address ? json(*m.address) : json(nullptr)}};
    }
    std::optional<reply> err;
    if (auto v = opt_string(p, "name", &err)) body["name"] = *v;
    if (auto v = opt_string(p, "about", &err)) body["about"] = *v;
    if (p.contains("skills")) body["skills"] = string_list(p, "skills", &err);
    if (p.contains("address"))
      body["address"] = p["address"].is_null() ? json(nullptr) : p["address"];
    if (err) return *err;
    if (body["name"].get<std::string>().empty()) return bad("a profile needs a name: give --name");
    return write(id, "profile", body);
  }

  reply profile_show(const json& p) {
    auto c = community_of(p);
    if (auto* r = std::get_if<reply>(&c)) return *r;
    auto [id, st] = std::get<0>(c);
    std::optional<reply> err;
    auto who = opt_string(p, "member", &err);
    if (err) return *err;
    member_id m = host_.me().pk;
    if (who && !crypto::from_text(*who, &m)) return bad("\"member\" must be a full member id");
    const cm::index i = st->find_member(m);
    if (i == cm::no_index)
      return reply::fail(rpc::not_found, "that id is not a member of " + st->name);
    return reply::ok(profile_of(*st, st->members[i]));
  }

  reply ask(const json& p) {
    auto c = community_of(p);
    if (auto* r = std::get_if<reply>(&c)) return *r;
    std::optional<reply> err;
    json body{{"title", opt_string(p, "title", &err).value_or("")},
              {"body", opt_string(p, "body", &err).value_or("")},
              {"tags", string_list(p, "tags", &err)}};
    if (err) return *err;
    return write(std::get<0>(c).first, "request", body);
  }

  reply contribute(const json& p) {
    auto c = community_of(p);
    if (auto* r = std::get_if<reply>(&c)) return *r;
    auto [id, st] = std::get<0>(c);
    std::optional<reply> err;
    json body{{"kind", opt_string(p, "kind", &err).value_or("knowledge")},
              {"title", opt_string(p, "title", &err).value_or("")},
              {"body", opt_string(p, "body", &err).value_or("")},
              {"tags", string_list(p, "tags", &err)},
              {"answers", nullptr},
              {"circle", nullptr}};
    auto answers = opt_string(p, "answers", &err);
    auto circle = opt_string(p, "circle", &err);
    if (err) return *err;
    if (answers) {
      auto r = resolve_id(st->request_index, *answers, "request");
      if (!r) return reply::from_status(r.error());
      body["answers"] = crypto::to_text(*r);
    }
    if (circle) {
      auto r = resolve_circle(*st, *circle);
      if (!r) return reply::from_status(r.error());
      body["circle"] = crypto::to_text(*r);
    }
    return write(id, "contribution", body);
  }

  reply thank(const json& p) {
    auto c = community_of(p);
    if (auto* r = std::get_if<reply>(&c)) return *r;
    auto [id, st] = std::get<0>(c);
    std::optional<reply> err;
    auto ref = opt_string(p, "contribution", &err);
    auto note = opt_string(p, "note", &err).value_or("");
    if (err) return *err;
    if (!ref) return bad("thank needs \"contribution\"");
    auto cid = resolve_id(st->contribution_index, *ref, "contribution");
    if (!cid) return reply::from_status(cid.error());
    const auto& contribution = st->contributions[st->contribution_index.at(*cid)];
    const cm::index me = st->find_member(host_.me().pk);
    if (contribution.author == me) {
      return reply::fail(rpc::refused, "you cannot thank yourself for your own contribution");
    }
    if (me != cm::no_index &&
        st->thanked.contains((std::uint64_t{me} << 32) | st->contribution_index.at(*cid))) {
      return reply::fail(rpc::refused, "you already thanked this contribution");
    }
    return write(id, "thanks", json{{"contribution", crypto::to_text(*cid)}, {"note", note}});
  }

  reply propose(const json& p) {
    auto c = community_of(p);
    if (auto* r = std::get_if<reply>(&c)) return *r;
    auto [id, st] = std::get<0>(c);
    auto action = p.find("action");
    if (action == p.end() || !action->is_object() || !action->contains("kind") ||
        !(*action)["kind"].is_string()) {
      return bad("propose needs \"action\": {\"kind\": agreement|purpose|remove|steward|dissolve}");
    }
    std::optional<reply> err;
    const std::string kind = (*action)["kind"].get<std::string>();
    json body{{"action", kind}, {"reason", opt_string(p, "reason", &err).value_or("")}};
    if (kind == "agreement" || kind == "purpose") {
      body["text"] = opt_string(*action, "text", &err).value_or("");
    }
    if (kind == "agreement") {
      body["supersedes"] = nullptr;
      if (auto s = opt_string(*action, "supersedes", &err)) {
        auto r = resolve_id(st->proposal_index, *s, "agreement");
        if (!r) return reply::from_status(r.error());
        body["supersedes"] = crypto::to_text(*r);
      }
    }
    if (kind == "remove" || kind == "steward") {
      body["member"] = opt_string(*action, "member", &err).value_or("");
    }
    if (err) return *err;
    return write(id, "proposal", body);
  }

  reply endorse(const json& p) {
    auto c = community_of(p);
    if (auto* r = std::get_if<reply>(&c)) return *r;
    auto [id, st] = std::get<0>(c);
    std::optional<reply> err;
    auto ref = opt_string(p, "proposal", &err);
    if (err) return *err;
    if (!ref) return bad("endorse needs \"proposal\"");
    auto pid = resolve_id(st->proposal_index, *ref, "proposal");
    if (!pid) return reply::from_status(pid.error());
    const auto& prop = st->proposals[st->proposal_index.at(*pid)];
    const cm::index me = st->find_member(host_.me().pk);
    if (std::find(prop.endorsers.begin(), prop.endorsers.end(), me) != prop.endorsers.end()) {
      return reply::fail(rpc::refused, "you already endorsed this proposal");
    }
    return write(id, "endorse", json{{"proposal", crypto::to_text(*pid)}});
  }

  reply circle_open(const json& p) {
    auto c = community_of(p);
    if (auto* r = std::get_if<reply>(&c)) return *r;
    std::optional<reply> err;
    json body{{"name", opt_string(p, "name", &err).value_or("")},
              {"purpose", opt_string(p, "purpose", &err).value_or("")}};
    if (err) return *err;
    return write(std::get<0>(c).first, "circle.open", body);
  }

  reply circle_ref(const json& p, const char* type) {
    auto c = community_of(p);
    if (auto* r = std::get_if<reply>(&c)) return *r;
    auto [id, st] = std::get<0>(c);
    std::optional<reply> err;
    auto ref = opt_string(p, "circle", &err);
    if (err) return *err;
    if (!ref) return bad(std::string(type) + " needs \"circle\"");
    auto cid = resolve_circle(*st, *ref);
    if (!cid) return reply::from_status(cid.error());
    return write(id, type, json{{"circle", crypto::to_text(*cid)}});
  }

  // A view of the resolved community, filtered by `keep` on the rows of `rows_key`.
  template <class F>
  reply view(const json& p, F make) {
    auto c = community_of(p);
    if (auto* r = std::get_if<reply>(&c)) return *r;
    auto [id, st] = std::get<0>(c);
    return make(*st);
  }

  static json keep_rows(json v, const char* key, const std::function<bool(const json&)>& keep) {
    if (!v.contains(key) || !v[key].is_array()) return v;
    json rows = json::array();
    for (auto& row : v[key]) {
      if (keep(row)) rows.push_back(std::move(row));
    }
    v[key] = std::move(rows);
    return v;
  }

  reply feed(const json& p) {
    return view(p, [&](const cm::state& st) -> reply {
      cm::feed_query q;
      std::optional<reply> err;
      if (auto t = opt_string(p, "type", &err)) {
        q.kind = cm::kind_of(*t);
        if (*q.kind == cm::record_kind::unknown) return bad("unknown record type '" + *t + "'");
      }
      if (auto a = opt_string(p, "author", &err)) {
        member_id m;
        if (!crypto::from_text(*a, &m)) return bad("\"author\" must be a full member id");
        q.author = m;
      }
      if (auto t = opt_string(p, "tag", &err)) q.tag = *t;
      if (auto ci = opt_string(p, "circle", &err)) {
        auto r = resolve_circle(st, *ci);
        if (!r) return reply::from_status(r.error());
        q.circle = *r;
      }
      if (auto b = opt_string(p, "before", &err)) {
        q.before = cm::position_from_text(*b);
        if (!q.before) return bad("\"before\" is not a cursor printed by feed");
      }
      if (auto l = p.find("limit"); l != p.end() && l->is_number_integer()) {
        q.limit =
            static_cast<std::size_t>(std::clamp<std::int64_t>(l->get<std::int64_t>(), 1, 500));
      }
      if (err) return *err;
      return reply::ok(cm::feed_view(st, q, &host_.lookup()));
    });
  }

  reply requests(const json& p) {
    return view(p, [&](const cm::state& st) -> reply {
      cm::requests_query q;
      const std::string s = p.value("state", std::string("open"));
      q.filter = s == "answered" ? cm::request_filter::answered
                 : s == "all"    ? cm::request_filter::all
                                 : cm::request_filter::open;
      return reply::ok(cm::requests_view(st, q));
    });
  }

 private:
  community_host& host_;
  const node_services& services_;
};

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

void register_community_methods(rpc::method_table& table, community_host& host,
                                const node_services& services) {
  auto m = std::make_shared<methods>(host, services);
  auto add = [&](const std::string& name, const std::string& summary,
                 std::function<reply(methods&, const json&)> fn) {
    table.add(name, summary, rpc::sync_handler([m, fn](const json& p) { return fn(*m, p); }));
  };
  add("community.create", "start a community: name, purpose, policy", &methods::create);
  add("community.list", "the communities this node is in", &methods::list);
  add("community.show", "name, purpose, steward, policy and agreements in force", &methods::show);
  add("community.use", "make a community the default for commands", &methods::use);
  add("invite", "admit someone: an invite record and a copy-paste code", &methods::invite);
  add("leave", "leave a community", &methods::leave);
  add("steward.handover", "pass the steward role to an active member", &methods::steward_handover);
  add("profile.set", "name, about, skills, address", &methods::profile_set);
  add("profile.show", "a member's profile", &methods::profile_show);
  add("ask", "post a request", &methods::ask);
  add("contribute", "bring knowledge, help, an event, an introduction", &methods::contribute);
  add("thank", "thank the author of a contribution", &methods::thank);
  add("propose", "propose an agreement, purpose, removal, steward or dissolution",
      &methods::propose);
  add("endorse", "endorse an open proposal", &methods::endorse);
  add("circle.open", "open a circle (a working group)", &methods::circle_open);
  add("circle.join", "join a circle",
      [](methods& x, const json& p) { return x.circle_ref(p, "circle.join"); });
  add("circle.leave", "leave a circle",
      [](methods& x, const json& p) { return x.circle_ref(p, "circle.leave"); });
  add("circle.close", "close a circle",
      [](methods& x, const json& p) { return x.circle_ref(p, "circle.close"); });
  add("feed", "records newest first, filtered by type, author, tag, circle", &methods::feed);
  add("requests", "open and answered requests", &methods::requests);
  add("members", "members with status, skills, last activity, given/taken",
      [](methods& x, const json& p) {
        const bool all = p.value("include_former", false);
        return x.view(p, [&](const cm::state& st) {
          return reply::ok_text(cm::members_view_text(st, /*active_only=*/!all));
        });
      });
  add("circle.list", "the community's circles", [](methods& x, const json& p) {
    const bool all = p.value("include_closed", false);
    return x.view(p, [&](const cm::state& st) {
      return reply::ok(methods::keep_rows(cm::circles_view(st), "circles", [&](const json& row) {
        return all || row.value("open", false);
      }));
    });
  });
  add("proposals", "open and decided proposals", [](methods& x, const json& p) {
    const std::string want = p.value("state", std::string("open"));
    return x.view(p, [&](const cm::state& st) {
      return reply::ok(methods::keep_rows(
          cm::proposals_view(st, unix_ms_now()), "proposals",
          [&](const json& row) { return want == "all" || row.value("status", "") == want; }));
    });
  });
  add("balance", "given and taken per member; who only takes, who carries",
      [](methods& x, const json& p) {
        return x.view(
            p, [](const cm::state& st) { return reply::ok_text(cm::balance_view_text(st)); });
      });
  add("who_knows", "members ranked by a topic in skills and tags", [](methods& x, const json& p) {
    if (!p.contains("topic") || !p["topic"].is_string()) return bad("who_knows needs \"topic\"");
    const std::string topic = p["topic"].get<std::string>();
    return x.view(p, [&](const cm::state& st) { return reply::ok(cm::who_knows_view(st, topic)); });
  });
  add("ties", "the thanks graph: density, components, isolated, connectors",
      [](methods& x, const json& p) {
        return x.view(p, [](const cm::state& st) { return reply::ok(cm::ties_view(st)); });
      });
  add("pulse", "records and active members per week; fading warning",
      [](methods& x, const json& p) {
        return x.view(
            p, [](const cm::state& st) { return reply::ok(cm::pulse_view(st, unix_ms_now())); });
      });
  table.add_stream("watch", "stream newly ingested records until the client leaves", "records",
                   rpc::sync_handler([](const json& p) {
                     if (p.contains("type") && !p["type"].is_string()) {
                       return bad("\"type\" must be a string");
                     }
                     return reply::ok(json{{"watching", true}});
                   }));
}

}  // namespace zwerm::node
