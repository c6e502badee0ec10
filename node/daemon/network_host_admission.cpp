#include "node/daemon/network_host.hpp"

#include <spdlog/spdlog.h>

#include "base/base64url.hpp"
#include "node/daemon/network_host_parts.hpp"

namespace zwerm::node {

using crypto::short_id;

// --- authorization ----------------------------------------------------------------------------

bool network_host::me_active(const community_net& c) const {
  const community::state* st = host_.state_of(c.id);
  return st && st->is_active_member(host_.me().pk);
}

bool network_host::is_member(const community_net& c, const member_id& key) const {
  const community::state* st = host_.state_of(c.id);
  return st && c.admission.of(*st, key, options_.clock->unix_ms()) == standing::member;
}

bool network_host::may_replicate(community_net& c, const member_id& key) const {
  const community::state* st = host_.state_of(c.id);
  if (st && c.admission.of(*st, key, options_.clock->unix_ms()) != standing::none) return true;
  // Restored: the nodes the backup names, until the own feed is confirmed.
  if (c.restoring && c.restore_keys.count(key) != 0) return true;
  // Joining: the nodes the invite code names, whatever this node's partial state says of them.
  return c.joining && !me_active(c) && c.invite_keys.count(key) != 0;
}

bool network_host::may_dial(const community_net& c, const member_id& key) const {
  if (c.told_removed && !c.joining) return false;
  const community::state* st = host_.state_of(c.id);
  if (st && st->is_active_member(host_.me().pk)) return st->is_active_member(key);
  // Restored, before this member's join is back in the state: the backup's nodes.
  if (c.restoring) return c.restore_keys.count(key) != 0 || (st && st->is_active_member(key));
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
  if (const community::state* st = host_.state_of(c.id)) {
    const std::size_t before = c.admission.bound();
    c.admission.prune(*st, options_.clock->unix_ms());
    if (c.admission.bound() != before) save_bindings();
  }
  check_own_feed(c);
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
                 crypto::short_id(c.id), short_id(s->remote_key()));
    s->close();
  }
  // A newcomer whose join took effect reads from now on (a round led by this node follows).
  for (auto& [id, l] : c.links) {
    if (l.session->is_closed() || !c.engine->stats(l.sid).restricted) continue;
    if (!is_member(c, l.session->remote_key())) continue;
    spdlog::info("community {}: {} joined; its session now carries the log", crypto::short_id(c.id),
                 short_id(l.session->remote_key()));
    c.engine->set_restricted(l.sid, false);
    relay_forks(c, l.sid);
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
  const std::int64_t now = options_.clock->unix_ms();
  switch (c->admission.of(*st, client, now)) {
    case standing::member:
    case standing::invitee:
      return net::admission::accept;
    case standing::token:
      return net::admission::needs_token;  // bound to this key: it presents the token again
    case standing::none:
      break;
  }
  if (c->admission.token_possible(*st, client, now)) return net::admission::needs_token;
  // A removed member is told so (the notice names the removal record), so that its node stops
  // dialing; anyone else learns nothing.
  return removal_record(*st, client) ? net::admission::notice : net::admission::reject;
}

std::string network_host::refusal_notice(const crypto::network_key& network,
                                         const crypto::public_key& client) {
  community_net* c = by_network(network);
  const community::state* st = c ? host_.state_of(c->id) : nullptr;
  auto record = st ? removal_record(*st, client) : std::nullopt;
  if (!record) return {};
  spdlog::info("community {}: {} was removed; telling its node so", crypto::short_id(c->id),
               short_id(client));
  return net::encode_refusal(net::refusal_reason::removed, record->view());
}

void network_host::on_refusal(community_net& c, const net::session_ptr& s,
                              std::string_view message) {
  std::uint8_t reason = 0;
  std::string_view detail;
  record_id record;
  if (!net::decode_refusal(message, &reason, &detail) ||
      reason != static_cast<std::uint8_t>(net::refusal_reason::removed) ||
      !record_id::from(detail, &record)) {
    spdlog::warn("community {}: {} refused this node with a notice it cannot read",
                 crypto::short_id(c.id), short_id(s->remote_key()));
    s->close();
    return;
  }
  // Not verifiable here (the removal's records are not served to a former member): a node
  // that lies about it only stops this node dialing until an honest member's node dials it
  // (on_connected resets the notice), which members do since they hold it a member. A member's
  // node that speaks sync with this one right now says otherwise, so the notice is not
  // believed at all then.
  for (const auto& [id, l] : c.links) {
    if (l.session != s && !l.session->is_closed() && is_member(c, l.session->remote_key()) &&
        c.engine->stats(l.sid).messages_received > 0) {
      spdlog::warn(
          "community {}: {} says this member was removed (record {}), but {} replicates with "
          "it: not believed",
          crypto::short_id(c.id), short_id(s->remote_key()), crypto::short_id(record),
          short_id(l.session->remote_key()));
      s->close();
      return;
    }
  }
  spdlog::warn(
      "community {}: {} says this member was removed (record {}); dialing nobody in "
      "the community any more",
      crypto::short_id(c.id), short_id(s->remote_key()), crypto::short_id(record));
  c.told_removed = community_net::removal_notice{s->remote_key(), record};
  s->close();  // the manager's key filter (may_dial) keeps it from dialing anyone else
}

void network_host::save_bindings() {
  if (options_.token_bindings_file.empty()) return;
  token_bindings all;
  for (const auto& [id, c] : communities_) all[id] = c->admission.bound_keys();
  if (status s = save_token_bindings(options_.token_bindings_file, all); !s.ok()) {
    // The binding holds in memory; only a restart before the next save would forget it.
    spdlog::error("cannot save the invite token bindings: {}", s.message());
  }
}

bool network_host::check_token(const crypto::network_key& network, const crypto::public_key& client,
                               std::string_view token) {
  community_net* c = by_network(network);
  const community::state* st = c ? host_.state_of(c->id) : nullptr;
  if (!st) return false;
  const std::size_t before = c->admission.bound();
  if (!c->admission.bind_token(*st, client, token, options_.clock->unix_ms())) return false;
  if (c->admission.bound() != before) save_bindings();
  spdlog::info("community {}: an invite token admitted {}", crypto::short_id(c->id),
               short_id(client));
  return true;
}

void network_host::update_reading(link& l) {
  if (l.paused || l.slowed) {
    l.session->pause_reading();
  } else {
    l.session->resume_reading();
  }
}

void network_host::charge(community_net& c, link& l, std::size_t bytes, std::size_t records) {
  const auto now = options_.clock->steady();
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
  spdlog::warn("community {}: {} is {}; {}", crypto::short_id(c.id), short_id(key), why,
               ban ? "closing and banning" : "closing");
  if (ban) c.manager->misbehaved(key, why);
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

}  // namespace zwerm::node
