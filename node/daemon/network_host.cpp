// The wiring, sessions and records of network_host (its other jobs have files of their own:
// network_host.hpp lists them).
#include "node/daemon/network_host.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "base/base64url.hpp"
#include "crypto/hash.hpp"
#include "node/daemon/network_host_parts.hpp"
#include "node/ingest/stored_record.hpp"
#include "node/peers/address.hpp"
#include "node/records/record_fork.hpp"

namespace zwerm::node {
namespace {

using crypto::short_id;

bool is_specific(const std::string& host) {
  return host != "0.0.0.0" && host != "::" && !host.empty();
}

}  // namespace

network_host::network_host(asio::any_io_executor executor, community_host& host,
                           network_options options)
    : executor_(std::move(executor)),
      host_(host),
      options_(std::move(options)),
      peers_clock_(*options_.clock),
      anti_entropy_timer_(executor_),
      flush_timer_(executor_),
      recheck_timer_(executor_),
      absorb_timer_(executor_),
      scores_(options_.budget) {
  options_.listener.session = options_.session;
  ingest_queue_options io;
  io.verify_threads = std::max<std::size_t>(1, options_.verify_threads);
  if (auto d = deferred_signatures::open(host_.store()); d) {
    deferred_ = std::move(*d);
  } else {
    // Without it every vouched record is checked on the queue's writer thread instead.
    spdlog::error("deferred signature checks unavailable ({}): checking every signature at once",
                  d.error().message());
  }
  ingest_ = std::make_unique<ingest_queue>(host_.store(), io);
  // The community state absorbs sync's records on this executor and tells this host after.
  // One timer for the delayed calls: the host only asks for one earlier than the one waiting,
  // which it replaces, and stop() cancels it.
  host_.set_poster([this](std::chrono::milliseconds delay, std::function<void()> f) {
    if (delay.count() <= 0) {
      asio::post(executor_, std::move(f));
      return;
    }
    absorb_timer_.expires_after(delay);
    absorb_timer_.async_wait([f = std::move(f)](const boost::system::error_code& ec) {
      if (!ec) f();
    });
  });
  host_.on_absorbed = [this, alive = std::weak_ptr<int>(alive_)](const community_id& id) {
    if (!alive.expired()) on_absorbed(id);
  };
  host_.write_guard = [this](const community_id& id) { return write_guard(id); };
}

network_host::~network_host() {
  host_.write_guard = nullptr;
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
  if (!options_.token_bindings_file.empty()) {
    auto loaded = load_token_bindings(options_.token_bindings_file);
    if (!loaded) {
      return {loaded.error().code(),
              loaded.error().message() +
                  " (remove it to start without the invite token bindings; a token invite that "
                  "is still open may then admit another key once)"};
    }
    saved_bindings_ = std::move(*loaded);
    for (auto& [id, c] : communities_) {
      if (auto it = saved_bindings_.find(id); it != saved_bindings_.end()) {
        c->admission.restore(it->second);
      }
    }
  }
  if (!options_.operator_peers_file.empty()) {
    auto loaded = load_operator_peers(options_.operator_peers_file);
    if (!loaded) {
      return {loaded.error().code(),
              loaded.error().message() +
                  " (fix or remove it; removing it forgets the addresses added with zwerm peer "
                  "add and the bans set with zwerm peer ban)"};
    }
    operator_ = std::move(*loaded);
    for (auto& [id, c] : communities_) apply_operator(*c);
  }
  std::vector<crypto::network_key> keys;
  for (const auto& id : host_.ids()) {
    if (auto* c = ensure_community(id)) keys.push_back(c->key);
  }
  // Restored communities whose records have not arrived yet (no state): dialed all the same.
  for (const auto& id : host_.unconfirmed()) {
    if (host_.state_of(id)) continue;
    if (auto* c = ensure_community(id)) keys.push_back(c->key);
  }
  auto started = net::listener::start(executor_, net::tcp::endpoint(address, options_.listen.port),
                                      host_.me(), keys, *this, *this, options_.listener);
  if (!started) {
    return {started.error().code(),
            "cannot listen on " + options_.listen.to_string() + ": " + started.error().message()};
  }
  listener_ = std::move(*started);
  for (const auto& [ip, ban] : operator_.bans) {
    boost::system::error_code bad;
    const auto a = asio::ip::make_address(ip, bad);
    const auto left = std::chrono::milliseconds(ban.until_ms - options_.clock->unix_ms());
    if (!bad && left.count() > 0) listener_->bans().hold(a, left);
  }
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
  absorb_timer_.cancel(ignored);
  if (listener_) listener_->stop();
  if (dialer_) dialer_->stop();
  for (auto& [id, c] : communities_) {
    c->tick_timer.cancel(ignored);
    if (status s = c->manager->flush(); !s.ok()) {
      spdlog::warn("peers of {}: cannot save the peer book: {}", crypto::short_id(id), s.message());
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

// --- records ----------------------------------------------------------------------------------

void network_host::on_host_appended(const record& r, community_host::origin from) {
  if (from != community_host::origin::this_node || stopped_) return;
  community_net* c = ensure_community(r.community);
  if (!c) return;
  c->engine->records_written({sync::record_key{r.author, r.seq}});
  if (r.type == "profile" || r.type.starts_with("member.")) refresh_profiles(*c);
  recheck_sessions(*c);
}

void network_host::on_absorbed(const community_id& id) {
  if (stopped_) return;
  community_net* c = find(id);
  if (!c) return;
  refresh_profiles(*c);
  recheck_sessions(*c);
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
  if (held(s->remote_endpoint().address())) {
    // Dialed by a name (or an address known before the ban) that turned out to be banned.
    spdlog::info("community {}: {} is banned by the operator; closing the connection",
                 crypto::short_id(c->id), s->remote_endpoint().address().to_string());
    s->close();
    return;
  }
  if (!may_replicate(*c, s->remote_key())) {
    spdlog::info("community {}: {} is not a member; closing the connection",
                 crypto::short_id(c->id), short_id(s->remote_key()));
    s->close();
    return;
  }
  link l;
  l.session = s;
  l.sink = std::make_unique<session_sink>(s);
  l.budget.emplace(options_.budget, options_.clock->steady());
  l.sid = c->engine->attach(s->remote_key(), s->role() == net::session::side::client, *l.sink);
  const sync::session_id sid = l.sid;
  // A peer admitted by an invite (not a member yet) reads nothing until its join took effect.
  if (s->role() == net::session::side::server && !is_member(*c, s->remote_key())) {
    c->engine->set_restricted(sid, true);
  }
  c->links.emplace(s->id(), std::move(l));
  spdlog::info("community {}: connected to {} ({}, {})", crypto::short_id(c->id),
               short_id(s->remote_key()),
               s->role() == net::session::side::client ? "outbound" : "inbound",
               s->remote_endpoint().address().to_string());
  if (s->role() == net::session::side::server) {
    // A member's node dialed us: it holds us a member, whatever another one said.
    if (is_member(*c, s->remote_key())) c->told_removed.reset();
    auto d = c->manager->connected_inbound(peers::connection_id{s->id()}, s->remote_key());
    apply(*c, d, s);
  }
  // Outbound sessions are reported to the manager when dial() returns (dial_done).
  // A peer that does not hold a fork proof this node holds would never learn of the fork from
  // reconciliation (its head may be the very record this node kept): it gets the proofs now.
  relay_forks(*c, sid);
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
  if (s->role() == net::session::side::client && c->engine->stats(sid).messages_received == 0) {
    if (!message.empty() && message[0] == net::refusal_marker) {
      on_refusal(*c, s, message);
      return;
    }
    // A member's node speaks sync with us: whatever another one said, we are not removed here.
    c->told_removed.reset();
  }
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
  if (l.managed) c->manager->disconnected(peers::connection_id{s->id()}, why.describe());
  const bool benign = why.reason == net::close_reason::shutdown ||
                      why.reason == net::close_reason::local_close ||
                      why.reason == net::close_reason::peer_goodbye;
  if (benign) {
    spdlog::info("community {}: connection to {} closed ({})", crypto::short_id(c->id),
                 short_id(s->remote_key()), why.describe());
  } else {
    spdlog::warn("community {}: connection to {} lost: {}", crypto::short_id(c->id),
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
    spdlog::error("community {}: cannot mark forks: {}", crypto::short_id(c.id),
                  marked.error().message());
  } else if (*marked > 0) {
    refresh_profiles(c);
    recheck_sessions(c);
  }
  // Forks travel: whatever proof the store now holds goes to every peer.
  relay_forks(c, 0);
  if (m.kind == sync::misbehaviour_kind::forked) {
    // Honest peers relay fork proofs: mark, keep the session.
    spdlog::warn("community {}: {} relayed a forked record: {}", crypto::short_id(c.id),
                 short_id(peer), m.reason);
    return;
  }
  if (m.kind == sync::misbehaviour_kind::incompatible) {
    // A node of another protocol generation: no fault of its own, no ban.
    spdlog::warn("community {}: closing the session with {}: {}", crypto::short_id(c.id),
                 short_id(peer), m.reason);
    close_sid(c, sid);
    return;
  }
  spdlog::warn("community {}: {} misbehaved ({}): {}; closing and banning", crypto::short_id(c.id),
               short_id(peer), sync::to_string(m.kind), m.reason);
  c.manager->misbehaved(peer, std::string(sync::to_string(m.kind)) + ": " + m.reason);
  for (auto& [id, l] : c.links) {
    if (l.sid != sid) continue;
    if (l.session->role() == net::session::side::server && listener_) {
      listener_->bans().ban(l.session->remote_endpoint().address());
    }
    l.session->close();
  }
  schedule_tick(c);
}

std::vector<std::string> network_host::fork_proofs(community_net& c, bool only_new) {
  std::vector<std::string> items;
  // The state marks every fork the store holds a proof of (community_host::mark_forks, and the
  // replayer at start): its forked authors name the proofs without a scan of every feed head,
  // which every new connection would otherwise pay.
  const community::state* st = host_.state_of(c.id);
  if (!st) return items;
  for (const auto& [author, point] : st->forks()) {
    auto proofs = host_.store().forks(c.id, author);
    if (!proofs) {
      spdlog::error("community {}: cannot read fork proofs: {}", crypto::short_id(c.id),
                    proofs.error().message());
      continue;
    }
    for (const auto& p : *proofs) {
      // What this node passes on, it has checked itself: two valid signatures, one seq.
      const fork_proof proof{p.kept.bytes, p.other.bytes};
      auto facts = verify_fork_proof(proof);
      if (!facts) {
        spdlog::error("community {}: a stored fork proof does not verify: {}",
                      crypto::short_id(c.id), facts.error().message);
        continue;
      }
      const bool fresh = c.relayed_proofs.insert({facts->author, facts->seq, p.other.id}).second;
      if (only_new && !fresh) continue;
      // The record with the bytewise smaller id first, as a proof is framed (PROTOCOL.md §2.8).
      const bool kept_first = p.kept.id.view() < p.other.id.view();
      items.push_back(kept_first ? p.kept.bytes : p.other.bytes);
      items.push_back(kept_first ? p.other.bytes : p.kept.bytes);
    }
  }
  return items;
}

void network_host::relay_forks(community_net& c, sync::session_id to) {
  // To every peer: only proofs not relayed before (each node relays a proof once, so a fork
  // floods the community once). To one new peer: every proof held.
  std::vector<std::string> items = fork_proofs(c, to == 0);
  if (items.empty()) return;
  spdlog::info("community {}: relaying {} fork proof{} to {}", crypto::short_id(c.id),
               items.size() / 2, items.size() == 2 ? "" : "s",
               to == 0 ? std::string("every peer") : std::string("a new peer"));
  c.engine->relay(items, to);
}

void network_host::start_anti_entropy() {
  anti_entropy_timer_.expires_after(options_.anti_entropy_interval);
  anti_entropy_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    for (auto& [id, c] : communities_) {
      c->engine->anti_entropy();
      // A small community always "needs addresses" (fewer nodes than the target): ask one
      // peer every tenth period, not every period; a new connection asks at once.
      if (c->manager->needs_addresses() && ++c->periods_since_peers_request >= 10) {
        auto sessions = c->engine->sessions();
        if (!sessions.empty()) {
          c->engine->request_peers(sessions.front());
          c->periods_since_peers_request = 0;
        }
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
        spdlog::warn("peers of {}: cannot save the peer book: {}", crypto::short_id(id),
                     s.message());
      }
    }
    start_flush();
  });
}

}  // namespace zwerm::node
