// network_host's communities: the per-community part (engine over the store, peer manager and
// its book, the network key the listener serves) made when the node joins or starts, and kept
// in step with the members' profiles (network_host.hpp).
#include <spdlog/spdlog.h>
#include <algorithm>
#include <set>
#include <tuple>
#include "base/base64url.hpp"
#include "crypto/hash.hpp"
#include "node/daemon/network_host.hpp"
#include "node/daemon/network_host_parts.hpp"
#include "node/ingest/stored_record.hpp"
#include "node/peers/address.hpp"
#include "node/records/record_fork.hpp"

namespace zwerm::node {

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
  if (auto it = saved_bindings_.find(id); it != saved_bindings_.end()) {
    c->admission.restore(it->second);
  }
  // Reports of the ingest queue come back to the I/O executor; the weak reference keeps them
  // from reaching a destroyed host (the engine keeps its own).
  sync::store_replica::poster post = [ex = executor_,
                                      alive = std::weak_ptr<int>(alive_)](std::function<void()> f) {
    asio::post(ex, [alive, f = std::move(f)] {
      if (!alive.expired()) f();
    });
  };
  c->replica = std::make_unique<sync::store_replica>(host_.store(), id, *ingest_, std::move(post),
                                                     deferred_.get());
  sync::engine_callbacks cbs;
  cbs.on_misbehaviour = [this, raw](sync::session_id sid, const member_id& peer,
                                    const sync::misbehaviour& m) {
    on_misbehaviour(*raw, sid, peer, m);
  };
  cbs.on_local_error = [this, raw](sync::session_id sid, const status& st) {
    spdlog::error("sync of {}: local failure: {}", crypto::short_id(raw->id), st.message());
    close_sid(*raw, sid);
  };
  // Sync's records go to the community state coalesced (community_host::absorb_soon); the
  // state's on_absorbed brings them back here (on_absorbed).
  cbs.on_appended = [this, raw](const std::vector<sync::record_key>& keys) {
    host_.absorb_soon(raw->replica->take_appended(keys), raw->engine->fetching() > 0);
  };
  cbs.on_ingested = [this, raw](sync::session_id sid) { on_ingested(*raw, sid); };
  cbs.on_ready = [this, raw](sync::session_id sid) {
    write_join(*raw);
    // Asked once the hellos are done (a request before them would not be sent).
    // Not of a newcomer whose join has not taken effect (a restricted session).
    if (raw->manager->needs_addresses() && !raw->engine->stats(sid).restricted) {
      raw->engine->request_peers(sid);
    }
  };
  cbs.on_peers = [this, raw](sync::session_id, const std::vector<sync::peer_address>& entries) {
    // Hints only: the manager's key filter drops keys this node may not dial.
    if (!options_.peer_discovery) return;
    std::vector<peers::keyed_address> hints;
    hints.reserve(entries.size());
    for (const auto& e : entries) hints.push_back({e.key, e.address});
    if (raw->manager->learn_from_exchange(hints) > 0) schedule_tick(*raw);
  };
  cbs.addresses_to_share = [this, raw]() {
    std::vector<sync::peer_address> out;
    if (auto own = own_address()) out.push_back({host_.me().pk, own->to_string()});
    for (auto& a : raw->manager->shareable()) out.push_back({a.key, std::move(a.address)});
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
    if (!hint) continue;
    c->config_hints.push_back(*hint);
    c->bootstrap_addresses.insert(hint->address);
  }
  make_manager(*c);
  if (host_.own_feed_unconfirmed(id)) begin_restore(*c);
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
  c.manager = std::make_unique<peers::manager>(host_.me().pk, mo, peers_clock_, c.book.get());
  c.manager->set_key_filter([this, raw = &c](const member_id& key) { return may_dial(*raw, key); });
  if (status s = c.manager->restore(); !s.ok()) {
    spdlog::warn("peers of {}: {}", crypto::short_id(c.id), s.message());
  }
  if (status s = c.manager->set_config(c.config_hints); !s.ok()) {
    spdlog::warn("bootstrap: {}", s.message());
  }
  apply_operator(c);
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

}  // namespace zwerm::node
