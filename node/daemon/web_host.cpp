#include "node/daemon/web_host.hpp"

#include <array>

#include <spdlog/spdlog.h>

#include "base/base64url.hpp"
#include "crypto/hash.hpp"
#include "node/http/request_guard.hpp"
#include "node/http/view_source.hpp"

namespace zwerm::node {

namespace {

// The view_source: a dashboard method, answered by the same handler the local socket uses.
// Any other name is refused here, whatever node/http asks for.
boost::asio::awaitable<http::view_result> call_view(const rpc::method_table* table,
                                                    std::string name, nlohmann::json params) {
  const rpc::method* m = http::is_dashboard_method(name) ? table->find(name) : nullptr;
  if (!m || !m->available()) {
    co_return http::view_result{false, "", static_cast<int>(rpc::method_not_found),
                                "the dashboard cannot call '" + name + "'"};
  }
  rpc::reply r = co_await m->call(std::move(params));
  if (!r.is_ok()) co_return http::view_result{false, "", r.err().code, r.err().message};
  co_return http::view_result{true, r.result_text(), 0, ""};
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

web_host::web_host(boost::asio::any_io_executor ex, const rpc::method_table& table)
    : ex_(std::move(ex)), table_(table) {
  std::array<std::uint8_t, 32> secret{};
  crypto::random_bytes(secret.data(), secret.size());
  token_ = crypto::base64url_encode(
      std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()));
}

web_host::~web_host() {
  stop();
}

status web_host::start_dashboard(const host_port& where, bool allow_remote) {
  http::server_options o;
  o.host = where.host;
  o.port = where.port;
  o.allow_remote = allow_remote;
  const rpc::method_table* table = &table_;
  dashboard_ = std::make_unique<http::dashboard>(
      token_,
      [table](std::string name, nlohmann::json params) {
        return call_view(table, std::move(name), std::move(params));
      },
      events_);
  server_ = std::make_unique<http::server>(ex_, o, *dashboard_);
  if (status s = server_->start(); !s.ok()) {
    server_.reset();
    return {s.code(), "the dashboard: " + s.message()};
  }
  dashboard_->set_port(server_->port());
  if (!http::is_loopback(o.host)) {
    spdlog::warn(
        "the dashboard listens on {}:{}, reachable from other machines; anyone who learns its "
        "token can read this node's communities (--http-allow-remote)",
        o.host, server_->port());
  }
  spdlog::info("dashboard on http://{}:{}/ (`zwerm dashboard` prints the address to open)",
               url_host(o.host), server_->port());
  return {};
}

status web_host::start_metrics(const host_port& where, bool allow_remote,
                               std::function<std::string()> collect) {
  http::server_options o;
  o.host = where.host;
  o.port = where.port;
  o.allow_remote = allow_remote;
  metrics_ = std::make_unique<http::metrics_page>(std::move(collect));
  metrics_server_ = std::make_unique<http::server>(ex_, o, *metrics_);
  if (status s = metrics_server_->start(); !s.ok()) {
    metrics_server_.reset();
    return {s.code(), "the metrics endpoint: " + s.message()};
  }
  if (!http::is_loopback(o.host)) {
    spdlog::warn(
        "the metrics endpoint listens on {}:{}, reachable from other machines "
        "(--http-allow-remote)",
        o.host, metrics_server_->port());
  }
  spdlog::info("metrics on http://{}:{}/metrics", url_host(o.host), metrics_server_->port());
  return {};
}

std::optional<std::string> web_host::dashboard_url() const {
  if (!server_) return std::nullopt;
  std::string host = server_->options().host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  return "http://" + url_host(host) + ":" + std::to_string(server_->port()) + "/?token=" + token_;
}

bool web_host::has_viewers() {
  return server_ && events_.subscribers() > 0;
}

void web_host::record_applied(const nlohmann::json& notification) {
  if (!has_viewers()) return;
  events_.publish("record",
                  notification.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void web_host::stop() {
  if (server_) server_->stop();
  if (metrics_server_) metrics_server_->stop();
}

}  // namespace zwerm::node
