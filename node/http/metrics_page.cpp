#include "node/http/metrics_page.hpp"

namespace zwerm::node::http {

boost::asio::awaitable<answer> metrics_page::handle(const request&, const target& t) {
  response res = t.path == "/metrics"
                     ? make_response(200, "text/plain; version=0.0.4; charset=utf-8", collect_())
                     : make_response(404, "text/plain; charset=utf-8", "metrics are at /metrics\n");
  res.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  co_return answer{std::move(res), nullptr};
}

}  // namespace zwerm::node::http
