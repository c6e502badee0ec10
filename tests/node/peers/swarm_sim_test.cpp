// Many managers in one simulated network (no sockets, a fake clock): every node knows only a
// seed node from its invite and learns the others by peer exchange, as zwermd does (it asks
// for addresses when a connection opens and it is short of candidates, and answers with its
// own advertised address plus shareable()). Checks that the swarm fills its targets, that both
// ends of every connection agree on it, and that it stays connected once the seed is gone.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <queue>
#include <random>
#include <set>

#include "node/peers/manager.hpp"
#include "tests/node/peers/fakes.hpp"

namespace zwerm::node::peers {
namespace {

using namespace testing;

class swarm {
 public:
  swarm(std::size_t n, std::size_t target) : rng_(99) {
    for (std::size_t i = 0; i < n; ++i) {
      manager_options o = test_options(target, 1000 + i);
      o.backoff_base = 1s;
      o.backoff_cap = 30s;
      nodes_.push_back(std::make_unique<node>(key(static_cast<std::uint8_t>(i + 1)),
                                              "10.0.1." + std::to_string(i + 1) + ":7411", o,
                                              clock_));
    }
    for (std::size_t i = 1; i < n; ++i) {
      EXPECT_TRUE(nodes_[i]->m.add_invite(nodes_[0]->address, nodes_[0]->key).ok());
    }
  }

  void run(milliseconds duration) {
    const time_point end = clock_.now() + duration;
    int step = 0;
    while (clock_.now() < end) {
      std::vector<std::size_t> order(nodes_.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::shuffle(order.begin(), order.end(), rng_);
      for (std::size_t i : order) {
        if (!nodes_[i]->up) continue;
        for (const dial_request& d : nodes_[i]->m.tick()) dial(i, d);
      }
      // Every 10 s a node short of addresses asks one of its peers again.
      if (++step % 100 == 0) {
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
          if (!nodes_[i]->up || !nodes_[i]->m.needs_addresses()) continue;
          auto peers = peers_of(i);
          if (!peers.empty()) exchange(i, peers[rng_() % peers.size()]);
        }
      }
      clock_.advance(100ms);
    }
  }

  void stop(std::size_t i) {
    nodes_[i]->up = false;
    std::vector<std::uint64_t> gone;
    for (const auto& [id, ends] : links_) {
      if (ends.first == i || ends.second == i) gone.push_back(id);
    }
    for (auto id : gone) close(id);
  }

  std::size_t size() const { return nodes_.size(); }
  manager& at(std::size_t i) { return nodes_[i]->m; }
  std::vector<std::size_t> peers_of(std::size_t i) const {
    std::vector<std::size_t> out;
    for (const auto& [id, ends] : links_) {
      if (ends.first == i) out.push_back(ends.second);
      if (ends.second == i) out.push_back(ends.first);
    }
    return out;
  }
  std::size_t outbound_of(std::size_t i) const {
    return static_cast<std::size_t>(std::count_if(
        links_.begin(), links_.end(), [&](const auto& l) { return l.second.first == i; }));
  }
  // Nodes reachable from `from` over the links (up nodes only).
  std::size_t reachable_from(std::size_t from) const {
    std::set<std::size_t> seen{from};
    std::queue<std::size_t> todo;
    todo.push(from);
    while (!todo.empty()) {
      const std::size_t n = todo.front();
      todo.pop();
      for (std::size_t p : peers_of(n)) {
        if (seen.insert(p).second) todo.push(p);
      }
    }
    return seen.size();
  }
  std::size_t duplicate_pairs() const {
    std::set<std::pair<std::size_t, std::size_t>> pairs;
    std::size_t dups = 0;
    for (const auto& [id, ends] : links_) {
      auto p = std::minmax(ends.first, ends.second);
      if (!pairs.insert(p).second) ++dups;
    }
    return dups;
  }

 private:
  struct node {
    node(member_id k, std::string a, manager_options o, const clock& c)
        : key(k), address(std::move(a)), m(k, o, c) {
      m.mark_self(address);
    }
    member_id key;
    std::string address;
    manager m;
    bool up = true;
  };

  std::size_t by_address(const std::string& a) const {
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i]->address == a) return i;
    }
    return nodes_.size();
  }

  void dial(std::size_t from, const dial_request& d) {
    const std::size_t to = by_address(d.address);
    if (to == nodes_.size() || !nodes_[to]->up || nodes_[to]->key != d.key) {
      nodes_[from]->m.dial_failed(d.address, dial_failure::unreachable);
      return;
    }
    const std::uint64_t id = ++next_id_;
    links_[id] = {from, to};
    const connect_decision a =
        nodes_[from]->m.connected_outbound(connection_id{id}, d.address, nodes_[to]->key);
    const connect_decision b =
        nodes_[to]->m.connected_inbound(connection_id{id}, nodes_[from]->key);
    // A connection either end refuses or replaces is closed for both.
    for (const auto& dec : {a, b}) {
      if (dec.close) close(static_cast<std::uint64_t>(*dec.close));
    }
    if (!a.keep || !b.keep) {
      close(id);
      return;
    }
    if (nodes_[from]->m.needs_addresses()) exchange(from, to);
    if (nodes_[to]->m.needs_addresses()) exchange(to, from);
  }

  // `asker` sends peers_request to `answerer`; the answer is its advertised address and its
  // shareable() list.
  void exchange(std::size_t asker, std::size_t answerer) {
    std::vector<sync::peer_address> answer{{nodes_[answerer]->key, nodes_[answerer]->address}};
    for (auto& p : nodes_[answerer]->m.shareable()) {
      if (answer.size() >= 64) break;
      answer.push_back(std::move(p));
    }
    (void)nodes_[asker]->m.learn_from_exchange(answer);
  }

  void close(std::uint64_t id) {
    auto it = links_.find(id);
    if (it == links_.end()) return;
    const auto [a, b] = it->second;
    links_.erase(it);
    nodes_[a]->m.disconnected(connection_id{id});
    nodes_[b]->m.disconnected(connection_id{id});
  }

  fake_clock clock_;
  std::mt19937_64 rng_;
  std::vector<std::unique_ptr<node>> nodes_;
  std::map<std::uint64_t, std::pair<std::size_t, std::size_t>> links_;  // id → (dialer, listener)
  std::uint64_t next_id_ = 0;
};

TEST(PeerSwarm, ThirtyTwoNodesFromOneSeedFillTheirTargetsAndSurviveTheSeedLeaving) {
  constexpr std::size_t n = 32, target = 6;
  swarm s(n, target);
  s.run(120s);
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(s.at(i).connection_count(), s.peers_of(i).size()) << "node " << i;
    EXPECT_GE(s.at(i).connection_count(), target) << "node " << i;
    EXPECT_LE(s.outbound_of(i), target) << "node " << i << " dialed beyond its target";
  }
  EXPECT_EQ(s.duplicate_pairs(), 0u);
  EXPECT_EQ(s.reachable_from(0), n);

  // The seed leaves. Everyone learned enough addresses to refill from the others.
  s.stop(0);
  s.run(120s);
  for (std::size_t i = 1; i < n; ++i) {
    EXPECT_EQ(s.at(i).connection_count(), s.peers_of(i).size()) << "node " << i;
    EXPECT_GE(s.at(i).connection_count(), target) << "node " << i;
    EXPECT_LE(s.outbound_of(i), target) << "node " << i;
    EXPECT_FALSE(s.at(i).is_connected(key(1)));
  }
  EXPECT_EQ(s.duplicate_pairs(), 0u);
  EXPECT_EQ(s.reachable_from(1), n - 1) << "the swarm stays in one piece without its seed";
}

}  // namespace
}  // namespace zwerm::node::peers
