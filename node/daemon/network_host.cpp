#include "node/daemon/network_host.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "crypto/base64url.hpp"
#include "crypto/hash.hpp"
#include "crypto/unix_time.hpp"
#include "node/peers/address.hpp"

namespace zwerm::node {
namespace {

using json = nlohmann::json;
namespace asio = net::asio;

std::string short_id(const crypto::public_key& k) {
  return crypto::to_text(k).substr(0, 8);
}

// Outgoing sync messages of one session. The engine never learns about net/.
class session_sink final : public sync::message_sink {
 public:
  explicit session_sink(const net::session_ptr& s) : s_(s) {}
  void send(std::string message) override {
    // A full send queue closes the session (overflow_policy::disconnect): a peer that does not
    // drain what it asked for is dropped rather than buffered without bound.
    if (auto s = s_.lock()) s->send(std::move(message));
  }

 private:
  std::weak_ptr<net::session> s_;
};

bool is_specific(const std::string& host) {
  return host != "0.0.0.0" && host != "::" && !host.empty();
}

}  // namespace

struct network_host::link {
  net::session_ptr session;
  sync::session_id sid = 0;
  std::unique_ptr<session_sink> sink;
  bool managed = false;  // the peer manager kept it (reported disconnected on close)
  bool paused = false;   // not read: too many of its records wait in the ingest queue
  bool slowed = false;   // not read: over its budget until slow_timer fires
  std::optional<session_budget> budget;
  std::shared_ptr<asio::steady_timer> slow_timer;
};

struct network_host::community_net {
  community_net(asio::any_io_executor ex, const community_id& c, const crypto::network_key& k)
      : id(c), key(k), tick_timer(ex) {}

  community_id id;
  crypto::network_key key;
  std::unique_ptr<sync::store_replica> replica;
  std::unique_ptr<sync::engine> engine;
  std::unique_ptr<peers::store_peer_book> book;
  std::unique_ptr<peers::manager> manager;
  std::vector<peers::address_hint> config_hints;
  std::map<std::uint64_t, link> links;  // by net::session::id()
  asio::steady_timer tick_timer;
  bool tick_posted = false;
  // Joining: the raw invite token presented in every dial until this member is active.
  std::string join_token;
  // Joining (until this member is active): the keys the invite code names, the only
  // non-members this node dials and keeps sessions with.
  bool joining = false;
  std::set<member_id> invite_keys;
  // Who may hold a session now (token bindings).
  admission_book admission;
  join_progress join;
  // Records received from peers by sessions already ended (since start; zwerm status).
  std::uint64_t ended_received = 0, ended_stored = 0, ended_duplicate = 0;
  std::uint64_t ended_bytes_sent = 0, ended_bytes_received = 0;
  // Records sync appended that the community state has not absorbed yet (absorb_queued).
  std::vector<sync::record_key> to_absorb;
  bool absorb_posted = false;
};

network_host::network_host(asio::any_io_executor executor, community_host& host,
                           network_options options)
    : executor_(std::move(executor)),
      host_(host),
      options_(std::move(options)),
      anti_entropy_timer_(executor_),
      flush_timer_(executor_),
      recheck_timer_(executor_),
      scores_(options_.budget) {
  options_.listener.session = options_.session;
  ingest_queue_options io;
  io.verify_threads = std::max<std::size_t>(1, options_.verify_threads);
  ingest_ = std::make_unique<ingest_queue>(host_.store(), io);
}

network_host::~network_host() {
  stop();
  ingest_.reset();  // joins its threads: no report is posted from here on
}

status network_host::start() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options_.listen.host, ec);
  if (ec) {
    return {status_code::invalid_argument,
            "listen: '" + options_.listen.host + "' is not an IP address (" + ec.message() + ")"};
  }
  std::vector<crypto::network_key> keys;
  for (const auto& id : host_.ids()) {
    if (auto* c = ensure_community(id)) keys.push_back(c->key);
  }
  auto started = net::listener::start(executor_, net::tcp::endpoint(address, options_.listen.port),
                                      host_.me(), keys, *this, *this, options_.listener);
  if (!started) {
    return {started.error().code(),
            "cannot listen on " + options_.listen.to_string() + ": " + started.error().message()};
  }
  listener_ = std::move(*started);
  dialer_ = std::make_unique<net::dialer>(executor_, host_.me(), *this, options_.session);
  spdlog::info("listening for peers on {} ({} communit{})", bound_address().to_string(),
               keys.size(), keys.size() == 1 ? "y" : "ies");
  for (auto& [id, c] : communities_) {
    c->manager->mark_self(bound_address().to_string());
    if (auto own = own_address()) c->manager->mark_self(own->to_string());
    schedule_tick(*c);
  }
  start_anti_entropy();
  start_flush();
  start_recheck();
  return {};
}

void network_host::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  anti_entropy_timer_.cancel(ignored);
  flush_timer_.cancel(ignored);
  recheck_timer_.cancel(ignored);
  if (listener_) listener_->stop();
  if (dialer_) dialer_->stop();
  for (auto& [id, c] : communities_) {
    c->tick_timer.cancel(ignored);
    if (status s = c->manager->flush(); !s.ok()) {
      spdlog::warn("peers of {}: cannot save the peer book: {}", crypto::to_text(id).substr(0, 8),
                   s.message());
    }
  }
}

host_port network_host::bound_address() const {
  host_port out = options_.listen;
  if (listener_) out.port = listener_->local_endpoint().port();
  return out;
}

std::optional<host_port> network_host::own_address() const {
  if (options_.advertise) return options_.advertise;
  host_port b = bound_address();
  if (is_specific(b.host) && b.port != 0) return b;
  return std::nullopt;
}

// --- communities ------------------------------------------------------------------------------

network_host::community_net* network_host::find(const community_id& id) const {
  auto it = communities_.find(id);
  return it == communities_.end() ? nullptr : it->second.get();
}

network_host::community_net* network_host::by_network(const crypto::network_key& key) const {
  for (const auto& [id, c] : communities_) {
    if (c->key == key) return c.get();
  }
  return nullptr;
}

network_host::community_net* network_host::ensure_community(const community_id& id) {
  if (auto* c = find(id)) return c;
  auto key = host_.network_key(id);
  if (!key) return nullptr;
  auto c = std::make_unique<community_net>(executor_, id, *key);
  community_net* raw = c.get();
  // Reports of the ingest queue come back to the I/O executor; the weak reference keeps them
  // from reaching a destroyed host (the engine keeps its own).
  sync::store_replica::poster post = [ex = executor_,
                                      alive = std::weak_ptr<int>(alive_)](std::function<void()> f) {
    asio::post(ex, [alive, f = std::move(f)] {
      if (!alive.expired()) f();
    });
  };
  c->replica = std::make_unique<sync::store_replica>(host_.store(), id, *ingest_, std::move(post));
  sync::engine_callbacks cbs;
  cbs.on_misbehaviour = [this, raw](sync::session_id sid, const member_id& peer,
                                    const sync::misbehaviour& m) {
    on_misbehaviour(*raw, sid, peer, m);
  };
  cbs.on_local_error = [this, raw](sync::session_id sid, const status& st) {
    spdlog::error("sync of {}: local failure: {}", crypto::to_text(raw->id).substr(0, 8),
                  st.message());
    close_sid(*raw, sid);
  };
  cbs.on_appended = [this, raw](const std::vector<sync::record_key>& keys) {
    absorb_appended(*raw, keys);
  };
  cbs.on_ingested = [this, raw](sync::session_id sid) { on_ingested(*raw, sid); };
  cbs.on_peers = [this, raw](sync::session_id, const std::vector<sync::peer_address>& entries) {
    // Hints only: the manager's key filter drops keys this node may not dial.
    if (!options_.peer_discovery) return;
    if (raw->manager->learn_from_exchange(entries) > 0) schedule_tick(*raw);
  };
  cbs.addresses_to_share = [this, raw]() {
    std::vector<sync::peer_address> out;
    if (auto own = own_address()) out.push_back({host_.me().pk, own->to_string()});
    for (auto& a : raw->manager->shareable()) out.push_back(std::move(a));
    return out;
  };
  cbs.first_record = [this, raw](std::string_view bytes) {
    return feed_authority(host_.state_of(raw->id), host_.store(), raw->id, bytes);
  };
  cbs.feed_rank = [this, raw](const member_id& author) -> std::uint64_t {
    // Members in the order they first joined: an inviter before those they admitted.
    const community::state* st = host_.state_of(raw->id);
    const community::index i = st ? st->find_member(author) : community::no_index;
    return i == community::no_index ? std::uint64_t{1} << 40 : i;
  };
  c->engine = std::make_unique<sync::engine>(*c->replica, options_.sync, std::move(cbs));

  for (const auto& text : options_.bootstrap) {
    auto hint = peers::parse_hint(text);
    if (hint) c->config_hints.push_back(*hint);
  }
  make_manager(*c);
  communities_.emplace(id, std::move(c));
  refresh_profiles(*raw);
  update_networks();
  if (listener_) schedule_tick(*raw);
  return raw;
}

void network_host::make_manager(community_net& c) {
  peers::manager_options mo;
  mo.target = options_.target_peers;
  // Without discovery nothing learned is read or kept: the book is not even attached.
  if (options_.peer_discovery) {
    c.book = std::make_unique<peers::store_peer_book>(host_.store(), c.id);
  } else {
    c.book.reset();
  }
  c.manager = std::make_unique<peers::manager>(host_.me().pk, mo, peers::system_clock_source(),
                                               c.book.get());
  c.manager->set_key_filter([this, raw = &c](const member_id& key) { return may_dial(*raw, key); });
  if (status s = c.manager->restore(); !s.ok()) {
    spdlog::warn("peers of {}: {}", crypto::to_text(c.id).substr(0, 8), s.message());
  }
  if (status s = c.manager->set_config(c.config_hints); !s.ok()) {
    spdlog::warn("bootstrap: {}", s.message());
  }
  if (listener_) {
    c.manager->mark_self(bound_address().to_string());
    if (auto own = own_address()) c.manager->mark_self(own->to_string());
  }
}

void network_host::update_networks() {
  if (!listener_) return;
  std::vector<crypto::network_key> keys;
  for (const auto& [id, c] : communities_) keys.push_back(c->key);
  listener_->set_networks(std::move(keys));
}

void network_host::refresh_profiles(community_net& c) {
  const community::state* st = host_.state_of(c.id);
  if (!st) return;
  std::vector<std::pair<member_id, std::string>> addresses;
  for (const auto& m : st->members) {
    if (!options_.peer_discovery) break;  // profiles name no address to dial
    if (m.status != community::member_status::active || !m.address) continue;
    if (m.id == host_.me().pk || st->forks().contains(m.id)) continue;
    addresses.emplace_back(m.id, *m.address);
  }
  // A member's bad address is skipped (and reported); the others still count.
  if (status s = c.manager->set_profiles(addresses); !s.ok()) {
    spdlog::debug("profile addresses: {}", s.message());
  }
  schedule_tick(c);
}

// --- records ----------------------------------------------------------------------------------

void network_host::on_host_appended(const record& r) {
  if (absorbing_ || stopped_) return;
  community_net* c = ensure_community(r.community);
  if (!c) return;
  c->engine->records_written({sync::record_key{r.author, r.seq}});
  if (r.type == "profile" || r.type.starts_with("member.")) refresh_profiles(*c);
  recheck_sessions(*c);
}

void network_host::absorb_appended(community_net& c, const std::vector<sync::record_key>& keys) {
  // Coalesced: every report that reaches the I/O thread before the posted absorb adds to one
  // call, so a catch-up absorbs many batches at once while a single live record still goes in
  // as soon as the I/O thread is free.
  c.to_absorb.insert(c.to_absorb.end(), keys.begin(), keys.end());
  if (c.absorb_posted) return;
  c.absorb_posted = true;
  asio::post(executor_, [this, id = c.id, alive = std::weak_ptr<int>(alive_)] {
    if (!alive.expired()) absorb_queued(id);
  });
}

void network_host::absorb_queued(const community_id& id) {
  community_net* found = find(id);
  if (!found) return;
  community_net& c = *found;
  c.absorb_posted = false;
  std::vector<sync::record_key> keys = std::move(c.to_absorb);
  c.to_absorb.clear();
  if (keys.empty() || stopped_) return;
  // The replica kept the records it appended, parsed; the few it did not keep (promoted from
  // the pending area) are read back from the store, consecutive per feed.
  std::vector<record> records = c.replica->take_appended(keys);
  // Runs of consecutive seqs per feed.
  std::sort(keys.begin(), keys.end(), [](const sync::record_key& x, const sync::record_key& y) {
    return std::tie(x.author, x.seq) < std::tie(y.author, y.seq);
  });
  std::vector<std::pair<member_id, std::pair<std::uint64_t, std::uint64_t>>> spans;
  for (const auto& k : keys) {
    if (!spans.empty() && spans.back().first == k.author &&
        k.seq <= spans.back().second.second + 1) {
      spans.back().second.second = std::max(spans.back().second.second, k.seq);
    } else {
      spans.push_back({k.author, {k.seq, k.seq}});
    }
  }
  for (const auto& [author, span] : spans) {
    auto cursor = host_.store().read_feed(c.id, author, span.first);
    for (; cursor.valid() && cursor.entry().seq <= span.second; cursor.next()) {
      auto r = record_from_store(cursor.entry());
      if (!r) {
        spdlog::error("sync of {}: {}", crypto::to_text(c.id).substr(0, 8), r.error().message());
        continue;
      }
      records.push_back(std::move(*r));
    }
    if (status s = cursor.error(); !s.ok()) {
      spdlog::error("sync of {}: reading appended records: {}", crypto::to_text(c.id).substr(0, 8),
                    s.message());
    }
  }
  // One call for the whole lot: the replayer rewinds at most once per batch.
  absorbing_ = true;
  status s = host_.absorb(records);
  absorbing_ = false;
  if (!s.ok()) {
    spdlog::error("community {}: cannot apply {} synced records: {}",
                  crypto::to_text(c.id).substr(0, 8), records.size(), s.message());
  }
  spdlog::debug("community {}: {} records from peers", crypto::to_text(c.id).substr(0, 8),
                records.size());
  refresh_profiles(c);
  recheck_sessions(c);
}

// --- authorization ----------------------------------------------------------------------------

bool network_host::me_active(const community_net& c) const {
  const community::state* st = host_.state_of(c.id);
  return st && st->is_active_member(host_.me().pk);
}

bool network_host::may_replicate(community_net& c, const member_id& key) const {
  const community::state* st = host_.state_of(c.id);
  if (st && c.admission.of(*st, key, unix_ms_now()) != standing::none) return true;
  // Joining: the nodes the invite code names, whatever this node's partial state says of them.
  return c.joining && !me_active(c) && c.invite_keys.count(key) != 0;
}

bool network_host::may_dial(const community_net& c, const member_id& key) const {
  const community::state* st = host_.state_of(c.id);
  if (st && st->is_active_member(host_.me().pk)) return st->is_active_member(key);
  // Not a member (yet, or any more): only a join in progress dials, and only the invite's
  // issuer nodes and members this node already knows of. A node that left or was removed
  // dials nobody.
  if (!c.joining) return false;
  return c.invite_keys.count(key) != 0 || (st && st->is_active_member(key));
}

void network_host::recheck_sessions(community_net& c) {
  // Admission is decided at the handshake; a session whose peer stops qualifying since (left,
  // removed, forked, its invite used or expired, or its inviter gone) is closed, whichever side
  // dialed.
  if (const community::state* st = host_.state_of(c.id)) c.admission.prune(*st, unix_ms_now());
  if (c.joining && me_active(c)) {
    c.joining = false;  // joined: from now on only members count
    c.invite_keys.clear();
  }
  std::vector<net::session_ptr> doomed;
  for (auto& [id, l] : c.links) {
    if (l.session->is_closed()) continue;
    if (!may_replicate(c, l.session->remote_key())) doomed.push_back(l.session);
  }
  for (auto& s : doomed) {
    spdlog::info("community {}: {} may no longer replicate here; closing its connection",
                 crypto::to_text(c.id).substr(0, 8), short_id(s->remote_key()));
    s->close();
  }
}

void network_host::start_recheck() {
  // Invites expire with time, not with a record: a session admitted by one is re-checked
  // every second, so that it ends within a second of the expiry.
  recheck_timer_.expires_after(std::chrono::seconds(1));
  recheck_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    for (auto& [id, c] : communities_) recheck_sessions(*c);
    start_recheck();
  });
}

net::admission network_host::authorize(const crypto::network_key& network,
                                       const crypto::public_key& client) {
  community_net* c = by_network(network);
  const community::state* st = c ? host_.state_of(c->id) : nullptr;
  if (!st) return net::admission::reject;
  const std::int64_t now = unix_ms_now();
  switch (c->admission.of(*st, client, now)) {
    case standing::member:
    case standing::invitee:
      return net::admission::accept;
    case standing::token:
      return net::admission::needs_token;  // bound to this key: it presents the token again
    case standing::none:
      break;
  }
  return c->admission.token_possible(*st, client, now) ? net::admission::needs_token
                                                       : net::admission::reject;
}

bool network_host::check_token(const crypto::network_key& network, const crypto::public_key& client,
                               std::string_view token) {
  community_net* c = by_network(network);
  const community::state* st = c ? host_.state_of(c->id) : nullptr;
  if (!st) return false;
  if (!c->admission.bind_token(*st, client, token, unix_ms_now())) return false;
  spdlog::info("community {}: an invite token admitted {}", crypto::to_text(c->id).substr(0, 8),
               short_id(client));
  return true;
}

// --- sessions ---------------------------------------------------------------------------------

void network_host::on_connected(const net::session_ptr& s) {
  community_net* c = by_network(s->network());
  if (!c || stopped_) {
    s->close();
    return;
  }
  // Outbound sessions were not admitted by anyone here: a dial may reach a node whose key is
  // not (or no longer) one to replicate with (an address from an invite code, a peer's hint
  // or the config). Nothing is sent to it, not even a hello.
  if (!may_replicate(*c, s->remote_key())) {
    spdlog::info("community {}: {} is not a member; closing the connection",
                 crypto::to_text(c->id).substr(0, 8), short_id(s->remote_key()));
    s->close();
    return;
  }
  link l;
  l.session = s;
  l.sink = std::make_unique<session_sink>(s);
  l.budget.emplace(options_.budget, budget_clock::now());
  l.sid = c->engine->attach(s->remote_key(), s->role() == net::session::side::client, *l.sink);
  const sync::session_id sid = l.sid;
  c->links.emplace(s->id(), std::move(l));
  spdlog::info("community {}: connected to {} ({}, {})", crypto::to_text(c->id).substr(0, 8),
               short_id(s->remote_key()),
               s->role() == net::session::side::client ? "outbound" : "inbound",
               s->remote_endpoint().address().to_string());
  if (s->role() == net::session::side::server) {
    auto d = c->manager->connected_inbound(peers::connection_id{s->id()}, s->remote_key());
    apply(*c, d, s);
  }
  // Outbound sessions are reported to the manager when dial() returns (dial_done).
  if (c->manager->needs_addresses()) c->engine->request_peers(sid);
}

void network_host::apply(community_net& c, const peers::connect_decision& d,
                         const net::session_ptr& s) {
  if (d.close) {
    for (auto& [id, l] : c.links) {
      if (id == static_cast<std::uint64_t>(*d.close)) {
        l.managed = false;  // the manager already forgot it
        l.session->close();
      }
    }
  }
  auto it = c.links.find(s->id());
  if (it == c.links.end()) return;
  if (d.keep) {
    it->second.managed = true;
  } else {
    spdlog::debug("closing a duplicate connection to {}", short_id(s->remote_key()));
    s->close();
  }
  schedule_tick(c);
}

void network_host::on_message(const net::session_ptr& s, std::string_view message) {
  community_net* c = by_network(s->network());
  if (!c) return;
  auto it = c->links.find(s->id());
  if (it == c->links.end()) return;
  const sync::session_id sid = it->second.sid;
  const std::uint64_t records_before = c->engine->stats(sid).records_received;
  c->engine->on_message(sid, message);
  auto again = c->links.find(s->id());
  if (again == c->links.end() || again->second.session->is_closed()) return;
  const sync::session_stats st = c->engine->stats(sid);
  // Receive-side flow control: an honest sender keeps at most window_bytes of catch-up in
  // flight, but live pushes come on top and a hostile one may ignore the window. Past the
  // window the connection is not read until the ingest queue has caught up with it.
  if (!again->second.paused && st.ingesting_bytes > options_.sync.window_bytes) {
    again->second.paused = true;
    update_reading(again->second);
  }
  charge(*c, again->second, message.size(), st.records_received - records_before);
}

void network_host::update_reading(link& l) {
  if (l.paused || l.slowed) {
    l.session->pause_reading();
  } else {
    l.session->resume_reading();
  }
}

void network_host::charge(community_net& c, link& l, std::size_t bytes, std::size_t records) {
  const auto now = budget_clock::now();
  const std::chrono::milliseconds wait = l.budget->spend(bytes, records, now);
  // Messages delivered while the session is slowed were read before the pause (whatever its
  // read buffer held): they count in the buckets, so the next wait is longer, but they raise
  // the score only when the session is read again.
  if (wait.count() <= 0 || l.slowed) return;
  const member_id peer = l.session->remote_key();
  switch (scores_.over_budget(peer, wait, now)) {
    case budget_verdict::ok:
      return;
    case budget_verdict::slow:
      break;
    case budget_verdict::disconnect:
      drop_key(c, peer, false, "over its budget again and again");
      return;
    case budget_verdict::ban:
      drop_key(c, peer, true, "over its budget after being disconnected for it");
      return;
  }
  // Slowed: not read until the buckets are back at zero; TCP holds the sender back meanwhile.
  l.slowed = true;
  update_reading(l);
  if (!l.slow_timer) l.slow_timer = std::make_shared<asio::steady_timer>(executor_);
  l.slow_timer->expires_after(wait);
  l.slow_timer->async_wait(
      [this, id = c.id, sid = l.session->id(),
       alive = std::weak_ptr<int>(alive_)](const boost::system::error_code& ec) {
        if (ec || alive.expired()) return;
        community_net* c2 = find(id);
        if (!c2) return;
        auto it = c2->links.find(sid);
        if (it == c2->links.end()) return;
        it->second.slowed = false;
        update_reading(it->second);
      });
}

void network_host::drop_key(community_net& c, const member_id& key, bool ban,
                            const std::string& why) {
  spdlog::warn("community {}: {} is {}; {}", crypto::to_text(c.id).substr(0, 8), short_id(key), why,
               ban ? "closing and banning" : "closing");
  if (ban) c.manager->misbehaved(key);
  std::vector<net::session_ptr> doomed;
  for (auto& [id, l] : c.links) {
    if (l.session->remote_key() == key) doomed.push_back(l.session);
  }
  for (auto& s : doomed) {
    if (ban && s->role() == net::session::side::server && listener_) {
      listener_->bans().ban(s->remote_endpoint().address());
    }
    s->close();
  }
  schedule_tick(c);
}

void network_host::on_ingested(community_net& c, sync::session_id sid) {
  for (auto& [id, l] : c.links) {
    if (l.sid != sid || !l.paused) continue;
    if (c.engine->stats(sid).ingesting_bytes <= options_.sync.window_bytes / 2) {
      l.paused = false;
      update_reading(l);
    }
  }
}

void network_host::on_closed(const net::session_ptr& s, const net::disconnect_info& why) {
  community_net* c = by_network(s->network());
  if (!c) return;
  auto it = c->links.find(s->id());
  if (it == c->links.end()) return;
  link l = std::move(it->second);
  c->links.erase(it);
  const sync::session_stats st = c->engine->stats(l.sid);
  c->ended_received += st.records_received;
  c->ended_stored += st.records_stored;
  c->ended_duplicate += st.records_duplicate;
  c->ended_bytes_sent += st.bytes_sent;
  c->ended_bytes_received += st.bytes_received;
  c->engine->detach(l.sid);
  if (l.managed) c->manager->disconnected(peers::connection_id{s->id()});
  const bool benign = why.reason == net::close_reason::shutdown ||
                      why.reason == net::close_reason::local_close ||
                      why.reason == net::close_reason::peer_goodbye;
  if (benign) {
    spdlog::info("community {}: connection to {} closed ({})", crypto::to_text(c->id).substr(0, 8),
                 short_id(s->remote_key()), why.describe());
  } else {
    spdlog::warn("community {}: connection to {} lost: {}", crypto::to_text(c->id).substr(0, 8),
                 short_id(s->remote_key()), why.describe());
  }
  if (!c->join_token.empty() || c->join.dials_failed + c->join.sessions_ended > 0 ||
      !host_.state_of(c->id)) {
    ++c->join.sessions_ended;
    ++c->join.refusals;
    c->join.last_problem = "the node of " + short_id(s->remote_key()) + " at " +
                           s->remote_endpoint().address().to_string() + " closed the connection (" +
                           std::string(net::to_string(why.reason)) + ")";
  }
  if (!stopped_) schedule_tick(*c);
}

void network_host::close_sid(community_net& c, sync::session_id sid) {
  for (auto& [id, l] : c.links) {
    if (l.sid == sid) l.session->close();
  }
}

void network_host::on_misbehaviour(community_net& c, sync::session_id sid, const member_id& peer,
                                   const sync::misbehaviour& m) {
  // The batch stored a fork proof (or may have, behind the first fault it reports): the
  // community state learns of every fork the store holds, and a forked member's sessions end.
  if (auto marked = host_.mark_forks(c.id); !marked) {
    spdlog::error("community {}: cannot mark forks: {}", crypto::to_text(c.id).substr(0, 8),
                  marked.error().message());
  } else if (*marked > 0) {
    refresh_profiles(c);
    recheck_sessions(c);
  }
  if (m.kind == sync::misbehaviour_kind::forked) {
    // Honest peers relay fork proofs: mark, keep the session.
    spdlog::warn("community {}: {} relayed a forked record: {}", crypto::to_text(c.id).substr(0, 8),
                 short_id(peer), m.reason);
    return;
  }
  spdlog::warn("community {}: {} misbehaved ({}): {}; closing and banning",
               crypto::to_text(c.id).substr(0, 8), short_id(peer), sync::to_string(m.kind),
               m.reason);
  c.manager->misbehaved(peer);
  for (auto& [id, l] : c.links) {
    if (l.sid != sid) continue;
    if (l.session->role() == net::session::side::server && listener_) {
      listener_->bans().ban(l.session->remote_endpoint().address());
    }
    l.session->close();
  }
  schedule_tick(c);
}

// --- dialing ----------------------------------------------------------------------------------

std::string network_host::dial_token(const community_net& c) const {
  if (c.join_token.empty()) return {};
  const community::state* st = host_.state_of(c.id);
  if (st && st->find_member(host_.me().pk) != community::no_index &&
      st->members[st->find_member(host_.me().pk)].status == community::member_status::active) {
    return {};  // joined: members need no token
  }
  return c.join_token;
}

void network_host::schedule_tick(community_net& c) {
  if (stopped_ || c.tick_posted || !dialer_) return;
  c.tick_posted = true;
  asio::post(executor_, [this, id = c.id] { run_tick(id); });
}

net::awaitable<void> dial_one(network_host* self, community_id id, peers::dial_request req,
                              net::dial_target target) {
  auto outcome = co_await self->dialer_->dial(std::move(target));
  self->dial_done(id, req.address, std::move(outcome));
}

void network_host::run_tick(const community_id& id) {
  community_net* c = find(id);
  if (!c || stopped_) return;
  c->tick_posted = false;
  for (auto& req : c->manager->tick()) {
    net::dial_target t{req.where.host, req.where.port, req.key, c->key, dial_token(*c)};
    spdlog::debug("community {}: dialing {} at {}", crypto::to_text(id).substr(0, 8),
                  short_id(req.key), req.address);
    ++c->join.dialing;
    asio::co_spawn(executor_, dial_one(this, id, std::move(req), std::move(t)),
                   net::log_exception{"dial"});
  }
  if (auto next = c->manager->next_wakeup()) {
    const auto delay = std::max(peers::milliseconds(0), *next - peers::system_clock_source().now());
    c->tick_timer.expires_after(delay + std::chrono::milliseconds(5));
    c->tick_timer.async_wait([this, id](const boost::system::error_code& ec) {
      if (ec || stopped_) return;
      if (community_net* c2 = find(id)) {
        if (!c2->tick_posted) {
          c2->tick_posted = true;
          run_tick(id);
        }
      }
    });
  }
}

void network_host::dial_done(const community_id& id, const std::string& address,
                             result<net::session_ptr> outcome) {
  community_net* c = find(id);
  if (!c) return;
  if (c->join.dialing > 0) --c->join.dialing;
  if (stopped_) {
    c->manager->dial_failed(address, peers::dial_failure::cancelled);
    return;
  }
  if (!outcome) {
    spdlog::info("community {}: dial {} failed: {}", crypto::to_text(id).substr(0, 8), address,
                 outcome.error().message());
    c->manager->dial_failed(address, peers::classify_dial_error(outcome.error().code()));
    ++c->join.dials_failed;
    if (outcome.error().code() == status_code::rejected) {
      ++c->join.refusals;
      c->join.last_problem = "the node at " + address + " did not admit this node";
    } else {
      c->join.last_problem = "dialing " + address + " failed: " + outcome.error().message();
    }
  } else if ((*outcome)->is_closed()) {
    c->manager->dial_failed(address, peers::dial_failure::unreachable);
    ++c->join.dials_failed;
    c->join.last_problem = "the node at " + address + " closed the connection at once";
  } else {
    const net::session_ptr& s = *outcome;
    auto d =
        c->manager->connected_outbound(peers::connection_id{s->id()}, address, s->remote_key());
    apply(*c, d, s);
  }
  schedule_tick(*c);
}

void network_host::start_anti_entropy() {
  anti_entropy_timer_.expires_after(options_.anti_entropy_interval);
  anti_entropy_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    for (auto& [id, c] : communities_) {
      c->engine->anti_entropy();
      if (c->manager->needs_addresses()) {
        auto sessions = c->engine->sessions();
        if (!sessions.empty()) c->engine->request_peers(sessions.front());
      }
      schedule_tick(*c);
    }
    start_anti_entropy();
  });
}

void network_host::start_flush() {
  // Each changed peer entry is one synced store write: save them every 10 s and at shutdown,
  // not after every event (a crash loses at most a backoff or two).
  flush_timer_.expires_after(std::chrono::seconds(10));
  flush_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    for (auto& [id, c] : communities_) {
      if (!c->manager->has_unflushed()) continue;
      if (status s = c->manager->flush(); !s.ok()) {
        spdlog::warn("peers of {}: cannot save the peer book: {}", crypto::to_text(id).substr(0, 8),
                     s.message());
      }
    }
    start_flush();
  });
}

// --- joining ----------------------------------------------------------------------------------

status network_host::begin_join(const invite_code& code) {
  if (status s = host_.adopt(code.community, code.network_key); !s.ok()) return s;
  community_net* c = ensure_community(code.community);
  if (!c) return {status_code::io_error, "the community could not be set up"};
  c->join = {};
  c->join_token = code.token ? code.token->str() : std::string();
  c->joining = true;
  for (const auto& p : code.peers) c->invite_keys.insert(p.key);
  for (const auto& p : code.peers) {
    if (status s = c->manager->add_invite(p.address.to_string(), p.key); !s.ok()) {
      c->join.last_problem = s.message();
    }
  }
  schedule_tick(*c);
  return {};
}

void network_host::end_join(const community_id& community) {
  community_net* c = find(community);
  if (!c) return;
  c->joining = false;
  c->join_token.clear();
  c->invite_keys.clear();
  std::vector<net::session_ptr> open;
  for (auto& [id, l] : c->links) open.push_back(l.session);
  for (auto& s : open) s->close();
  auto forgot = host_.abandon(community);
  if (!forgot) {
    spdlog::warn("community {}: cannot forget the network key of a failed join: {}",
                 crypto::to_text(community).substr(0, 8), forgot.error().message());
  } else if (*forgot) {
    boost::system::error_code ignored;
    c->tick_timer.cancel(ignored);
    // Sessions, dials and posted reports look the community up by id and find nothing.
    communities_.erase(community);
    update_networks();
  }
}

join_progress network_host::progress(const community_id& community, const record_id& invite) const {
  join_progress out;
  community_net* c = find(community);
  if (!c) return out;
  out = c->join;
  out.connected = c->links.size();
  const community::state* st = host_.state_of(community);
  out.has_invite = st && st->invites.contains(invite);
  return out;
}

// --- operator and views -----------------------------------------------------------------------

result<peers::address_hint> network_host::add_peer(const community_id& community,
                                                   std::string_view text) {
  community_net* c = ensure_community(community);
  if (!c) return status{status_code::not_found, "this node holds no network key for it"};
  auto hint = peers::parse_hint(text);
  if (!hint) return hint.error();
  auto same = std::find_if(c->config_hints.begin(), c->config_hints.end(),
                           [&](const auto& h) { return h.address == hint->address; });
  if (same != c->config_hints.end()) {
    *same = *hint;
  } else {
    c->config_hints.push_back(*hint);
  }
  if (status s = c->manager->set_config(c->config_hints); !s.ok()) return s;
  schedule_tick(*c);
  return *hint;
}

namespace {

std::string name_of(const community::state* st, const member_id& m) {
  if (!st) return {};
  auto i = st->find_member(m);
  return i == community::no_index ? std::string() : st->members[i].name;
}

}  // namespace

std::string network_host::endpoint_of(const community_net& c,
                                      const peers::connection_view& conn) const {
  if (!conn.address.empty()) return conn.address;  // the dialed address
  auto it = c.links.find(static_cast<std::uint64_t>(conn.id));
  if (it == c.links.end()) return {};
  const auto& ep = it->second.session->remote_endpoint();
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

json network_host::status_json() const {
  json peers_rows = json::array();
  json lag_rows = json::array();
  json sync_rows = json::array();
  for (const auto& [id, c] : communities_) {
    const community::state* st = host_.state_of(id);
    const std::string cname = st ? st->name : crypto::to_text(id).substr(0, 8);
    std::uint64_t received = c->ended_received, stored = c->ended_stored,
                  duplicate = c->ended_duplicate;
    std::uint64_t bytes_sent = c->ended_bytes_sent, bytes_received = c->ended_bytes_received;
    for (auto sid : c->engine->sessions()) {
      const sync::session_stats ss = c->engine->stats(sid);
      received += ss.records_received;
      stored += ss.records_stored;
      duplicate += ss.records_duplicate;
      bytes_sent += ss.bytes_sent;
      bytes_received += ss.bytes_received;
    }
    sync_rows.push_back(json{{"community", cname},
                             {"records_received", received},
                             {"records_stored", stored},
                             {"records_duplicate", duplicate},
                             {"bytes_sent", bytes_sent},
                             {"bytes_received", bytes_received}});
    for (const auto& conn : c->manager->connections()) {
      peers_rows.push_back(
          json{{"community", cname},
               {"member", crypto::to_text(conn.remote)},
               {"name", name_of(st, conn.remote)},
               {"direction", conn.dir == peers::direction::outbound ? "out" : "in"},
               {"endpoint", endpoint_of(*c, conn)},
               {"since_ts", conn.since.time_since_epoch().count()}});
    }
    if (!st) continue;
    for (const auto& m : st->members) {
      auto local = c->replica->head_seq(m.id);
      const std::uint64_t have = local ? *local : 0;
      const std::uint64_t best = std::max(have, c->engine->best_known_seq(m.id));
      lag_rows.push_back(json{{"community", cname},
                              {"member", crypto::to_text(m.id)},
                              {"name", m.name},
                              {"have_seq", have},
                              {"best_known_seq", best},
                              {"behind", best - have}});
    }
  }
  return json{{"listen", bound_address().to_string()},
              {"advertise", own_address() ? json(own_address()->to_string()) : json(nullptr)},
              {"peers", std::move(peers_rows)},
              {"lag", std::move(lag_rows)},
              {"sync", std::move(sync_rows)}};
}

json network_host::peers_json(const community_id& community) const {
  json connections = json::array();
  json known = json::array();
  community_net* c = find(community);
  const community::state* st = host_.state_of(community);
  if (c) {
    for (const auto& conn : c->manager->connections()) {
      connections.push_back(
          json{{"member", crypto::to_text(conn.remote)},
               {"name", name_of(st, conn.remote)},
               {"direction", conn.dir == peers::direction::outbound ? "out" : "in"},
               {"endpoint", endpoint_of(*c, conn)},
               {"since_ts", conn.since.time_since_epoch().count()}});
    }
    for (const auto& v : c->manager->known()) {
      json sources = json::array();
      for (auto s : peers::key_priority) {
        if (v.info.has(s)) sources.push_back(peers::to_string(s));
      }
      auto key = v.info.key();
      known.push_back(json{{"endpoint", v.address},
                           {"member", key ? json(crypto::to_text(*key)) : json(nullptr)},
                           {"state", peers::to_string(v.state)},
                           {"sources", std::move(sources)},
                           {"failures", v.info.failures}});
    }
  }
  return json{{"community", crypto::to_text(community)},
              {"listen", bound_address().to_string()},
              {"connections", std::move(connections)},
              {"known", std::move(known)}};
}

}  // namespace zwerm::node
