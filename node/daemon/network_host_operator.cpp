// The operator's peer decisions in network_host: peer add, remove, ban and unban, and the file
// that keeps them (operator_peers.hpp).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "base/base64url.hpp"
#include "node/daemon/network_host.hpp"
#include "node/daemon/network_host_parts.hpp"
#include "node/peers/address.hpp"
#include "node/rpc_contract/contract.hpp"

namespace zwerm::node {

namespace {

std::optional<asio::ip::address> ip_of(const std::string& ban_key) {
  boost::system::error_code ec;
  auto a = asio::ip::make_address(ban_key, ec);
  if (ec) return std::nullopt;
  return a;
}

std::string hint_text(const peers::address_hint& h) {
  return h.key ? crypto::to_text(*h.key) + "@" + h.address : h.address;
}

}  // namespace

status network_host::save_operator() {
  if (options_.operator_peers_file.empty()) return {};
  return save_operator_peers(options_.operator_peers_file, operator_);
}

const operator_ban* network_host::held(const asio::ip::address& ip) const {
  if (operator_.bans.empty()) return nullptr;
  auto it = operator_.bans.find(ip.to_string());
  if (it == operator_.bans.end() || it->second.until_ms <= options_.clock->unix_ms())
    return nullptr;
  return &it->second;
}

void network_host::apply_operator(community_net& c) {
  if (auto it = operator_.added.find(c.id); it != operator_.added.end()) {
    for (const auto& text : it->second) {
      auto hint = peers::parse_hint(text);
      if (!hint) continue;  // checked when loaded
      auto same = std::find_if(c.config_hints.begin(), c.config_hints.end(),
                               [&](const auto& h) { return h.address == hint->address; });
      if (same == c.config_hints.end()) {
        c.config_hints.push_back(*hint);
      } else if (!c.bootstrap_addresses.count(hint->address)) {
        *same = *hint;
      }
    }
    if (status s = c.manager->set_config(c.config_hints); !s.ok()) {
      spdlog::warn("peers of {}: {}", crypto::short_id(c.id), s.message());
    }
  }
  for (const auto& [ip, ban] : operator_.bans) {
    c.manager->hold(ip, peers::time_point(peers::milliseconds(ban.until_ms)));
  }
}

result<peers::address_hint> network_host::add_peer(const community_id& community,
                                                   std::string_view text) {
  community_net* c = ensure_community(community);
  if (!c) return status{status_code::not_found, "this node holds no network key for it"};
  auto hint = peers::parse_hint(text);
  if (!hint) return hint.error();
  auto& added = operator_.added[community];
  auto mine = std::find_if(added.begin(), added.end(), [&](const std::string& t) {
    auto h = peers::parse_hint(t);
    return h && h->address == hint->address;
  });
  const operator_peers before = operator_;
  if (mine != added.end()) {
    *mine = hint_text(*hint);
  } else if (added.size() >= rpc_contract::max_added_peers) {
    return status{status_code::rejected,
                  "this community has " + std::to_string(added.size()) +
                      " addresses added by hand, the most it keeps; remove one with zwerm peer "
                      "remove first"};
  } else {
    added.push_back(hint_text(*hint));
  }
  if (status s = save_operator(); !s.ok()) {
    operator_ = before;
    return s;
  }
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

result<std::string> network_host::remove_peer(const community_id& community,
                                              std::string_view text) {
  community_net* c = find(community);
  if (!c) return status{status_code::not_found, "this node holds no network key for it"};
  auto hint = peers::parse_hint(text);
  if (!hint) return hint.error();
  const std::string& address = hint->address;
  const peers::peer_info* info = c->manager->find(address);
  if (info == nullptr) {
    return status{status_code::not_found,
                  address + " is not a known address of this community (zwerm peers lists them)"};
  }
  if (c->bootstrap_addresses.count(address)) {
    return status{status_code::rejected, address +
                                             " is in config.json's bootstrap list: remove it "
                                             "there and restart zwermd"};
  }
  if (info->has(peers::source::profile)) {
    return status{status_code::rejected,
                  address +
                      " is the address in a member's profile and would come back with it; "
                      "zwerm peer ban stops dialing it"};
  }
  auto& added = operator_.added[community];
  const operator_peers before = operator_;
  std::erase_if(added, [&](const std::string& t) {
    auto h = peers::parse_hint(t);
    return h && h->address == address;
  });
  if (added.empty()) operator_.added.erase(community);
  if (status s = save_operator(); !s.ok()) {
    operator_ = before;
    return s;
  }
  std::erase_if(c->config_hints, [&](const auto& h) { return h.address == address; });
  (void)c->manager->set_config(c->config_hints);  // drops the config source
  if (c->manager->find(address) != nullptr) (void)c->manager->forget(address);
  // Saved at once: a restart right after must not bring it back from the peer book.
  if (status s = c->manager->flush(); !s.ok()) {
    spdlog::warn("peers of {}: cannot save the peer book: {}", crypto::short_id(c->id),
                 s.message());
  }
  schedule_tick(*c);
  return address;
}

result<network_host::ban_outcome> network_host::ban_peer(std::string_view text,
                                                         std::chrono::milliseconds length) {
  auto key = peers::parse_ban_address(text);
  if (!key) return key.error();
  const std::string ip = *key;
  std::vector<std::string> own{options_.listen.host, bound_address().host};
  if (auto a = own_address()) own.push_back(a->host);
  for (const auto& host : own) {
    if (peers::ban_key_of_host(host) == ip) {
      return status{status_code::rejected,
                    ip + " is this node's own address (listen or advertise); it cannot be banned"};
    }
  }
  const std::int64_t now = options_.clock->unix_ms();
  const operator_peers before = operator_;
  // Ended bans go (from the file too, saved below): only bans in force count toward the bound.
  std::erase_if(operator_.bans, [now](const auto& kv) { return kv.second.until_ms <= now; });
  if (!operator_.bans.count(ip) && operator_.bans.size() >= rpc_contract::max_operator_bans) {
    const std::size_t in_force = operator_.bans.size();
    operator_ = before;
    return status{status_code::rejected, "this node already holds " + std::to_string(in_force) +
                                             " bans, the most it keeps; lift one with zwerm peer "
                                             "unban first"};
  }
  operator_.bans[ip] = operator_ban{now, now + length.count()};
  if (status s = save_operator(); !s.ok()) {
    operator_ = before;
    return s;
  }
  ban_outcome out{ip, now + length.count(), 0};
  const auto address = ip_of(ip);
  if (listener_ && address) listener_->bans().hold(*address, length);
  for (auto& [id, c] : communities_) {
    c->manager->hold(ip, peers::time_point(peers::milliseconds(out.until_ms)));
    std::vector<net::session_ptr> doomed;
    for (auto& [sid, l] : c->links) {
      if (address && l.session->remote_endpoint().address() == *address) {
        doomed.push_back(l.session);
      }
    }
    for (auto& s : doomed) s->close();
    out.closed += doomed.size();
    schedule_tick(*c);
  }
  spdlog::info("the operator banned {} until {} ms; {} session{} closed", ip, out.until_ms,
               out.closed, out.closed == 1 ? "" : "s");
  return out;
}

result<std::string> network_host::unban_peer(std::string_view text) {
  auto key = peers::parse_ban_address(text);
  if (!key) return key.error();
  const std::string ip = *key;
  const operator_peers before = operator_;
  bool lifted = false;
  if (auto it = operator_.bans.find(ip); it != operator_.bans.end()) {
    lifted = it->second.until_ms > options_.clock->unix_ms();
    operator_.bans.erase(it);
    if (status s = save_operator(); !s.ok()) {
      operator_ = before;
      return s;
    }
  }
  if (const auto address = ip_of(ip); listener_ && address) {
    if (listener_->bans().is_banned(*address)) lifted = true;
    listener_->bans().forgive(*address);
  }
  for (auto& [id, c] : communities_) {
    if (c->manager->release(ip)) lifted = true;
    schedule_tick(*c);
  }
  if (!lifted) return status{status_code::not_found, ip + " is not banned"};
  spdlog::info("the operator lifted the bans of {}", ip);
  return ip;
}

}  // namespace zwerm::node
