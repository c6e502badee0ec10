// The metrics endpoint's routes: GET /metrics answers the Prometheus text format that
// `collect` writes at that moment; every other path is 404. No token: Prometheus scrapers
// send no cookies, so the endpoint relies on its loopback bind (and the server's Host check).
// It shows counts and sizes, never member names or record contents.
//
// Threads: the server's executor; `collect` runs there.
#pragma once

#include <functional>
#include <string>

#include "node/http/server.hpp"

namespace zwerm::node::http {

class metrics_page : public route_handler {
 public:
  explicit metrics_page(std::function<std::string()> collect) : collect_(std::move(collect)) {}
  boost::asio::awaitable<answer> handle(const request& req, const target& t) override;

 private:
  std::function<std::string()> collect_;
};

}  // namespace zwerm::node::http
