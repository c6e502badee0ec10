// session_network (session_sim.hpp): the processes of its nodes, the in-memory wires between
// them and the faults on those wires.
#include "tests/node/sync/session_sim.hpp"

#include <algorithm>
#include <stdexcept>

#include "crypto/shs.hpp"
#include "net/dialer.hpp"
#include "net/listener.hpp"
#include "net/memory_stream.hpp"
#include "tests/node/sync/sim.hpp"

namespace zwerm::sim {

namespace asio = net::asio;

namespace {

constexpr std::uint16_t listen_port = 7000;

net::tcp::endpoint node_address(std::size_t n, std::uint16_t port) {
  // 10.0.x.y: node n + 1 in the two low bytes.
  const auto host = static_cast<std::uint16_t>(n + 1);
  return net::tcp::endpoint(
      asio::ip::make_address_v4(asio::ip::address_v4::bytes_type{
          10, 0, static_cast<std::uint8_t>(host >> 8), static_cast<std::uint8_t>(host & 0xFF)}),
      port);
}

}  // namespace

// One connection: its two memory_stream ends while they exist, which node holds each, and the
// server end while no listener took it (a dial across a partition reaches nobody).
struct session_network::wire {
  std::size_t node[2] = {0, 0};  // 0: the dialer, 1: the listener
  net::memory_stream* end[2] = {nullptr, nullptr};
  std::uint16_t client_port = 0;
  std::unique_ptr<net::stream> unaccepted;
  bool frozen = false;
  std::size_t received[2] = {0, 0};  // bytes each end has read

  net::memory_stream* any_end() const { return end[0] ? end[0] : end[1]; }
};

// A memory_stream that tells its wire when it is gone (a session destroys its stream when it
// ends), so that faults reach only ends that exist.
class session_network::tracked_stream final : public net::stream {
 public:
  tracked_stream(std::unique_ptr<net::memory_stream> inner, std::shared_ptr<wire> w, int side)
      : inner_(std::move(inner)), wire_(std::move(w)), side_(side) {
    wire_->end[side_] = inner_.get();
  }
  ~tracked_stream() override { wire_->end[side_] = nullptr; }

  executor_type get_executor() override { return inner_->get_executor(); }
  net::awaitable<connect_failure> connect(std::string host, std::uint16_t port) override {
    return inner_->connect(std::move(host), port);
  }
  void close() override { inner_->close(); }
  void shutdown_send() override { inner_->shutdown_send(); }
  bool is_open() const override { return inner_->is_open(); }
  net::tcp::endpoint remote_endpoint() const override { return inner_->remote_endpoint(); }

 protected:
  void start_read_some(asio::mutable_buffer buffer, io_handler handler) override {
    inner_->async_read_some(buffer, [w = wire_, side = side_, h = std::move(handler)](
                                        net::error_code ec, std::size_t n) mutable {
      w->received[side] += n;
      std::move(h)(ec, n);
    });
  }
  void start_write_some(asio::const_buffer buffer, io_handler handler) override {
    inner_->async_write_some(buffer, std::move(handler));
  }

 private:
  std::unique_ptr<net::memory_stream> inner_;
  std::shared_ptr<wire> wire_;
  int side_;
};

// Outgoing sync messages of one session, as zwermd's: a full send queue closes the session.
class session_sink final : public sync::message_sink {
 public:
  explicit session_sink(const net::session_ptr& s) : s_(s) {}
  void send(std::string message) override {
    if (auto s = s_.lock()) s->send(std::move(message));
  }

 private:
  std::weak_ptr<net::session> s_;
};

// A running node: what a killed process loses. Its handler methods do nothing once it is
// stopped (sessions of a dead process may still be ending).
struct session_network::process final : net::session_handler, net::authorizer {
  struct link {
    net::session_ptr session;
    sync::session_id sid = 0;
    std::size_t peer = 0;
    std::unique_ptr<session_sink> sink;
  };

  session_network* net = nullptr;
  std::size_t node = 0;
  bool alive = true;
  std::unique_ptr<sync::engine> engine;
  std::shared_ptr<net::listener> inbound;
  // Inbound handshakes a partition froze before the client's msg1 was complete: each may end
  // at the server's hello deadline, which bans the client's address (PROTOCOL.md §4.3.5)
  // though the client is honest. Frozen after msg1, a handshake's deadline is a light offence.
  std::size_t frozen_before_hello = 0;
  std::unique_ptr<net::dialer> outbound;
  std::map<std::uint64_t, link> links;  // by net::session::id()

  link* find(sync::session_id sid) {
    for (auto& [id, l] : links)
      if (l.sid == sid) return &l;
    return nullptr;
  }

  net::admission authorize(const crypto::network_key&, const crypto::public_key& client) override {
    // Every node is a member; nobody else is.
    return net->by_key_.count(client) ? net::admission::accept : net::admission::reject;
  }
  bool check_token(const crypto::network_key&, const crypto::public_key&,
                   std::string_view) override {
    return false;
  }

  void on_connected(const net::session_ptr& s) override {
    if (!alive) {
      s->abort({net::close_reason::local_close, "the process is stopped", {}, {}});
      return;
    }
    link l;
    l.session = s;
    l.peer = net->index_of(s->remote_key());
    l.sink = std::make_unique<session_sink>(s);
    auto* sink = l.sink.get();
    net->trace_session(node, l.peer, true, s->role() == net::session::side::client ? 1 : 0);
    auto [it, inserted] = links.emplace(s->id(), std::move(l));
    it->second.sid =
        engine->attach(s->remote_key(), s->role() == net::session::side::client, *sink);
  }
  void on_message(const net::session_ptr& s, std::string_view message) override {
    if (!alive) return;
    auto it = links.find(s->id());
    if (it == links.end()) return;
    net->trace_message(node, it->second.peer, message);
    engine->on_message(it->second.sid, message);
  }
  void on_closed(const net::session_ptr& s, const net::disconnect_info& why) override {
    if (!alive) return;
    auto it = links.find(s->id());
    if (it == links.end()) return;
    ++net->ended_[why.reason];
    net->trace_session(node, it->second.peer, false, static_cast<std::uint64_t>(why.reason));
    if (why.misbehaviour()) {
      net->accusations_.push_back(
          "node " + std::to_string(node) + " closed its session with node " +
          std::to_string(it->second.peer) + " for misbehaviour: " + why.describe());
    }
    const sync::session_id sid = it->second.sid;
    links.erase(it);
    engine->detach(sid);
  }
};

struct session_network::node_state {
  crypto::key_pair key;
  std::unique_ptr<sync::memory_replica> replica;
  std::unique_ptr<process> current;  // null while stopped
  std::uint64_t starts = 0;
};

net::session_options session_network::quick_sessions() {
  using namespace std::chrono_literals;
  net::session_options o;
  o.hello_timeout = 1s;
  o.handshake_timeout = 3s;
  o.admission_timeout = 3s;
  o.keepalive_interval = 1s;
  o.keepalive_timeout = 6s;
  o.close_timeout = 2s;
  return o;
}

session_network::session_network(const std::string& genesis_bytes, const community_id& community,
                                 std::size_t nodes, options opts)
    : opts_(std::move(opts)), community_(community), genesis_(genesis_bytes) {
  opts_.session.virtual_time = &clock_;
  start_ = clock_.now();
  for (std::size_t i = 0; i < network_.bytes.size(); ++i) {
    network_.bytes[i] = static_cast<std::uint8_t>(opts_.seed >> (8 * (i % 8)));
  }
  for (std::size_t i = 0; i < nodes; ++i) {
    by_host_[node_address(i, listen_port).address().to_string()] = i;
    auto n = std::make_unique<node_state>();
    n->key = seeded_key(opts_.seed, i);
    by_key_[n->key.pk] = i;
    nodes_.push_back(std::move(n));
    fresh_replica(i);
  }
  for (std::size_t i = 0; i < nodes; ++i) start_node(i);
}

session_network::~session_network() {
  // Every process dies and every stream ends; then the sessions finish (their close and
  // handshake deadlines pass) before the io_context and the clock go.
  heal();
  for (std::size_t i = 0; i < nodes_.size(); ++i) stop_node(i);
  for (int k = 0; k < 20; ++k) step(std::chrono::seconds(1), SIZE_MAX);
  retired_.clear();
  wires_.clear();
  settle();
}

const crypto::key_pair& session_network::key(std::size_t n) const {
  return nodes_.at(n)->key;
}
const sync::memory_replica& session_network::replica(std::size_t n) const {
  return *nodes_.at(n)->replica;
}
bool session_network::running(std::size_t n) const {
  return nodes_.at(n)->current != nullptr;
}
std::size_t session_network::index_of(const crypto::public_key& k) const {
  return by_key_.at(k);
}

void session_network::start_node(std::size_t n) {
  auto& node = *nodes_.at(n);
  if (node.current) return;
  auto p = std::make_unique<process>();
  p->net = this;
  p->node = n;
  auto engine_opts = opts_.engine;
  if (opts_.tune_engine) opts_.tune_engine(n, engine_opts);
  engine_opts.seed = engine_seed(opts_.seed, n, node.starts++);
  process* raw = p.get();
  sync::engine_callbacks cbs;
  cbs.on_misbehaviour = [this, raw](sync::session_id sid, const crypto::public_key& peer,
                                    const sync::misbehaviour& m) {
    accusations_.push_back("node " + std::to_string(raw->node) + " accused node " +
                           std::to_string(index_of(peer)) + " (" + sync::to_string(m.kind) +
                           "): " + m.reason);
    if (m.kind == sync::misbehaviour_kind::forked) return;  // marked, not banned
    if (auto* l = raw->find(sid)) l->session->close();
  };
  cbs.on_local_error = [](sync::session_id, const status& st) {
    throw std::runtime_error("local replica error: " + st.message());
  };
  p->engine = std::make_unique<sync::engine>(*node.replica, engine_opts, std::move(cbs));
  net::listener_options lo;
  lo.session = opts_.session;
  p->inbound =
      net::listener::create_unbound(io_.get_executor(), node.key, {network_}, *p, *p, lo, clock_);
  p->outbound =
      std::make_unique<net::dialer>(io_.get_executor(), node.key, *p, opts_.session,
                                    [this, n](const net::dial_target& t) { return connect(n, t); });
  node.current = std::move(p);
}

void session_network::stop_node(std::size_t n) {
  auto& node = *nodes_.at(n);
  if (!node.current) return;
  process& p = *node.current;
  p.alive = false;
  // As the operating system closes a killed process's sockets: every end of this node, in the
  // order the connections were made (what was written and not read is lost).
  for (auto& w : wires_) {
    for (int side = 0; side < 2; ++side) {
      if (w->node[side] != n) continue;
      if (w->end[side]) w->end[side]->close();
      if (side == 1) w->unaccepted.reset();
    }
  }
  count_bans(p);
  // Without listener::stop() and dialer::stop(): their sessions end by their closed streams,
  // in the order above (stop() would close them in the order of a hash table).
  p.engine.reset();  // before the sinks it borrows
  p.links.clear();
  p.inbound.reset();
  for (auto& e : edges_) {
    if (e.a == n) {
      e.dialing = false;
      ++e.attempt;
    }
  }
  retired_.push_back(std::move(node.current));
}

void session_network::wipe_node(std::size_t n) {
  stop_node(n);
  fresh_replica(n);
}

void session_network::fresh_replica(std::size_t n) {
  auto& replica = nodes_.at(n)->replica;
  replica = std::make_unique<sync::memory_replica>(community_);
  auto rep = replica->ingest({genesis_});
  if (!rep || rep->outcomes.at(0).outcome != sync::ingest_outcome::stored) {
    throw std::runtime_error("session_network: the genesis was not stored");
  }
}

std::optional<std::string> session_network::unexplained_bans(const process& p) const {
  const std::size_t bans = p.inbound ? p.inbound->stats().bans : 0;
  if (bans <= p.frozen_before_hello) return std::nullopt;
  return "node " + std::to_string(p.node) + "'s listener banned an address " +
         std::to_string(bans) + " times (" + std::to_string(p.frozen_before_hello) +
         " of its inbound handshakes were frozen by a partition before the client's msg1)";
}

void session_network::count_bans(const process& p) {
  if (auto why = unexplained_bans(p)) accusations_.push_back(*why);
  if (p.inbound) bans_ += p.inbound->stats().bans;
}

std::size_t session_network::add_edge(std::size_t a, std::size_t b) {
  edges_.push_back({a, b, false, 0, {}});
  return edges_.size() - 1;
}

bool session_network::edge_up(std::size_t e) const {
  const auto& ed = edges_.at(e);
  if (ed.dialing) return true;
  auto s = ed.session.lock();
  return s && !s->is_closed();
}

void session_network::dial(std::size_t e) {
  auto& ed = edges_.at(e);
  if (edge_up(e) || !running(ed.a)) return;
  ed.dialing = true;
  const std::uint64_t attempt = ++ed.attempt;
  process* p = nodes_[ed.a]->current.get();
  asio::co_spawn(
      io_, [this, e, attempt, p] { return dial_edge(e, attempt, p); },
      [this](std::exception_ptr ex) {
        if (!ex) return;
        try {
          std::rethrow_exception(ex);
        } catch (const std::exception& x) {
          accusations_.push_back(std::string("a dial threw: ") + x.what());
        }
      });
}

net::awaitable<void> session_network::dial_edge(std::size_t e, std::uint64_t attempt, process* p) {
  if (!p->alive) co_return;  // stopped before the dial began (its attempt is void)
  const std::size_t b = edges_[e].b;
  // A named target: GCC 12 destroys a braced temporary in a co_await expression twice.
  net::dial_target target{node_address(b, listen_port).address().to_string(),
                          listen_port,
                          nodes_[b]->key.pk,
                          network_,
                          {}};
  auto r = co_await p->outbound->dial(std::move(target));
  auto& ed = edges_[e];
  if (ed.attempt != attempt) co_return;  // the dialing node stopped meanwhile
  ed.dialing = false;
  if (r) ed.session = *r;
}

bool session_network::reachable(std::size_t a, std::size_t b) const {
  return side_.empty() || side_.at(a) == side_.at(b);
}

std::unique_ptr<net::stream> session_network::connect(std::size_t from,
                                                      const net::dial_target& target) {
  const auto host = by_host_.find(target.host);
  const std::size_t to =
      host != by_host_.end() && target.port == listen_port ? host->second : nodes_.size();
  auto w = std::make_shared<wire>();
  w->node[0] = from;
  w->node[1] = to;
  const auto port = static_cast<std::uint16_t>(40000 + next_port_++ % 20000);
  w->client_port = port;
  auto [client, server] = net::memory_stream::make_pair(
      io_.get_executor(), node_address(from, port), node_address(to, listen_port));
  auto client_end = std::make_unique<tracked_stream>(std::move(client), w, 0);
  auto server_end = std::make_unique<tracked_stream>(std::move(server), w, 1);
  wires_.push_back(w);
  if (to >= nodes_.size() || !running(to)) {
    client_end->close();  // connection refused
    return client_end;
  }
  if (!reachable(from, to)) {
    // Nothing arrives: the dial times out, also when the partition heals meanwhile (the
    // listener never accepted).
    w->frozen = true;
    w->any_end()->freeze();
    w->unaccepted = std::move(server_end);
    return client_end;
  }
  // As an accept would: on a later turn of the executor, by the process running then.
  pending_accepts_.emplace_back(to, std::move(server_end));
  asio::post(io_, [this] { deliver_accept(); });
  return client_end;
}

void session_network::deliver_accept() {
  auto [to, end] = std::move(pending_accepts_.front());
  pending_accepts_.pop_front();
  // A node that stopped meanwhile: the end is destroyed, closed (the dialer reads the end).
  if (auto& p = nodes_[to]->current) p->inbound->accept(std::move(end));
}

bool session_network::drop(std::uint64_t pick) {
  std::vector<wire*> open;
  for (auto& w : wires_)
    if (w->end[0] && w->end[1] && w->end[0]->is_open() && w->end[1]->is_open())
      open.push_back(w.get());
  if (open.empty()) return false;
  wire& w = *open[pick % open.size()];
  w.end[(pick / open.size()) % 2]->close();
  return true;
}

void session_network::partition(std::vector<int> side) {
  if (side.size() != nodes_.size()) throw std::logic_error("partition: one side per node");
  side_ = std::move(side);
  for (auto& w : wires_) {
    if (w->frozen || !w->any_end() || w->node[1] >= nodes_.size()) continue;
    if (reachable(w->node[0], w->node[1])) continue;
    w->frozen = true;
    w->any_end()->freeze();
    const bool accepted = w->end[1] && !w->unaccepted;
    if (accepted && w->received[1] < crypto::shs_msg1_size && running(w->node[1])) {
      ++nodes_[w->node[1]]->current->frozen_before_hello;
    }
  }
}

void session_network::heal() {
  side_.clear();
  for (auto& w : wires_) {
    if (!w->frozen) continue;
    w->frozen = false;
    if (auto* e = w->any_end()) e->thaw();
  }
}

void session_network::write(std::size_t n, const std::vector<std::string>& records) {
  auto& node = *nodes_.at(n);
  if (!node.current) throw std::logic_error("write: the node is stopped");
  (void)write_local(*node.replica, *node.current->engine, records);
}

void session_network::anti_entropy_round() {
  for (auto& n : nodes_) {
    if (n->current) (void)n->current->engine->anti_entropy();
  }
}

void session_network::settle() {
  for (;;) {
    io_.restart();
    if (io_.poll() == 0) return;
  }
}

void session_network::step(std::chrono::microseconds tick, std::size_t budget) {
  for (std::size_t ran = 0; ran < budget; ++ran) {
    if (io_.stopped()) io_.restart();
    if (io_.poll_one() == 0) break;
  }
  clock_.advance(tick);
  prune_wires();
}

void session_network::prune_wires() {
  for (auto& w : wires_) {
    if (!w->end[0]) w->unaccepted.reset();  // the dial it answered ended
  }
  std::erase_if(wires_, [](const std::shared_ptr<wire>& w) { return !w->end[0] && !w->end[1]; });
}

std::uint64_t session_network::now_us() const {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(clock_.now() - start_).count());
}

std::size_t session_network::bans() const {
  std::size_t n = bans_;
  for (const auto& node : nodes_) n += node->current ? node->current->inbound->stats().bans : 0;
  return n;
}

std::size_t session_network::open_sessions() const {
  std::size_t n = 0;
  for (const auto& node : nodes_) {
    if (!node->current) continue;
    for (const auto& [id, l] : node->current->links) n += l.session->is_open() ? 1 : 0;
  }
  return n;
}

std::size_t session_network::frozen_before_hello() const {
  std::size_t n = 0;
  for (const auto& node : nodes_) n += node->current ? node->current->frozen_before_hello : 0;
  return n;
}

std::size_t session_network::handshakes_abandoned() const {
  std::size_t n = 0;
  for (const auto& node : nodes_) {
    if (node->current && node->current->inbound)
      n += node->current->inbound->stats().handshakes_abandoned;
  }
  return n;
}

std::vector<std::string> session_network::accusations() const {
  auto all = accusations_;
  for (const auto& node : nodes_) {
    if (!node->current) continue;
    if (auto why = unexplained_bans(*node->current)) all.push_back(*why);
  }
  return all;
}

void session_network::mix(const void* data, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    trace_ ^= p[i];
    trace_ *= 1099511628211ULL;  // FNV-1a prime
  }
}

void session_network::trace_message(std::size_t to, std::size_t from, std::string_view bytes) {
  ++delivered_;
  const std::uint64_t head[4] = {now_us(), to, from, bytes.size()};
  mix(head, sizeof head);
  mix(bytes.data(), bytes.size());
}

void session_network::trace_session(std::size_t node, std::size_t peer, bool opened,
                                    std::uint64_t reason) {
  const std::uint64_t event[5] = {now_us(), node, peer, opened ? 1U : 0U, reason};
  mix(event, sizeof event);
}

}  // namespace zwerm::sim
