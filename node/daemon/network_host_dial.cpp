#include "node/daemon/network_host.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "base/base64url.hpp"
#include "node/daemon/network_host_parts.hpp"
#include "node/peers/address.hpp"

namespace zwerm::node {

using crypto::short_id;

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
    spdlog::debug("community {}: dialing {} at {}", crypto::short_id(id), short_id(req.key),
                  req.address);
    ++c->join.dialing;
    asio::co_spawn(executor_, dial_one(this, id, std::move(req), std::move(t)),
                   net::log_exception{"dial"});
  }
  if (auto next = c->manager->next_wakeup()) {
    const auto delay = std::max(peers::milliseconds(0), *next - peers_clock_.now());
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
    spdlog::info("community {}: dial {} failed: {}", crypto::short_id(id), address,
                 outcome.error().message());
    c->manager->dial_failed(address, peers::classify_dial_error(outcome.error().code()),
                            outcome.error().message());
    ++c->join.dials_failed;
    if (outcome.error().code() == status_code::rejected) {
      ++c->join.refusals;
      c->join.last_problem = "the node at " + address + " did not admit this node";
    } else {
      c->join.last_problem = "dialing " + address + " failed: " + outcome.error().message();
    }
  } else if (const operator_ban* ban = held((*outcome)->remote_endpoint().address())) {
    (*outcome)->close();
    c->manager->dial_failed(address, peers::dial_failure::cancelled);
    c->manager->banned(address, peers::time_point(peers::milliseconds(ban->until_ms)),
                       "it is at " + (*outcome)->remote_endpoint().address().to_string() +
                           ", which the operator banned");
  } else if ((*outcome)->is_closed()) {
    c->manager->dial_failed(address, peers::dial_failure::unreachable,
                            "the node closed the connection at once");
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

// --- joining ----------------------------------------------------------------------------------

status network_host::begin_join(const invite_code& code) {
  if (status s = host_.adopt(code.community, code.network_key); !s.ok()) return s;
  community_net* c = ensure_community(code.community);
  if (!c) return {status_code::io_error, "the community could not be set up"};
  c->join = {};
  c->join_token = code.token ? code.token->str() : std::string();
  c->joining = true;
  c->join_invite = code.invite_id;
  c->join_invite_lamport = code.invite_lamport;
  c->join_written = false;
  for (const auto& p : code.peers) c->invite_keys.insert(p.key);
  for (const auto& p : code.peers) {
    if (status s = c->manager->add_invite(p.address.to_string(), p.key); !s.ok()) {
      c->join.last_problem = s.message();
    }
  }
  schedule_tick(*c);
  return {};
}

void network_host::write_join(community_net& c) {
  // Join first, read after: the member nodes serve this node nothing of the log until its
  // join took effect there, so it is written as soon as one of them answers (its hello).
  if (!c.joining || c.join_written || me_active(c)) return;
  nlohmann::json body{{"invite", crypto::to_text(c.join_invite)}};
  if (!c.join_token.empty()) {
    invite_token token;
    invite_token::from(c.join_token, &token);
    body["token"] = crypto::to_text(token);
  }
  auto written = host_.write_join(c.id, body, c.join_invite_lamport);
  if (!written) {
    c.join.last_problem = "writing the join record failed: " + written.error().message();
    spdlog::error("community {}: {}", crypto::short_id(c.id), c.join.last_problem);
    return;
  }
  c.join_written = true;
  c.join_record = written->id;
  spdlog::info("community {}: join record written; waiting for it to take effect",
               crypto::short_id(c.id));
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
                 crypto::short_id(community), forgot.error().message());
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
  out.join_written = c->join_written;
  out.join_record = c->join_record;
  out.joined = st && st->is_active_member(host_.me().pk);
  return out;
}

void network_host::forget(const community_id& community) {
  community_net* c = find(community);
  if (!c) return;
  std::vector<net::session_ptr> open;
  for (auto& [id, l] : c->links) open.push_back(l.session);
  for (auto& s : open) s->close();
  boost::system::error_code ignored;
  c->tick_timer.cancel(ignored);
  // Sessions, dials and posted reports look the community up by id and find nothing.
  communities_.erase(community);
  update_networks();
  saved_bindings_.erase(community);
  save_bindings();
}

// --- restoring --------------------------------------------------------------------------------

void network_host::begin_restore(community_net& c) {
  c.restoring = true;
  for (const auto& h : c.config_hints) {
    if (h.key) c.restore_keys.insert(*h.key);
  }
  for (const auto& text : host_.restore_peers(c.id)) {
    auto hint = peers::parse_hint(text);
    if (!hint || !hint->key) {
      spdlog::warn("community {}: the restored address '{}' is not KEY@host:port; skipped",
                   crypto::short_id(c.id), text);
      continue;
    }
    c.restore_keys.insert(*hint->key);
    if (status s = c.manager->add_invite(hint->address, *hint->key); !s.ok()) {
      spdlog::warn("community {}: the restored address '{}': {}", crypto::short_id(c.id), text,
                   s.message());
    }
  }
  spdlog::info(
      "community {}: restored from a backup; this node writes nothing here until a member's "
      "node has told it the head of its own feed and it holds that record ({} address{} to "
      "ask)",
      crypto::short_id(c.id), c.restore_keys.size(), c.restore_keys.size() == 1 ? "" : "es");
}

void network_host::check_own_feed(community_net& c) {
  if (!c.restoring) return;
  if (!host_.own_feed_unconfirmed(c.id)) {
    c.restoring = false;
    c.restore_keys.clear();
    return;
  }
  const member_id& me = host_.me().pk;
  auto local = c.replica->head_seq(me);
  const std::uint64_t have = local ? *local : 0;
  // Confirmed: an active member's node named the head of this member's feed (every member
  // node holds at least the member's join), or found its frontier equal to this node's (then
  // it holds the same head), and the store holds that far.
  bool told = false;
  std::uint64_t best = 0;
  for (const auto& [id, l] : c.links) {
    if (l.session->is_closed() || !is_member(c, l.session->remote_key())) continue;
    const std::uint64_t k = c.engine->known_by(l.sid, me);
    best = std::max(best, k);
    if (k > 0 || (have > 0 && c.engine->stats(l.sid).in_sync)) told = true;
  }
  if (!told || have < best) return;
  if (status s = host_.confirm_own_feed(c.id); !s.ok()) {
    spdlog::error("community {}: cannot save that the own feed is confirmed: {}",
                  crypto::short_id(c.id), s.message());
    return;
  }
  c.restoring = false;
  c.restore_keys.clear();
  spdlog::info("community {}: own feed confirmed at seq {} by a member's node; writing again",
               crypto::short_id(c.id), have);
}

status network_host::write_guard(const community_id& community) const {
  community_net* c = find(community);
  if (!c) return {};
  const member_id& me = host_.me().pk;
  auto local = c->replica->head_seq(me);
  const std::uint64_t have = local ? *local : 0;
  const std::uint64_t best = c->engine->best_known_seq(me);
  if (best <= have) return {};
  return {status_code::rejected,
          "a member's node holds your own feed up to record " + std::to_string(best) +
              " and this node only up to " + std::to_string(have) +
              " (a restored or copied home): it writes once it has caught up, so that no "
              "record of yours takes a place already used (`zwerm status` shows the catch-up)"};
}

}  // namespace zwerm::node
