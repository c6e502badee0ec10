#include "tests/node/sync/sim.hpp"

#include <stdexcept>

#include "crypto/box_stream.hpp"
#include "net/message_codec.hpp"

namespace zwerm::sim {

std::uint64_t wire_bytes(std::size_t message_size) {
  const std::size_t plain = message_size + net::message_header_size;
  const std::size_t boxes = (plain + crypto::box_max_body - 1) / crypto::box_max_body;
  return plain + boxes * crypto::box_header_size;
}

std::string padded_body(std::size_t size, std::uint64_t n) {
  return "{\"n\":" + std::to_string(n) + ",\"text\":\"" + std::string(size, 'z') + "\"}";
}

std::uint64_t engine_seed(std::uint64_t seed, std::size_t index, std::uint64_t starts) {
  // The first engine keeps the seed it always had; a restarted one gets another.
  const std::uint64_t s = seed * 1'000'003 + index + 1 + starts * 0x9E3779B97F4A7C15ULL;
  return s == 0 ? 1 : s;
}

std::vector<sync::record_key> write_local(sync::memory_replica& replica, sync::engine& engine,
                                          const std::vector<std::string>& records) {
  auto rep = replica.ingest(records);
  if (!rep) throw std::runtime_error(rep.error().message());
  for (const auto& o : rep->outcomes) {
    if (o.outcome != sync::ingest_outcome::stored && o.outcome != sync::ingest_outcome::pending) {
      throw std::runtime_error(std::string("local write refused: ") + o.reason);
    }
  }
  engine.records_written(rep->appended);
  return rep->appended;
}

community_maker community_maker::make() {
  community_maker m;
  m.founder = crypto::generate_key_pair();
  auto g = node::write_genesis(
      R"({"name":"sim","purpose":"sync tests","policy":{"invite_by":"member","quorum_pct":50}})", 1,
      m.founder);
  if (!g) throw std::runtime_error("genesis: " + g.error().message());
  m.genesis = std::move(*g);
  return m;
}

forked_feed forked_feed::make(const node::record& genesis, std::uint64_t fork_seq,
                              std::uint64_t last) {
  forked_feed f;
  f.key = crypto::generate_key_pair();
  node::feed_writer side_a(f.key, genesis.community, std::nullopt, genesis.lamport);
  std::optional<node::feed_writer> side_b;
  auto keep = [](result<node::record> r) {
    if (!r) throw std::runtime_error("forked feed: " + r.error().message());
    return std::move(*r);
  };
  for (std::uint64_t seq = 1; seq <= last; ++seq) {
    const auto ts = static_cast<std::int64_t>(seq);
    if (seq == fork_seq) {
      side_b = side_a;
      f.b = keep(side_b->append("note", R"({"side":"b"})", ts));
      f.side_a.push_back(keep(side_a.append("note", R"({"side":"a"})", ts)));
    } else {
      f.side_a.push_back(keep(side_a.append("note", "{\"n\":" + std::to_string(seq) + "}", ts)));
    }
  }
  return f;
}

crypto::key_pair seeded_key(std::uint64_t seed, std::uint64_t n) {
  // splitmix64 over (seed, n) fills the 32 seed bytes.
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ULL ^ (n + 0x632BE59BD9B4E019ULL);
  crypto::seed s;
  for (std::size_t i = 0; i < s.bytes.size(); ++i) {
    if (i % 8 == 0) {
      x += 0x9E3779B97F4A7C15ULL;
      std::uint64_t z = x;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      x = z ^ (z >> 31);
    }
    s.bytes[i] = static_cast<std::uint8_t>(x >> (8 * (i % 8)));
  }
  return crypto::key_pair_from_seed(s);
}

community_maker community_maker::make(std::uint64_t seed) {
  community_maker m;
  m.founder = seeded_key(seed, 0xF0F0F0F0);
  auto g = node::write_genesis(
      R"({"name":"sim","purpose":"sync tests","policy":{"invite_by":"member","quorum_pct":50}})", 1,
      m.founder);
  if (!g) throw std::runtime_error("genesis: " + g.error().message());
  m.genesis = std::move(*g);
  return m;
}

std::vector<std::string> community_maker::feed(std::size_t count, std::size_t size,
                                               const crypto::key_pair& author) const {
  std::vector<std::string> out;
  out.reserve(count);
  node::feed_writer w(author, genesis.community, std::nullopt, genesis.lamport);
  // Padding is measured on the first two records (seq 1 has prev null, later ones a 43-byte
  // id) by writing them once unpadded; later records reuse the second record's padding.
  std::size_t pad = 0;
  for (std::size_t i = 0; i < count; ++i) {
    auto ts = 1000 + static_cast<std::int64_t>(i);
    auto saved = w;
    auto r = w.append("note", padded_body(i < 2 ? 0 : pad, i), ts);
    if (!r) throw std::runtime_error("append: " + r.error().message());
    if (i < 2 && r->bytes.size() < size) {
      pad = size - r->bytes.size();
      w = saved;
      r = w.append("note", padded_body(pad, i), ts);
      if (!r) throw std::runtime_error("append: " + r.error().message());
    }
    out.push_back(std::move(r->bytes));
  }
  return out;
}

struct network::sink_impl final : sync::message_sink {
  network* net = nullptr;
  std::size_t link = 0;
  int dir = 0;
  void send(std::string message) override { net->send(link, dir, std::move(message)); }
};

struct network::node_state {
  crypto::key_pair key;
  std::unique_ptr<sync::memory_replica> replica;
  std::unique_ptr<sync::engine> engine;
  std::map<sync::session_id, std::size_t> links;  // session → link
  std::uint8_t max_version = sync::max_protocol_version;
  std::uint64_t starts = 0;  // engines built so far (restarts + 1)
};

struct network::link_state {
  std::size_t node[2] = {0, 0};
  sync::session_id session[2] = {0, 0};
  bool up = false;
  std::uint64_t last_at[2] = {0, 0};
  link_stats stats[2];
  sink_impl sink[2];
};

network::network(const community_id& community, options opts)
    : community_(community), opts_(opts), rng_(opts.seed) {}

network::~network() = default;

std::size_t network::add_node(std::uint8_t max_version) {
  auto n = std::make_unique<node_state>();
  const std::size_t index = nodes_.size();
  n->key = opts_.keys_from_seed ? seeded_key(opts_.seed, index) : crypto::generate_key_pair();
  n->replica = std::make_unique<sync::memory_replica>(community_);
  n->max_version = max_version;
  nodes_.push_back(std::move(n));
  make_engine(index, max_version);
  return index;
}

void network::make_engine(std::size_t index, std::uint8_t max_version) {
  auto& n = *nodes_[index];
  auto engine_opts = opts_.engine;
  engine_opts.seed = engine_seed(opts_.seed, index, n.starts);
  engine_opts.max_version = max_version;
  ++n.starts;
  sync::engine_callbacks cbs;
  cbs.on_misbehaviour = [this, index](sync::session_id s, const crypto::public_key& peer,
                                      const sync::misbehaviour& m) {
    bad_.push_back({index, peer, m});
    if (m.kind == sync::misbehaviour_kind::forked) return;  // marked, not banned
    auto& links = nodes_[index]->links;
    if (auto it = links.find(s); it != links.end()) disconnect(it->second);
  };
  cbs.on_local_error = [](sync::session_id, const status& st) {
    throw std::runtime_error("local replica error: " + st.message());
  };
  cbs.on_appended = [this, index](const std::vector<sync::record_key>& keys) {
    if (!on_appended) return;
    for (const auto& k : keys) on_appended(index, k, now_);
  };
  n.engine = std::make_unique<sync::engine>(*n.replica, engine_opts, std::move(cbs));
}

std::size_t network::add_node_with(const std::vector<std::string>& records,
                                   std::uint8_t max_version) {
  auto n = add_node(max_version);
  auto rep = nodes_[n]->replica->ingest(records);
  if (!rep) throw std::runtime_error(rep.error().message());
  for (const auto& o : rep->outcomes) {
    if (o.outcome != sync::ingest_outcome::stored) {
      throw std::runtime_error(std::string("seeding a replica: ") + sync::to_string(o.outcome) +
                               ": " + o.reason);
    }
  }
  return n;
}

sync::memory_replica& network::replica(std::size_t n) {
  return *nodes_.at(n)->replica;
}
sync::engine& network::engine(std::size_t n) {
  return *nodes_.at(n)->engine;
}
const crypto::key_pair& network::key(std::size_t n) const {
  return nodes_.at(n)->key;
}

std::size_t network::connect(std::size_t a, std::size_t b) {
  if (!running(a) || !running(b)) throw std::logic_error("connect: a node is stopped");
  auto l = std::make_unique<link_state>();
  const std::size_t id = links_.size();
  l->node[0] = a;
  l->node[1] = b;
  l->up = true;
  for (int d = 0; d < 2; ++d) {
    l->sink[d].net = this;
    l->sink[d].link = id;
    l->sink[d].dir = d;
  }
  auto* raw = l.get();
  links_.push_back(std::move(l));
  // Register both sessions before either sends, so replies find their way.
  raw->session[0] = nodes_[a]->engine->attach(nodes_[b]->key.pk, true, raw->sink[0]);
  nodes_[a]->links[raw->session[0]] = id;
  raw->session[1] = nodes_[b]->engine->attach(nodes_[a]->key.pk, false, raw->sink[1]);
  nodes_[b]->links[raw->session[1]] = id;
  return id;
}

void network::disconnect(std::size_t link) {
  auto& l = *links_.at(link);
  if (!l.up) return;
  l.up = false;
  for (int d = 0; d < 2; ++d) {
    auto& n = *nodes_[l.node[d]];
    n.links.erase(l.session[d]);
    n.engine->detach(l.session[d]);
  }
}

void network::kill_node_sessions(std::size_t n) {
  for (std::size_t i = 0; i < links_.size(); ++i) {
    auto& l = *links_[i];
    if (l.up && (l.node[0] == n || l.node[1] == n)) disconnect(i);
  }
}

bool network::connected(std::size_t link) const {
  return links_.at(link)->up;
}

std::pair<std::size_t, std::size_t> network::link_ends(std::size_t link) const {
  const auto& l = *links_.at(link);
  return {l.node[0], l.node[1]};
}

std::optional<std::size_t> network::dial(std::size_t a, std::size_t b) {
  if (!running(a) || !running(b) || !reachable(a, b)) return std::nullopt;
  return connect(a, b);
}

void network::stop_node(std::size_t n) {
  if (!running(n)) return;
  kill_node_sessions(n);
  nodes_.at(n)->engine.reset();
}

void network::start_node(std::size_t n) {
  if (running(n)) return;
  make_engine(n, nodes_.at(n)->max_version);
}

void network::wipe_node(std::size_t n) {
  stop_node(n);
  nodes_.at(n)->replica = std::make_unique<sync::memory_replica>(community_);
}

bool network::running(std::size_t n) const {
  return nodes_.at(n)->engine != nullptr;
}

void network::partition(std::vector<int> side) {
  if (side.size() != nodes_.size()) throw std::logic_error("partition: one side per node");
  side_ = std::move(side);
  for (std::size_t i = 0; i < links_.size(); ++i) {
    const auto& l = *links_[i];
    if (l.up && !reachable(l.node[0], l.node[1])) disconnect(i);
  }
}

void network::heal() {
  side_.clear();
}

bool network::reachable(std::size_t a, std::size_t b) const {
  return side_.empty() || side_.at(a) == side_.at(b);
}

void network::write(std::size_t n, const std::vector<std::string>& records) {
  if (!running(n)) throw std::logic_error("write: the node is stopped");
  const auto appended = write_local(*nodes_.at(n)->replica, *nodes_[n]->engine, records);
  if (on_appended) {
    for (const auto& k : appended) on_appended(n, k, now_);
  }
}

void network::send(std::size_t link, int dir, std::string bytes) {
  auto& l = *links_.at(link);
  if (!l.up) return;
  auto& st = l.stats[dir];
  ++st.messages;
  st.payload_bytes += bytes.size();
  st.wire += wire_bytes(bytes.size());
  std::uniform_int_distribution<std::uint64_t> lat(opts_.latency_min_us, opts_.latency_max_us);
  std::uint64_t at = std::max(now_ + lat(rng_), l.last_at[dir]);
  l.last_at[dir] = at;
  events_.push({at, order_++, link, dir, std::move(bytes)});
}

void network::inject(std::size_t link, std::size_t from, std::string message) {
  auto& l = *links_.at(link);
  send(link, l.node[0] == from ? 0 : 1, std::move(message));
}

void network::trace(const void* data, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    trace_ ^= p[i];
    trace_ *= 1099511628211ULL;  // FNV-1a prime
  }
}

void network::deliver(const event& e) {
  auto& l = *links_[e.link];
  if (!l.up) return;
  const int to = 1 - e.dir;
  ++delivered_;
  const std::uint64_t head[4] = {e.at, e.link, static_cast<std::uint64_t>(e.dir), e.bytes.size()};
  trace(head, sizeof head);
  trace(e.bytes.data(), e.bytes.size());
  nodes_[l.node[to]]->engine->on_message(l.session[to], e.bytes);
}

std::uint64_t network::run(std::uint64_t max_events) {
  std::uint64_t n = 0;
  while (!events_.empty() && n < max_events) {
    event e = events_.top();
    events_.pop();
    now_ = std::max(now_, e.at);
    deliver(e);
    ++n;
  }
  return n;
}

void network::run_until(std::uint64_t until_us) {
  while (!events_.empty() && events_.top().at <= until_us) {
    event e = events_.top();
    events_.pop();
    now_ = std::max(now_, e.at);
    deliver(e);
  }
  now_ = std::max(now_, until_us);
}

void network::anti_entropy_round() {
  for (auto& n : nodes_) {
    if (n->engine) (void)n->engine->anti_entropy();
  }
}

const link_stats& network::stats(std::size_t link, int dir) const {
  return links_.at(link)->stats[dir];
}

link_stats network::total() const {
  link_stats t;
  for (const auto& l : links_) {
    for (const auto& s : l->stats) {
      t.messages += s.messages;
      t.payload_bytes += s.payload_bytes;
      t.wire += s.wire;
    }
  }
  return t;
}

}  // namespace zwerm::sim
