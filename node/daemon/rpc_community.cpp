#include <algorithm>

#include "node/daemon/rpc_community.hpp"

#include "base/base64url.hpp"
#include "node/community/body_schema.hpp"
#include "node/daemon/rpc_community_parts.hpp"

namespace zwerm::node {
namespace community_rpc {

namespace cm = community;

reply bad(std::string why) {
  return reply::fail(rpc::invalid_params, std::move(why));
}

std::optional<reply> check_params(const json& p, const rpc_contract::method_spec& spec) {
  using rpc_contract::param_type;
  for (const rpc_contract::param_spec& ps : spec.params) {
    const std::string key(ps.name);
    const auto it = p.find(key);
    if (it == p.end() || it->is_null()) {
      if (ps.required) return bad(std::string(spec.name) + " needs \"" + key + "\"");
      continue;
    }
    bool fits = false;
    switch (ps.type) {
      case param_type::string:
      case param_type::string_or_null:
        fits = it->is_string();
        break;
      case param_type::integer:
        fits = it->is_number_integer();
        break;
      case param_type::boolean:
        fits = it->is_boolean();
        break;
      case param_type::object:
        fits = it->is_object();
        break;
      case param_type::string_list:
        fits = it->is_array() &&
               std::all_of(it->begin(), it->end(), [](const json& v) { return v.is_string(); });
        break;
    }
    if (!fits) {
      return bad("\"" + key + "\" must be " + (ps.type == param_type::integer ? "an " : "a ") +
                 std::string(rpc_contract::type_name(ps.type)));
    }
  }
  return std::nullopt;
}

std::optional<std::string> opt_string(const json& p, std::string_view key,
                                      std::optional<reply>* err) {
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    *err = bad("\"" + std::string(key) + "\" must be a string");
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::vector<std::string> string_list(const json& p, std::string_view key,
                                     std::optional<reply>* err) {
  std::vector<std::string> out;
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return out;
  if (!it->is_array()) {
    *err = bad("\"" + std::string(key) + "\" must be a list of strings");
    return out;
  }
  for (const auto& v : *it) {
    if (!v.is_string()) {
      *err = bad("\"" + std::string(key) + "\" must be a list of strings");
      return {};
    }
    if (!v.get_ref<const std::string&>().empty()) out.push_back(v.get<std::string>());
  }
  return out;
}

bool opt_bool(const json& p, std::string_view key, bool fallback, std::optional<reply>* err) {
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) {
    *err = bad("\"" + std::string(key) + "\" must be true or false");
    return fallback;
  }
  return it->get<bool>();
}

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
  auto found = resolve_id(st.circle_index, ref, "circle");
  if (!found && by_name.empty()) {
    // Not an open circle's name nor an id: a closed circle's name says so, not "no id".
    for (const auto& c : st.circles) {
      if (c.name == ref && !c.open) {
        return status{status_code::rejected, "the circle '" + ref + "' is closed (id " +
                                                 crypto::to_text(c.id).substr(0, 10) + ")"};
      }
    }
  }
  return found;
}

std::variant<std::pair<community_id, const cm::state*>, reply> context::community_of(
    const json& p) {
  std::optional<reply> err;
  auto ref = opt_string(p, rpc_contract::param::community, &err);
  if (err) return *err;
  auto id = host_.resolve(ref);
  if (!id) return reply::from_status(id.error());
  const cm::state* st = host_.state_of(*id);
  if (!st) return reply::fail(rpc::not_found, "this node holds no records of that community");
  return std::make_pair(*id, st);
}

reply context::write(const community_id& c, std::string_view type, const json& body) {
  auto kind = cm::kind_of(type);
  if (auto checked = cm::parse_body(kind, body.dump()); !checked) {
    return bad(checked.error().message());
  }
  // The community state owns the rules: a record they would give no effect is refused before
  // it is stored, with their reason ("it would have no effect: the proposal expired 3 days
  // ago"), instead of being written, relayed and ignored.
  auto r = host_.write(c, std::string(type), body, community_host::write_mode::only_with_effect);
  if (!r) return reply::from_status(r.error());
  const cm::state* st = host_.state_of(c);
  const bool took_effect = st && !st->feed.empty() && st->feed.back().id == r->id;
  json out{{"record_id", crypto::to_text(r->id)}, {"type", type}, {"took_effect", took_effect}};
  if (!took_effect) {
    out["note"] = "the record is stored and relayed, but a community rule gave it no effect";
  }
  return reply::ok(std::move(out));
}

std::optional<host_port> context::own_address() const {
  const auto& o = *services_.options;
  if (o.advertise) return o.advertise;
  if (o.listen.port != 0 && o.listen.host != "0.0.0.0" && o.listen.host != "::") return o.listen;
  return std::nullopt;
}

json context::first_profile() const {
  return json{{"name", services_.options->name},
              {"about", ""},
              {"skills", json::array()},
              {"address", own_address() ? json(own_address()->to_string()) : json(nullptr)}};
}

void add_method(rpc::method_table& table, const std::shared_ptr<context>& ctx,
                const rpc_contract::method_spec& spec,
                std::function<reply(context&, const json&)> fn) {
  table.add(spec,
            rpc::sync_handler([ctx, fn = std::move(fn)](const json& p) { return fn(*ctx, p); }));
}

}  // namespace community_rpc

void register_community_methods(rpc::method_table& table, community_host& host,
                                const node_services& services) {
  auto ctx = std::make_shared<community_rpc::context>(host, services);
  register_record_methods(table, ctx);
  register_view_methods(table, ctx);
}

}  // namespace zwerm::node
