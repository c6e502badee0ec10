// What zwermd counts for its metrics endpoint (--metrics), and the Prometheus text written
// from it and from the daemon's parts at each scrape. The counters live here; the rest (peers,
// bans, store size, HTTP refusals) is read from the parts when asked.
//
// Threads: the daemon's I/O thread (the counters are bumped there: on_appended, the RPC
// server's on_call).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "node/http/prometheus_text.hpp"

namespace zwerm::store {
class store;
}

namespace zwerm::node {

class community_host;
class network_host;
class web_host;

class metrics_source {
 public:
  // Every pointer must outlive the source (the daemon owns them all).
  metrics_source(const store::store* db, const community_host* communities,
                 const network_host* network, const web_host* web, std::filesystem::path db_dir);

  void record_appended() { ++records_ingested_; }
  void rpc_call(std::string_view method, std::chrono::nanoseconds took);

  // The whole exposition, as of now.
  std::string text() const;

 private:
  const store::store* db_;
  const community_host* communities_;
  const network_host* network_;
  const web_host* web_;
  std::filesystem::path db_dir_;
  std::uint64_t records_ingested_ = 0;
  std::map<std::string, http::latency_histogram, std::less<>> rpc_;
};

}  // namespace zwerm::node
