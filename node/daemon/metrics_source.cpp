#include "node/daemon/metrics_source.hpp"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "base/base64url.hpp"
#include "node/daemon/community_host.hpp"
#include "node/daemon/network_host.hpp"
#include "node/daemon/web_host.hpp"
#include "store/store.hpp"

namespace zwerm::node {

metrics_source::metrics_source(const store::store* db, const community_host* communities,
                               const network_host* network, const web_host* web,
                               std::filesystem::path db_dir)
    : db_(db),
      communities_(communities),
      network_(network),
      web_(web),
      db_dir_(std::move(db_dir)) {}

void metrics_source::rpc_call(std::string_view method, std::chrono::nanoseconds took) {
  auto it = rpc_.find(method);
  if (it == rpc_.end()) it = rpc_.emplace(std::string(method), http::latency_histogram{}).first;
  it->second.observe(took);
}

namespace {

// Per-member lag series per community (metrics must stay small for 10,000-member communities).
constexpr std::size_t max_feed_series = 100;

// The bytes of the store's files (LevelDB tables, logs, manifest).
std::uint64_t directory_bytes(const std::filesystem::path& dir) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const auto n = it->file_size(size_ec);
      if (!size_ec) total += n;
    }
  }
  return total;
}

void refusals(http::prometheus_text& out, const char* server, const http::server* s) {
  if (!s) return;
  for (const auto& [reason, n] : s->counters().refusals) {
    out.sample("zwerm_http_refusals_total", {{"server", server}, {"reason", reason}}, n);
  }
}

}  // namespace

std::string metrics_source::text() const {
  using http::labels;
  http::prometheus_text out;

  const nlohmann::json status = network_->status_json(network_host::lag_rows::behind);
  // Per-community series carry the community's name and its id: two communities may share a
  // name, never an id.
  using community_key = std::pair<std::string, std::string>;  // id, name
  auto key_of = [](const nlohmann::json& row) {
    return community_key{row.value("community_id", ""), row.value("community", "")};
  };
  auto community_labels = [](const community_key& k) {
    return labels{{"community", k.second}, {"community_id", k.first}};
  };
  out.family("zwerm_peers_connected", "gauge", "Open sessions with other members' nodes.");
  std::map<community_key, std::uint64_t> peers_per_community;
  for (const auto& p : status.value("peers", nlohmann::json::array())) {
    ++peers_per_community[key_of(p)];
  }
  for (const auto& [community, n] : peers_per_community) {
    out.sample("zwerm_peers_connected", community_labels(community), n);
  }

  std::map<community_key, std::vector<std::pair<std::uint64_t, std::string>>> feeds;
  for (const auto& c : status.value("sync", nlohmann::json::array())) feeds[key_of(c)];
  for (const auto& l : status.value("lag", nlohmann::json::array())) {
    feeds[key_of(l)].emplace_back(l.value("behind", std::uint64_t{0}), l.value("member", ""));
  }
  out.family("zwerm_sync_behind_records", "gauge",
             "Records this node lacks of the feeds its peers announced, summed per community.");
  for (const auto& [community, rows] : feeds) {
    std::uint64_t sum = 0;
    for (const auto& r : rows) sum += r.first;
    out.sample("zwerm_sync_behind_records", community_labels(community), sum);
  }
  out.family("zwerm_sync_feed_behind_records", "gauge",
             "Records this node lacks of one member's feed, by the highest seq a connected peer "
             "announced; only feeds behind, at most the 100 furthest behind per community.");
  for (auto& [community, rows] : feeds) {
    // Furthest behind first, then by member id: a stable set of series while nothing moves.
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    if (rows.size() > max_feed_series) rows.resize(max_feed_series);
    for (const auto& [behind, member] : rows) {
      auto l = community_labels(community);
      l.emplace_back("member", member);
      out.sample("zwerm_sync_feed_behind_records", l, behind);
    }
  }

  out.family("zwerm_records_stored", "gauge", "Records in the store, per community.");
  if (auto summaries = db_->communities()) {
    for (const auto& c : *summaries) {
      const auto* st = communities_->state_of(c.id);
      out.sample("zwerm_records_stored",
                 community_labels({crypto::to_text(c.id), st ? st->name : std::string()}),
                 c.records);
    }
  }
  out.family("zwerm_records_ingested_total", "counter",
             "Records appended to the store since zwermd started (own and received).");
  out.sample("zwerm_records_ingested_total", {}, records_ingested_);

  const auto l = network_->listener_stats();
  out.family("zwerm_peer_connections_accepted_total", "counter",
             "Inbound peer connections accepted by the operating system.");
  out.sample("zwerm_peer_connections_accepted_total", {}, l.accepted);
  out.family("zwerm_peer_refusals_total", "counter",
             "Inbound peer connections closed before admission, by reason.");
  out.sample("zwerm_peer_refusals_total", labels{{"reason", "banned"}}, l.refused_banned);
  out.sample("zwerm_peer_refusals_total", labels{{"reason", "over_limit"}}, l.refused_limit);
  out.sample("zwerm_peer_refusals_total", labels{{"reason", "evicted"}}, l.evicted);
  out.sample("zwerm_peer_refusals_total", labels{{"reason", "handshake_abandoned"}},
             l.handshakes_abandoned);
  out.sample("zwerm_peer_refusals_total", labels{{"reason", "handshake_refused"}},
             l.handshakes_refused);
  out.family("zwerm_peer_bans_total", "counter", "Bans of remote addresses started.");
  out.sample("zwerm_peer_bans_total", {}, l.bans);

  out.family("zwerm_http_refusals_total", "counter",
             "Requests and connections the dashboard and metrics servers refused, by reason.");
  refusals(out, "dashboard", web_->dashboard_server());
  refusals(out, "metrics", web_->metrics_server());

  out.family("zwerm_rpc_request_duration_seconds", "histogram",
             "Time to answer a JSON-RPC call on the local socket, by method.");
  for (const auto& [method, h] : rpc_) {
    out.histogram("zwerm_rpc_request_duration_seconds", labels{{"method", method}}, h);
  }

  out.family("zwerm_store_size_bytes", "gauge", "Bytes of the store's files on disk.");
  out.sample("zwerm_store_size_bytes", {}, directory_bytes(db_dir_));
  return out.text();
}

}  // namespace zwerm::node
