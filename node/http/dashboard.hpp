// The dashboard's routes: the page and its assets, the JSON views under /api/, and the live
// event stream /events. Read-only: every /api/ answer comes from view_source.
//
//   GET /?token=T   with the right token: 303 to / and the cookie zwerm_<port>=T (HttpOnly,
//                   SameSite=Strict); with a wrong one 403.
//   GET /           the page (index.html)            GET /assets/NAME  an embedded asset
//   GET /api/NAME?community=C[&topic=..][&state=..]  a view as JSON (api_views in the .cpp)
//   GET /api/overview[?community=C]  the page's first load in one answer: the communities,
//                   the one shown (C when this node is in it, else the default, else the
//                   first) and every view the page draws of it (overview_parts in the .cpp)
//   GET /api/ties.svg?community=C  the ties picture (ties_svg.hpp)
//   GET /events     Server-Sent Events: `record` for every record applied
// Every route but /?token= needs the cookie: 401 without it, 403 with a wrong one. Every
// answer carries a Content-Security-Policy that allows only this origin's scripts, styles,
// images and fetches (no inline script, no other origin).
//
// Threads: the server's executor.
#pragma once

#include <string>

#include "node/http/event_hub.hpp"
#include "node/http/server.hpp"
#include "node/http/view_source.hpp"

namespace zwerm::node::http {

inline constexpr std::string_view content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

class dashboard : public route_handler {
 public:
  // `token`: the per-start secret (the URL `zwerm dashboard` prints carries it).
  dashboard(std::string token, view_source views, event_hub& events);

  // The port the server bound; names the cookie (cookies are shared by every port of a host,
  // so two nodes' dashboards on one machine must not overwrite each other's). Call after the
  // server started, before it serves.
  void set_port(std::uint16_t port);
  // The cookie's name: zwerm_<port>.
  const std::string& cookie_name() const { return cookie_; }

  boost::asio::awaitable<answer> handle(const request& req, const target& t) override;

 private:
  boost::asio::awaitable<answer> api(std::string name, std::map<std::string, std::string> q);
  boost::asio::awaitable<answer> overview(std::map<std::string, std::string> q);

  std::string token_;
  view_source views_;
  event_hub& events_;
  std::string cookie_ = "zwerm";
};

}  // namespace zwerm::node::http
