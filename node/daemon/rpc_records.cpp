// The RPC methods that write a record of the member's feed (the contract's method_group::record;
// docs/RPC.md, "Methods that write a record").
#include <algorithm>

#include "base/base64url.hpp"
#include "crypto/hash.hpp"
#include "node/community/body_schema.hpp"
#include "node/daemon/invite_code.hpp"
#include "node/daemon/rpc_community.hpp"
#include "node/daemon/rpc_community_parts.hpp"

namespace zwerm::node {
namespace {

using namespace community_rpc;
namespace cm = community;
namespace param = rpc_contract::param;
namespace method = rpc_contract::method;

reply create(context& x, const json& p) {
  std::optional<reply> err;
  auto name = opt_string(p, param::name, &err);
  auto purpose = opt_string(p, param::purpose, &err);
  if (err) return *err;
  if (!name || !purpose) return bad("community.create needs \"name\" and \"purpose\"");
  json policy{{param::invite_by, "member"}, {param::quorum_pct, 50}};
  if (auto it = p.find(param::policy); it != p.end() && !it->is_null()) {
    if (!it->is_object()) return bad("\"policy\" must be an object");
    if (it->contains(param::invite_by)) policy[param::invite_by] = (*it)[param::invite_by];
    if (it->contains(param::quorum_pct)) policy[param::quorum_pct] = (*it)[param::quorum_pct];
  }
  json body{{"name", *name}, {"purpose", *purpose}, {"policy", policy}};
  if (auto checked = cm::parse_body(cm::record_kind::community_create, body.dump()); !checked) {
    return bad(checked.error().message());
  }
  auto g = x.host().create(body);
  if (!g) return reply::from_status(g.error());
  const community_id created = community_of_genesis(g->id);
  // The creator's first profile, with the name from config.json when there is one.
  if (!x.services().options->name.empty()) {
    auto w = x.host().write(created, "profile", x.first_profile());
    if (!w) return reply::from_status(w.error());
  }
  return reply::ok(json{{"community_id", crypto::to_text(created)},
                        {"name", *name},
                        {"record_id", crypto::to_text(g->id)}});
}

reply invite(context& x, const json& p) {
  auto c = x.community_of(p);
  if (auto* r = std::get_if<reply>(&c)) return *r;
  auto [id, st] = std::get<0>(c);
  std::optional<reply> err;
  auto for_member = opt_string(p, param::for_member, &err);
  auto note = opt_string(p, param::note, &err).value_or("");
  if (err) return *err;
  std::int64_t expires_s = rpc_contract::default_invite_expires_s;
  if (auto it = p.find(param::expires_s); it != p.end()) {
    // At most a year: the bound also keeps expires_s * 1000 far from overflowing.
    if (!it->is_number_integer() || it->get<std::int64_t>() <= 0 ||
        it->get<std::int64_t>() > rpc_contract::max_invite_expires_s) {
      return bad("\"expires_s\" must be a number of seconds from 1 to 31622400 (a year)");
    }
    expires_s = it->get<std::int64_t>();
  }
  invite_code code;
  code.community = id;
  auto key = x.host().network_key(id);
  if (!key) {
    return reply::fail(rpc::refused, "this node does not hold the network key of " + st->name +
                                         ", so it cannot make invite codes for it");
  }
  code.network_key = *key;
  // The nodes the newcomer may dial: this one and members who publish an address.
  const member_id me = x.host().me().pk;
  if (auto own = x.own_address()) code.peers.push_back({me, *own});
  for (const auto& m : st->members) {
    if (code.peers.size() >= max_invite_peers) break;
    if (m.status != cm::member_status::active || !m.address || m.id == me) continue;
    // A profile address may be longer (§3.2: 300 bytes) than a code's (255): skipped.
    if (auto hp = parse_host_port(*m.address);
        hp && hp->port != 0 && hp->to_string().size() <= max_invite_address)
      code.peers.push_back({m.id, *hp});
  }
  if (code.peers.empty()) {
    return reply::fail(rpc::refused,
                       "no reachable address to put in the invite: set \"advertise\" in "
                       "config.json (or listen on a specific address) and restart zwermd");
  }
  json body{{"note", note}, {"expires_ts", x.services().clock->unix_ms() + expires_s * 1000}};
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
  reply written = x.write(id, "member.invite", body);
  if (!written.is_ok()) return written;
  crypto::from_text(written.result()["record_id"].get<std::string>(), &code.invite_id);
  // The code carries the invite's lamport: the newcomer writes its join right after it.
  auto stored = x.host().store().get(code.invite_id);
  if (!stored) return reply::from_status(stored.error());
  code.invite_lamport = stored->lamport;
  auto text = encode_invite_code(code);
  if (!text) return reply::from_status(text.error());
  json out = written.result();
  out["code"] = *text;
  out["invite_id"] = out["record_id"];
  out["expires_ts"] = body["expires_ts"];
  return reply::ok(std::move(out));
}

reply profile_set(context& x, const json& p) {
  auto c = x.community_of(p);
  if (auto* r = std::get_if<reply>(&c)) return *r;
  auto [id, st] = std::get<0>(c);
  const cm::index me = st->find_member(x.host().me().pk);
  json body = x.first_profile();
  if (me != cm::no_index && st->members[me].has_profile) {
    const auto& m = st->members[me];
    body = json{{"name", m.name},
                {"about", m.about},
                {"skills", m.skills},
                {"address", m.address ? json(*m.address) : json(nullptr)}};
  }
  std::optional<reply> err;
  if (auto v = opt_string(p, param::name, &err)) body["name"] = *v;
  if (auto v = opt_string(p, param::about, &err)) body["about"] = *v;
  if (p.contains(param::skills)) body["skills"] = string_list(p, param::skills, &err);
  if (p.contains(param::address)) {
    const json& a = p[param::address];
    if (!a.is_null() && !a.is_string()) err = bad("\"address\" must be a string or null");
    body["address"] = a;
  }
  if (err) return *err;
  if (body["name"].get<std::string>().empty()) return bad("a profile needs a name: give --name");
  return x.write(id, "profile", body);
}

reply contribute(context& x, const json& p) {
  auto c = x.community_of(p);
  if (auto* r = std::get_if<reply>(&c)) return *r;
  auto [id, st] = std::get<0>(c);
  std::optional<reply> err;
  json body{{"kind", opt_string(p, param::kind, &err).value_or("knowledge")},
            {"title", opt_string(p, param::title, &err).value_or("")},
            {"body", opt_string(p, param::body, &err).value_or("")},
            {"tags", string_list(p, param::tags, &err)},
            {"answers", nullptr},
            {"circle", nullptr}};
  auto answers = opt_string(p, param::answers, &err);
  auto circle = opt_string(p, param::circle, &err);
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
  return x.write(id, "contribution", body);
}

reply thank(context& x, const json& p) {
  auto c = x.community_of(p);
  if (auto* r = std::get_if<reply>(&c)) return *r;
  auto [id, st] = std::get<0>(c);
  std::optional<reply> err;
  auto ref = opt_string(p, param::contribution, &err);
  auto note = opt_string(p, param::note, &err).value_or("");
  if (err) return *err;
  if (!ref) return bad("thank needs \"contribution\"");
  auto cid = resolve_id(st->contribution_index, *ref, "contribution");
  if (!cid) return reply::from_status(cid.error());
  return x.write(id, "thanks", json{{"contribution", crypto::to_text(*cid)}, {"note", note}});
}

reply propose(context& x, const json& p) {
  auto c = x.community_of(p);
  if (auto* r = std::get_if<reply>(&c)) return *r;
  auto [id, st] = std::get<0>(c);
  auto action = p.find(param::action);
  if (action == p.end() || !action->is_object() || !action->contains(param::kind) ||
      !(*action)[param::kind].is_string()) {
    return bad("propose needs \"action\": {\"kind\": agreement|purpose|remove|steward|dissolve}");
  }
  std::optional<reply> err;
  const std::string kind = (*action)[param::kind].get<std::string>();
  json body{{"action", kind}, {"reason", opt_string(p, param::reason, &err).value_or("")}};
  if (kind == "agreement" || kind == "purpose") {
    body["text"] = opt_string(*action, param::text, &err).value_or("");
  }
  if (kind == "agreement") {
    body["supersedes"] = nullptr;
    if (auto s = opt_string(*action, param::supersedes, &err)) {
      auto r = resolve_id(st->proposal_index, *s, "agreement");
      if (!r) return reply::from_status(r.error());
      body["supersedes"] = crypto::to_text(*r);
    }
  }
  if (kind == "remove" || kind == "steward") {
    body["member"] = opt_string(*action, param::member, &err).value_or("");
  }
  if (err) return *err;
  return x.write(id, "proposal", body);
}

reply endorse(context& x, const json& p) {
  auto c = x.community_of(p);
  if (auto* r = std::get_if<reply>(&c)) return *r;
  auto [id, st] = std::get<0>(c);
  std::optional<reply> err;
  auto ref = opt_string(p, param::proposal, &err);
  if (err) return *err;
  if (!ref) return bad("endorse needs \"proposal\"");
  auto pid = resolve_id(st->proposal_index, *ref, "proposal");
  if (!pid) return reply::from_status(pid.error());
  return x.write(id, "endorse", json{{"proposal", crypto::to_text(*pid)}});
}

// circle.join, circle.leave, circle.close: the record type is the method's name.
reply circle_ref(context& x, const json& p, std::string_view type) {
  auto c = x.community_of(p);
  if (auto* r = std::get_if<reply>(&c)) return *r;
  auto [id, st] = std::get<0>(c);
  std::optional<reply> err;
  auto ref = opt_string(p, param::circle, &err);
  if (err) return *err;
  if (!ref) return bad(std::string(type) + " needs \"circle\"");
  auto cid = resolve_circle(*st, *ref);
  if (!cid) return reply::from_status(cid.error());
  return x.write(id, type, json{{"circle", crypto::to_text(*cid)}});
}

// A plain record method (rpc_contract::method_spec::writes): its params other than `community`
// are the body's fields, an absent optional one written empty. The params' JSON types are
// checked first, so a wrong type is the caller's error; the record schema checks bounds in
// x.write.
reply plain_record(context& x, const json& p, const rpc_contract::method_spec& spec) {
  if (auto err = check_params(p, spec)) return *err;
  auto c = x.community_of(p);
  if (auto* r = std::get_if<reply>(&c)) return *r;
  std::optional<reply> err;
  json body = json::object();
  for (const rpc_contract::param_spec& ps : spec.params) {
    if (ps.name == param::community) continue;
    const std::string key(ps.name);
    const auto it = p.find(key);
    switch (ps.type) {
      case rpc_contract::param_type::string_list:
        body[key] = string_list(p, key, &err);
        break;
      case rpc_contract::param_type::string_or_null:
        body[key] = it != p.end() ? *it : json(nullptr);
        break;
      default:  // string: plain_method_is_valid admits no other type
        body[key] = opt_string(p, key, &err).value_or("");
        break;
    }
  }
  if (err) return *err;
  return x.write(std::get<0>(c).first, spec.writes, body);
}

}  // namespace

void register_record_methods(rpc::method_table& table, const std::shared_ptr<context>& ctx) {
  const auto add = method_adder(table, ctx);
  add(method::community_create, create);
  add(method::invite, invite);
  add(method::profile_set, profile_set);
  add(method::contribute, contribute);
  add(method::thank, thank);
  add(method::propose, propose);
  add(method::endorse, endorse);
  for (const auto* spec : {&method::circle_join, &method::circle_leave, &method::circle_close}) {
    const std::string_view type = spec->name;
    add(*spec, [type](context& x, const json& p) { return circle_ref(x, p, type); });
  }
  // Every plain record method, from its entry in the contract alone.
  for (const rpc_contract::method_spec* spec : rpc_contract::all_methods) {
    if (spec->writes.empty()) continue;
    add(*spec, [spec](context& x, const json& p) { return plain_record(x, p, *spec); });
  }
}

}  // namespace zwerm::node
