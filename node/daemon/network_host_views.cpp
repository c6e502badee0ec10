#include "node/daemon/network_host.hpp"

#include "base/base64url.hpp"
#include "node/daemon/network_host_parts.hpp"

namespace zwerm::node {

using crypto::short_id;

using json = nlohmann::json;

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

net::listener::counters network_host::listener_stats() const {
  return listener_ ? listener_->stats() : net::listener::counters{};
}

json network_host::status_json(lag_rows lag) const {
  const bool behind_only = lag == lag_rows::behind;
  json peers_rows = json::array();
  json lag_rows = json::array();
  json sync_rows = json::array();
  for (const auto& [id, c] : communities_) {
    const community::state* st = host_.state_of(id);
    const std::string cname = st ? st->name : crypto::short_id(id);
    const std::string cid = crypto::to_text(id);  // names may repeat; ids do not
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
    json row{{"community", cname},
             {"community_id", cid},
             {"records_received", received},
             {"records_stored", stored},
             {"records_duplicate", duplicate},
             {"bytes_sent", bytes_sent},
             {"bytes_received", bytes_received}};
    {
      // This member's own feed: "restored" (a restored node waits for a member's node to
      // confirm it), "behind" (a peer holds more of it: writes wait), else "ok".
      auto local = c->replica->head_seq(host_.me().pk);
      const std::uint64_t have = local ? *local : 0;
      const std::uint64_t best = c->engine->best_known_seq(host_.me().pk);
      const char* state = host_.own_feed_unconfirmed(id) ? "restored"
                          : best > have                  ? "behind"
                                                         : "ok";
      row["own_feed"] = json{{"state", state}, {"have_seq", have}, {"peer_seq", best}};
    }
    if (c->told_removed) {
      row["removed_notice"] = json{{"by", crypto::to_text(c->told_removed->by)},
                                   {"record", crypto::to_text(c->told_removed->record)}};
    }
    sync_rows.push_back(std::move(row));
    for (const auto& conn : c->manager->connections()) {
      peers_rows.push_back(
          json{{"community", cname},
               {"community_id", cid},
               {"member", crypto::to_text(conn.remote)},
               {"name", name_of(st, conn.remote)},
               {"direction", conn.dir == peers::direction::outbound ? "out" : "in"},
               {"endpoint", endpoint_of(*c, conn)},
               {"since_ts", conn.since.time_since_epoch().count()}});
    }
    if (!st || lag == lag_rows::none) continue;
    for (const auto& m : st->members) {
      const std::uint64_t announced = c->engine->best_known_seq(m.id);
      // A feed no peer announced cannot be behind: skip its store read (a metrics scrape or
      // the dashboard of a 10,000-member community asks for the feeds behind only).
      if (behind_only && announced == 0) continue;
      auto local = c->replica->head_seq(m.id);
      const std::uint64_t have = local ? *local : 0;
      const std::uint64_t best = std::max(have, announced);
      if (behind_only && best == have) continue;
      lag_rows.push_back(json{{"community", cname},
                              {"community_id", cid},
                              {"member", crypto::to_text(m.id)},
                              {"name", m.name},
                              {"have_seq", have},
                              {"best_known_seq", best},
                              {"behind", best - have}});
    }
  }
  json signatures{{"unchecked", 0}, {"checked", 0}, {"held_bad", 0}};
  if (deferred_) {
    signatures = json{{"unchecked", deferred_->unchecked_count()},
                      {"checked", deferred_->checked_count()},
                      {"held_bad", deferred_->bad_count()}};
  }
  return json{{"listen", bound_address().to_string()},
              {"advertise", own_address() ? json(own_address()->to_string()) : json(nullptr)},
              {"peers", std::move(peers_rows)},
              {"lag", std::move(lag_rows)},
              {"sync", std::move(sync_rows)},
              {"signatures", std::move(signatures)}};
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
      json row{{"endpoint", v.address},
               {"member", key ? json(crypto::to_text(*key)) : json(nullptr)},
               {"state", peers::to_string(v.state)},
               {"sources", std::move(sources)},
               {"failures", v.info.failures}};
      // Why it is not connected, from what the manager keeps: until when and what for.
      switch (v.state) {
        case peers::peer_state::banned:
          if (v.held_until > v.info.ban_until) {
            row["until_ts"] = v.held_until.time_since_epoch().count();
            row["banned_by"] = "operator";
            row["reason"] = "banned by the operator";
          } else {
            row["until_ts"] = v.info.ban_until.time_since_epoch().count();
            row["banned_by"] = "node";
            row["reason"] = v.ban_reason.empty() ? std::string("misbehaved") : v.ban_reason;
          }
          break;
        case peers::peer_state::backoff:
          row["until_ts"] = v.info.next_attempt.time_since_epoch().count();
          if (!v.last_problem.empty()) row["reason"] = v.last_problem;
          break;
        case peers::peer_state::ready:
          if (v.info.last_success == peers::time_point{} && v.info.failures == 0) {
            row["never_tried"] = true;
          } else if (!v.last_problem.empty()) {
            row["reason"] = v.last_problem;
          }
          break;
        default:
          break;
      }
      known.push_back(std::move(row));
    }
  }
  json bans = json::array();
  const std::int64_t now = options_.clock->unix_ms();
  for (const auto& [ip, ban] : operator_.bans) {
    if (ban.until_ms <= now) continue;
    bans.push_back(json{{"address", ip}, {"since_ts", ban.since_ms}, {"until_ts", ban.until_ms}});
  }
  return json{{"community", crypto::to_text(community)},
              {"listen", bound_address().to_string()},
              {"connections", std::move(connections)},
              {"known", std::move(known)},
              {"bans", std::move(bans)}};
}

}  // namespace zwerm::node
