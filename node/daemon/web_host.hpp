// zwermd's web side: the dashboard server (node/http) bound to the daemon. It owns the
// dashboard's per-start token, the event hub fed from every appended record, and the servers;
// it gives node/http a view_source that calls the daemon's own read-only RPC handlers.
//
// Threads: constructed, started and fed on the daemon's I/O thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/status.hpp"
#include "node/daemon/config.hpp"
#include "node/daemon/method_table.hpp"
#include "node/http/dashboard.hpp"
#include "node/http/event_hub.hpp"
#include "node/http/metrics_page.hpp"
#include "node/http/server.hpp"

namespace zwerm::node {

struct record;

class web_host {
 public:
  // `table` must outlive the web host (the daemon owns both).
  web_host(boost::asio::any_io_executor ex, const rpc::method_table& table);
  ~web_host();

  // Starts the dashboard on `where`. Errors: those of http::server::start.
  [[nodiscard]] status start_dashboard(const host_port& where, bool allow_remote);
  // Starts the metrics endpoint on `where`, answering `collect()` at GET /metrics. Errors:
  // those of http::server::start.
  [[nodiscard]] status start_metrics(const host_port& where, bool allow_remote,
                                     std::function<std::string()> collect);

  // The dashboard's address with this start's token ("http://127.0.0.1:7480/?token=..."), or
  // nullopt when it is off.
  std::optional<std::string> dashboard_url() const;

  // Tells open dashboards that a record was applied (`notification`: the watch.record
  // params). Cheap when no page is open.
  void record_applied(const nlohmann::json& notification);
  bool has_viewers();

  // The servers, or nullptr when off.
  const http::server* dashboard_server() const { return server_.get(); }
  const http::server* metrics_server() const { return metrics_server_.get(); }

  // Stops the servers and closes their connections. Idempotent.
  void stop();

 private:
  boost::asio::any_io_executor ex_;
  const rpc::method_table& table_;
  std::string token_;
  http::event_hub events_;
  std::unique_ptr<http::dashboard> dashboard_;
  std::unique_ptr<http::server> server_;  // refers to dashboard_: declared after it
  std::unique_ptr<http::metrics_page> metrics_;
  std::unique_ptr<http::server> metrics_server_;  // refers to metrics_
};

}  // namespace zwerm::node
