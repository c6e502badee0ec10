// Many managers in one simulated network (no sockets, a fake clock): every node knows only a
// seed node from its invite and learns the others by peer exchange, as zwermd does (it asks
// for addresses when a connection opens and it is short of candidates, and answers with its
// own advertised address plus shareable()). Nodes flush to their own book every 10 s and come
// back from it after a crash. Checks that the swarm fills its targets, that both ends of every
// connection agree on it, and that it stays in one piece when the seed leaves and under churn.
// ZWERM_SOAK=1 runs a larger, longer churn.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <set>

#include "node/peers/manager.hpp"
#include "tests/node/peers/fakes.hpp"

namespace zwerm::node::peers {
namespace {

using namespace testing;

member_id sim_key(std::size_t i) {
  member_id k;
  k.bytes.fill(0x33);
  k.bytes[0] = static_cast<std::uint8_t>(i >> 8);
  k.bytes[1] = static_cast<std::uint8_t>(i & 0xff);
  return k;
}

class swarm {
 public:
  swarm(std::size_t n, std::size_t target) : rng_(99) {
    for (std::size_t i = 0; i < n; ++i) {
      auto nd = std::make_unique<node>();
      nd->key = sim_key(i);
      nd->address = "node-" + std::to_string(i) + ".sim:7411";
      nd->options = test_options(target, 1000 + i);
      nd->options.backoff_base = 1s;
      nd->options.backoff_cap = 30s;
      index_[nd->address] = i;
      nodes_.push_back(std::move(nd));
    }
    for (std::size_t i = 0; i < n; ++i) boot(i);
  }

  void run(milliseconds duration) {
    const time_point end = clock_.now() + duration;
    while (clock_.now() < end) step();
  }

  // Like run(), but every `every` one random node other than the seed crashes or comes back.
  void churn(milliseconds duration, milliseconds every) {
    const time_point end = clock_.now() + duration;
    time_point next = clock_.now() + every;
    while (clock_.now() < end) {
      if (clock_.now() >= next) {
        next += every;
        const std::size_t i = 1 + rng_() % (nodes_.size() - 1);
        if (nodes_[i]->m) {
          crash(i);
        } else {
          boot(i);
        }
      }
      step();
    }
  }

  // Stops the node without a final flush: it comes back from what its book last held.
  void crash(std::size_t i) {
    std::vector<std::uint64_t> gone;
    for (const auto& [id, ends] : links_) {
      if (ends.first == i || ends.second == i) gone.push_back(id);
    }
    for (auto id : gone) close(id);
    nodes_[i]->m.reset();
  }

  void boot(std::size_t i) {
    node& nd = *nodes_[i];
    nd.m = std::make_unique<manager>(nd.key, nd.options, clock_, &nd.book);
    EXPECT_TRUE(nd.m->restore().ok());
    nd.m->mark_self(nd.address);
    if (i != 0) {
      EXPECT_TRUE(nd.m->add_invite(nodes_[0]->address, nodes_[0]->key).ok());
    }
  }
  void boot_all_down() {
    for (std::size_t i = 1; i < nodes_.size(); ++i) {
      if (!nodes_[i]->m) boot(i);
    }
  }

  std::size_t size() const { return nodes_.size(); }
  bool up(std::size_t i) const { return nodes_[i]->m != nullptr; }
  manager& at(std::size_t i) { return *nodes_[i]->m; }
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
  // Nodes reachable from `from` over the links.
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
      if (!pairs.insert(std::minmax(ends.first, ends.second)).second) ++dups;
    }
    return dups;
  }

  // The checks every settled swarm must pass; `skip` is a node that is down for good.
  void expect_settled(std::size_t target, std::optional<std::size_t> skip = std::nullopt) {
    std::size_t alive = 0;
    for (std::size_t i = 0; i < size(); ++i) {
      if (!up(i)) continue;
      ++alive;
      EXPECT_EQ(at(i).connection_count(), peers_of(i).size()) << "node " << i;
      EXPECT_GE(at(i).connection_count(), target) << "node " << i;
      EXPECT_LE(outbound_of(i), target) << "node " << i << " dialed beyond its target";
      if (skip) {
        EXPECT_FALSE(at(i).is_connected(sim_key(*skip))) << "node " << i;
      }
    }
    EXPECT_EQ(duplicate_pairs(), 0u);
    const std::size_t start = skip == std::size_t{0} ? 1 : 0;
    EXPECT_EQ(reachable_from(start), alive) << "the swarm is in one piece";
  }

 private:
  struct node {
    member_id key;
    std::string address;
    manager_options options;
    memory_book book;
    std::unique_ptr<manager> m;  // null while the node is down
  };

  void step() {
    std::vector<std::size_t> order(nodes_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng_);
    for (std::size_t i : order) {
      if (!up(i)) continue;
      for (const dial_request& d : at(i).tick()) dial(i, d);
    }
    // Every 10 s: flush, and a node short of addresses asks one of its peers again.
    if (++steps_ % 100 == 0) {
      for (std::size_t i = 0; i < nodes_.size(); ++i) {
        if (!up(i)) continue;
        EXPECT_TRUE(at(i).flush().ok());
        if (!at(i).needs_addresses()) continue;
        auto peers = peers_of(i);
        if (!peers.empty()) exchange(i, peers[rng_() % peers.size()]);
      }
    }
    clock_.advance(100ms);
  }

  void dial(std::size_t from, const dial_request& d) {
    auto it = index_.find(d.address);
    if (it == index_.end() || !up(it->second) || nodes_[it->second]->key != d.key) {
      at(from).dial_failed(d.address, dial_failure::unreachable);
      return;
    }
    const std::size_t to = it->second;
    const std::uint64_t id = ++next_id_;
    links_[id] = {from, to};
    const connect_decision a =
        at(from).connected_outbound(connection_id{id}, d.address, nodes_[to]->key);
    const connect_decision b = at(to).connected_inbound(connection_id{id}, nodes_[from]->key);
    // A connection either end refuses or replaces is closed for both.
    for (const auto& dec : {a, b}) {
      if (dec.close) close(static_cast<std::uint64_t>(*dec.close));
    }
    if (!a.keep || !b.keep) {
      close(id);
      return;
    }
    if (at(from).needs_addresses()) exchange(from, to);
    if (at(to).needs_addresses()) exchange(to, from);
  }

  // `asker` sends peers_request to `answerer`; the answer is its advertised address and its
  // shareable() list.
  void exchange(std::size_t asker, std::size_t answerer) {
    std::vector<keyed_address> answer{{nodes_[answerer]->key, nodes_[answerer]->address}};
    for (auto& p : at(answerer).shareable()) {
      if (answer.size() >= 64) break;  // the sync `peers` message holds at most 64
      answer.push_back(std::move(p));
    }
    (void)at(asker).learn_from_exchange(answer);
  }

  void close(std::uint64_t id) {
    auto it = links_.find(id);
    if (it == links_.end()) return;
    const auto [a, b] = it->second;
    links_.erase(it);
    if (up(a)) at(a).disconnected(connection_id{id});
    if (up(b)) at(b).disconnected(connection_id{id});
  }

  fake_clock clock_;
  std::mt19937_64 rng_;
  std::vector<std::unique_ptr<node>> nodes_;
  std::map<std::string, std::size_t> index_;
  std::map<std::uint64_t, std::pair<std::size_t, std::size_t>> links_;  // id → (dialer, listener)
  std::uint64_t next_id_ = 0;
  std::uint64_t steps_ = 0;
};

bool soak() {
  const char* v = std::getenv("ZWERM_SOAK");
  return v != nullptr && std::string(v) == "1";
}

TEST(PeerSwarm, ThirtyTwoNodesFromOneSeedFillTheirTargetsAndSurviveTheSeedLeaving) {
  constexpr std::size_t target = 6;
  swarm s(32, target);
  s.run(120s);
  s.expect_settled(target);

  // The seed leaves. Everyone learned enough addresses to refill from the others.
  s.crash(0);
  s.run(120s);
  s.expect_settled(target, 0);
}

// Nodes crash and come back (from their books) while the seed is gone; once churn stops every
// node refills from what it learned and the swarm is one piece again.
TEST(PeerSwarm, ChurnWithoutTheSeedSettlesIntoOnePiece) {
  constexpr std::size_t target = 6;
  const std::size_t n = soak() ? 256 : 48;
  swarm s(n, target);
  s.run(120s);
  s.expect_settled(target);
  s.crash(0);
  s.churn(soak() ? 1800s : 180s, 2s);
  s.boot_all_down();
  s.run(120s);
  s.expect_settled(target, 0);
}

}  // namespace
}  // namespace zwerm::node::peers
