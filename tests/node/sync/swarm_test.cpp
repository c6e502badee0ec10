// Propagation in a simulated swarm: N nodes, each dialing 3 random others (about 6
// connections each), fixed link latency so that virtual time counts hops. Reports, per new
// record, the hops until every node holds it and the copies each node received.
// Default: 64 nodes, 30 records. ZWERM_SOAK=1: 512 nodes, 100 records.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <set>

#include "crypto/sodium.hpp"
#include "tests/node/sync/sim.hpp"

namespace zwerm::node::sync {
namespace {

struct swarm_result {
  std::vector<double> hops_to_all;  // per record
  double copies_per_node = 0;       // records received (stored or duplicate) per node, per record
  double wire_per_record_per_node = 0;
};

swarm_result run_swarm(std::size_t nodes, std::size_t records_n, std::size_t eager,
                       std::uint64_t seed) {
  auto c = sim::community_maker::make();
  sim::network::options o;
  o.seed = seed;
  o.latency_min_us = o.latency_max_us = 1000;  // one hop = 1 ms of virtual time
  o.engine.eager_push_peers = eager;
  sim::network net(c.genesis.community, o);
  for (std::size_t i = 0; i < nodes; ++i) net.add_node_with({c.genesis.bytes});
  std::mt19937_64 rng(seed);
  std::set<std::pair<std::size_t, std::size_t>> edges;
  for (std::size_t i = 0; i < nodes; ++i) {
    // A ring keeps the graph connected; two random extra dials per node.
    edges.insert({i, (i + 1) % nodes});
    while (edges.size() < (i + 1) * 3) {
      std::size_t j = rng() % nodes;
      if (j == i || edges.count({i, j}) || edges.count({j, i})) continue;
      edges.insert({i, j});
    }
  }
  for (auto [a, b] : edges) net.connect(a, b);
  net.run();
  const auto before = net.total();

  std::vector<std::uint64_t> arrived;
  std::size_t pending_author_seq = 0;
  crypto::public_key watching;
  std::uint64_t start = 0, last = 0;
  net.on_appended = [&](std::size_t, const record_key& k, std::uint64_t t) {
    if (k.author == watching && k.seq == pending_author_seq) {
      ++arrived.back();
      last = std::max(last, t);
    }
  };
  swarm_result res;
  std::uint64_t received_before = 0;
  auto received = [&] {
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < nodes; ++i) {
      for (auto s : net.engine(i).sessions()) n += net.engine(i).stats(s).records_received;
    }
    return n;
  };
  received_before = received();
  for (std::size_t r = 0; r < records_n; ++r) {
    auto k = crypto::generate_key_pair();
    auto rec = c.feed(1, 300, k);
    watching = k.pk;
    pending_author_seq = 1;
    arrived.push_back(0);
    start = last = net.now_us();
    net.write(rng() % nodes, rec);
    net.run();
    EXPECT_EQ(arrived.back(), nodes) << "record " << r << " did not reach every node";
    res.hops_to_all.push_back(static_cast<double>(last - start) / 1000.0);
    net.run_until(net.now_us() + 10'000);
  }
  res.copies_per_node =
      static_cast<double>(received() - received_before) / static_cast<double>(nodes * records_n);
  res.wire_per_record_per_node =
      static_cast<double>(net.total().wire - before.wire) / static_cast<double>(nodes * records_n);
  for (std::size_t i = 1; i < nodes; ++i) {
    EXPECT_EQ(*net.replica(0).frontier_digest(), *net.replica(i).frontier_digest());
  }
  EXPECT_TRUE(net.misbehaviours().empty());
  return res;
}

void report(const char* what, std::size_t nodes, const swarm_result& r) {
  auto h = r.hops_to_all;
  std::sort(h.begin(), h.end());
  double mean = std::accumulate(h.begin(), h.end(), 0.0) / static_cast<double>(h.size());
  std::printf(
      "%s: %zu nodes: hops to reach all: median %.1f, max %.1f, mean %.2f; copies "
      "received per node per record %.2f; wire bytes per node per record %.0f\n",
      what, nodes, h[h.size() / 2], h.back(), mean, r.copies_per_node, r.wire_per_record_per_node);
}

TEST(SyncSwarm, EveryRecordReachesEveryNode) {
  crypto::init();
  const bool soak = std::getenv("ZWERM_SOAK") && std::string(std::getenv("ZWERM_SOAK")) == "1";
  const std::size_t nodes = soak ? 512 : 64;
  const std::size_t records_n = soak ? 100 : 30;
  for (std::size_t eager : {std::size_t{2}, std::size_t{6}}) {
    auto r = run_swarm(nodes, records_n, eager, 11);
    report(eager == 2 ? "eager push to 2, have to the rest" : "eager push to all", nodes, r);
    EXPECT_GE(r.copies_per_node, 1.0);
    // Flooding over ~6 links may cost at most one copy per link.
    EXPECT_LE(r.copies_per_node, 6.5);
  }
}

}  // namespace
}  // namespace zwerm::node::sync
