#include "node/http/dashboard.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/field.hpp>

#include "node/http/assets.hpp"
#include "node/http/ties_svg.hpp"

namespace zwerm::node::http {

namespace bhttp = boost::beast::http;
namespace rc = rpc_contract;
using json = nlohmann::json;

namespace {

// One JSON view the page reads: /api/<path> calls `method` with the fixed `params`, the
// community and the allowed query parameters.
struct api_view {
  std::string_view path;
  const rc::method_spec* method;
  std::string_view fixed_params;  // a JSON object
  bool takes_topic = false;
  bool takes_state = false;
};

constexpr api_view api_views[] = {
    {"communities", &rc::method::community_list, "{}"},
    {"status", &rc::method::status, R"({"lag":"behind"})"},  // only the feeds behind
    {"peers", &rc::method::peers, "{}"},
    {"community", &rc::method::community_show, "{}"},
    {"members", &rc::method::members, R"({"limit":100})"},  // a page: the 100 first
    {"balance", &rc::method::balance, R"({"limit":40})"},   // the chart's 40 busiest
    {"ties", &rc::method::ties, "{}"},
    {"ties.svg", &rc::method::ties, R"({"graph":true})"},
    {"pulse", &rc::method::pulse, R"({"weeks":53})"},
    // The 20 newest the page lists, each with the 3 members who know its first tag best.
    {"requests", &rc::method::requests, R"({"limit":20,"who_knows":3})", false, true},
    {"who_knows", &rc::method::who_knows, "{}", true},
    {"proposals", &rc::method::proposals, "{}", false, true},
    {"circles", &rc::method::circle_list, "{}"},
    {"handovers", &rc::method::feed, R"({"type":"steward.handover"})"},
    {"feed", &rc::method::feed, "{}"},
};

// The views /api/overview answers at once: what the page draws (dashboard.js's load), under
// the names of their /api/ routes, with the same fixed params.
constexpr std::string_view overview_parts[] = {"community", "members",  "pulse",     "balance",
                                               "ties",      "requests", "proposals", "circles",
                                               "handovers", "status"};

const api_view* find_view(std::string_view name) {
  for (const auto& v : api_views) {
    if (v.path == name) return &v;
  }
  return nullptr;
}

response with_policy(response res) {
  res.set("Content-Security-Policy", std::string(content_security_policy));
  return res;
}

answer respond(unsigned status, std::string type, std::string body) {
  return answer{with_policy(make_response(status, std::move(type), std::move(body))), nullptr};
}

answer json_error(unsigned status, std::string message) {
  return respond(status, "application/json", json{{"error", std::move(message)}}.dump());
}

}  // namespace

dashboard::dashboard(std::string token, view_source views, event_hub& events)
    : token_(std::move(token)), views_(std::move(views)), events_(events) {}

void dashboard::set_port(std::uint16_t port) {
  cookie_ = "zwerm_" + std::to_string(port);
}

boost::asio::awaitable<answer> dashboard::handle(const request& req, const target& t) {
  if (t.path == "/" && t.query.contains("token")) {
    if (!same_secret(t.query.at("token"), token_)) {
      co_return respond(403, "text/plain; charset=utf-8",
                        "This link's token is not this zwermd's (it changes at every start); "
                        "run `zwerm dashboard` for the current one.\n");
    }
    answer a = respond(303, "text/plain; charset=utf-8", "signed in\n");
    a.res.set(bhttp::field::location, "/");
    a.res.set(bhttp::field::set_cookie,
              cookie_ + "=" + token_ + "; Path=/; HttpOnly; SameSite=Strict");
    co_return a;
  }
  auto cookie = cookie_value(req[bhttp::field::cookie], cookie_);
  if (!cookie) {
    co_return respond(401, "text/plain; charset=utf-8",
                      "Open the address that `zwerm dashboard` prints: it signs this browser "
                      "in.\n");
  }
  if (!same_secret(*cookie, token_)) {
    co_return respond(403, "text/plain; charset=utf-8",
                      "This browser's sign-in is from an earlier start of zwermd; run `zwerm "
                      "dashboard` again.\n");
  }
  if (t.path == "/" || t.path == "/index.html") {
    const asset* a = find_asset("index.html");
    co_return respond(200, std::string(a->content_type), std::string(a->body));
  }
  if (t.path.starts_with("/assets/")) {
    const asset* a = find_asset(std::string_view(t.path).substr(8));
    if (!a || a->name == "index.html") co_return respond(404, "text/plain", "no such asset\n");
    answer out = respond(200, std::string(a->content_type), std::string(a->body));
    co_return out;
  }
  if (t.path == "/events") {
    answer a = respond(200, "text/event-stream", "");
    a.stream = events_.subscribe(co_await boost::asio::this_coro::executor);
    co_return a;
  }
  if (t.path.starts_with("/api/")) {
    co_return co_await api(t.path.substr(5), t.query);
  }
  co_return respond(404, "text/plain; charset=utf-8", "not found\n");
}

boost::asio::awaitable<answer> dashboard::api(std::string name,
                                              std::map<std::string, std::string> q) {
  if (name == "overview") co_return co_await overview(std::move(q));
  const api_view* v = find_view(name);
  if (!v) co_return json_error(404, "no view called '" + name + "'");
  json params = json::parse(v->fixed_params);
  for (const auto& [key, value] : q) {
    if (key == "community") {
      params["community"] = value;
    } else if (key == "topic" && v->takes_topic) {
      params["topic"] = value;
    } else if (key == "v" && name == "ties.svg") {
      // The page's cache buster: changes the URL, not the answer.
    } else if (key == "state" && v->takes_state) {
      params["state"] = value;
    } else {
      co_return json_error(400, "/api/" + name + " takes no parameter '" + key + "'");
    }
  }
  view_result r = co_await views_(std::string(v->method->name), std::move(params));
  if (!r.ok) {
    co_return json_error(r.code == static_cast<int>(rc::error_code::not_found) ? 404 : 400,
                         r.message);
  }
  if (name == "ties.svg") {
    auto v = json::parse(r.json_text, nullptr, false);
    if (v.is_discarded() || !v.contains("graph")) co_return json_error(500, "no graph in ties");
    co_return respond(200, "image/svg+xml", ties_svg(v["graph"]));
  }
  co_return respond(200, "application/json", std::move(r.json_text));
}

boost::asio::awaitable<answer> dashboard::overview(std::map<std::string, std::string> q) {
  std::string wanted;
  for (const auto& [key, value] : q) {
    if (key != "community")
      co_return json_error(400, "/api/overview takes no parameter '" + key + "'");
    wanted = value;
  }
  view_result list = co_await views_(std::string(rc::method::community_list.name), json::object());
  if (!list.ok) co_return json_error(500, list.message);
  const json communities = json::parse(list.json_text, nullptr, false);
  if (communities.is_discarded() || !communities.contains("communities") ||
      !communities["communities"].is_array()) {
    co_return json_error(500, "community.list answered no list");
  }
  // As the page picks: the community the page asks for when this node is in it, else the
  // default one, else the first.
  const json& all = communities["communities"];
  const json* pick = nullptr;
  for (const auto& c : all) {
    if (!wanted.empty() && c.value("id", "") == wanted) pick = &c;
  }
  for (const auto& c : all) {
    if (!pick && c.value("default", false)) pick = &c;
  }
  if (!pick && !all.empty()) pick = &all.front();
  std::string out = "{\"communities\":" + all.dump() + ",\"current\":";
  if (!pick) co_return respond(200, "application/json", out + "null}");
  const std::string current = pick->value("id", "");
  out += json(current).dump();
  for (std::string_view part : overview_parts) {
    const api_view* v = find_view(part);
    json params = json::parse(v->fixed_params);
    if (v->method != &rc::method::status) params["community"] = current;
    view_result r = co_await views_(std::string(v->method->name), std::move(params));
    if (!r.ok) {
      co_return json_error(r.code == static_cast<int>(rc::error_code::not_found) ? 404 : 400,
                           std::string(part) + ": " + r.message);
    }
    out += ",\"" + std::string(part) + "\":" + r.json_text;
  }
  out += "}";
  co_return respond(200, "application/json", std::move(out));
}

}  // namespace zwerm::node::http
