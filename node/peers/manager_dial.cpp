// The manager's dial choice, connection events and queries. Sources and persistence are in
// manager.cpp.
#include <algorithm>

#include "node/peers/backoff.hpp"
#include "node/peers/manager.hpp"

namespace zwerm::node::peers {

dial_failure classify_dial_error(status_code code) {
  return code == status_code::rejected ? dial_failure::refused : dial_failure::unreachable;
}

const char* to_string(peer_state s) {
  switch (s) {
    case peer_state::connected:
      return "connected";
    case peer_state::dialing:
      return "dialing";
    case peer_state::ready:
      return "ready";
    case peer_state::backoff:
      return "backoff";
    case peer_state::banned:
      return "banned";
    case peer_state::self:
      return "self";
    case peer_state::no_key:
      return "no_key";
    case peer_state::not_member:
      return "not_member";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------- choice

bool manager::key_busy(const member_id& key) const {
  if (by_key_.count(key)) return true;
  return std::any_of(dialing_.begin(), dialing_.end(),
                     [&](const auto& d) { return d.second == key; });
}

// Could this address ever be dialed (ignoring time and what is connected now)?
bool manager::dialable_ever(const std::string& address, const peer_info& info) const {
  if (info.self || self_addresses_.count(address)) return false;
  auto key = info.key();
  return key && *key != own_ && key_allowed(*key);
}

// A wall clock set back (or times stored under a clock that was ahead) must not hold an
// address back: a backoff that ends later than backoff_cap from now can only come from such a
// clock, so it means nothing and the address is due now; a ban is kept but ends at most
// ban_cap from now. Called by tick(), so next_wakeup() sees the corrected times.
void manager::cap_waits(time_point now) {
  for (auto& [address, info] : entries_) {
    if (info.next_attempt > now + options_.backoff_cap) {
      info.next_attempt = now;
      touch(address);
    }
    if (info.ban_until > now + options_.ban_cap) {
      info.ban_until = now + options_.ban_cap;
      touch(address);
    }
  }
}

std::optional<time_point> manager::held(const std::string& address, time_point now) const {
  if (holds_.empty()) return std::nullopt;
  auto where = parse_address(address);
  if (!where.ok()) return std::nullopt;
  auto ip = ban_key_of_host(where->host);
  if (!ip) return std::nullopt;
  auto it = holds_.find(*ip);
  if (it == holds_.end() || it->second <= now) return std::nullopt;
  return it->second;
}

bool manager::eligible(const std::string& address, const peer_info& info, time_point now) const {
  return dialable_ever(address, info) && info.ban_until <= now && info.next_attempt <= now &&
         !dialing_.count(address) && !key_busy(*info.key()) && !held(address, now);
}

std::vector<dial_request> manager::tick() {
  std::vector<dial_request> out;
  const time_point now = clock_.now();
  cap_waits(now);
  std::size_t active = connections_.size() + dialing_.size();
  if (active >= options_.target) return out;

  std::vector<const std::pair<const std::string, peer_info>*> candidates;
  for (const auto& e : entries_) {
    if (eligible(e.first, e.second, now)) candidates.push_back(&e);
  }
  // Uniform choice without replacement; several addresses may expect one key, and a key is
  // dialed through one address at a time (eligible() sees the dials started here).
  while (active < options_.target && !candidates.empty()) {
    std::uniform_int_distribution<std::size_t> pick(0, candidates.size() - 1);
    const std::size_t i = pick(rng_);
    const auto* chosen = candidates[i];
    candidates[i] = candidates.back();
    candidates.pop_back();
    const member_id key = *chosen->second.key();
    if (key_busy(key)) continue;
    auto where = parse_address(chosen->first);
    if (!where.ok()) continue;  // canonical keys always parse; kept for safety
    dialing_.emplace(chosen->first, key);
    out.push_back({chosen->first, *where, key});
    ++active;
  }
  return out;
}

std::optional<time_point> manager::next_wakeup() const {
  if (connections_.size() + dialing_.size() >= options_.target) return std::nullopt;
  std::optional<time_point> best;
  for (const auto& [address, info] : entries_) {
    if (!dialable_ever(address, info) || dialing_.count(address) || key_busy(*info.key())) continue;
    time_point t = std::max(info.next_attempt, info.ban_until);
    if (auto h = held(address, clock_.now())) t = std::max(t, *h);
    if (!best || t < *best) best = t;
  }
  return best;
}

// ---------------------------------------------------------------------------- events

void manager::count_failure(peer_info& info, time_point now) {
  if (info.failures < UINT32_MAX) ++info.failures;
  info.next_attempt =
      now + full_jitter(backoff_ceiling(info.failures, options_.backoff_base, options_.backoff_cap),
                        rng_);
}

void manager::note_problem(const std::string& canonical, std::string_view text) {
  if (text.empty() || !entries_.count(canonical)) return;
  notes_[canonical].last_problem = std::string(text.substr(0, max_note_size));
}

void manager::dial_failed(std::string_view address, dial_failure why, std::string_view detail) {
  const std::string canonical(address);
  dialing_.erase(canonical);
  peer_info* info = lookup(canonical);
  if (info == nullptr || why == dial_failure::cancelled) return;
  note_problem(canonical, detail);
  const time_point now = clock_.now();
  switch (why) {
    case dial_failure::self:
      info->self = true;
      break;
    case dial_failure::refused:
      // A key that only peer exchange named, on an address a trusted source gave: the refusal
      // suggests the key is wrong, so forget it and wait for a trusted one.
      if (info->key_source() == source::exchange && !info->only(source::exchange)) {
        drop_source(canonical, source::exchange);
        info = lookup(canonical);
        if (info == nullptr) return;
      }
      count_failure(*info, now);
      break;
    case dial_failure::unreachable:
    case dial_failure::cancelled:
      count_failure(*info, now);
      break;
  }
  touch(canonical);
}

connect_decision manager::admit(connection_id id, const member_id& remote, direction dir,
                                std::string address) {
  connect_decision d;
  auto existing = by_key_.find(remote);
  if (existing != by_key_.end()) {
    const connection& old = connections_.at(existing->second);
    // Both ends apply the same rule, so both keep the same connection: the one dialed by the
    // smaller key; of two in one direction, the newer (the peer dialed again: the old one is
    // probably dead on its side).
    const bool new_preferred = (dir == direction::outbound) ? own_ < remote : remote < own_;
    if (old.dir != dir && !new_preferred) {
      d.keep = false;
      return d;
    }
    d.close = existing->second;
    connections_.erase(existing->second);
    by_key_.erase(existing);
  }
  connections_[id] = connection{remote, dir, std::move(address), clock_.now()};
  by_key_[remote] = id;
  return d;
}

connect_decision manager::connected_outbound(connection_id id, std::string_view address,
                                             const member_id& remote) {
  const std::string canonical(address);
  dialing_.erase(canonical);
  if (remote == own_) {
    if (peer_info* info = lookup(canonical)) {
      info->self = true;
      touch(canonical);
    }
    return {false, std::nullopt};
  }
  if (peer_info* info = lookup(canonical)) {
    info->last_success = clock_.now();
    touch(canonical);
  }
  return admit(id, remote, direction::outbound, canonical);
}

connect_decision manager::connected_inbound(connection_id id, const member_id& remote) {
  if (remote == own_) return {false, std::nullopt};
  return admit(id, remote, direction::inbound, {});
}

void manager::disconnected(connection_id id, std::string_view why) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  const connection c = it->second;
  connections_.erase(it);
  if (auto k = by_key_.find(c.remote); k != by_key_.end() && k->second == id) by_key_.erase(k);
  if (c.dir != direction::outbound) return;
  peer_info* info = lookup(c.address);
  if (info == nullptr) return;
  const time_point now = clock_.now();
  if (now - c.since >= options_.stable_after) {
    info->failures = 0;
    info->next_attempt = now + full_jitter(options_.backoff_base, rng_);
  } else {
    count_failure(*info, now);
    note_problem(c.address, why.empty() ? std::string_view("the connection ended early") : why);
  }
  touch(c.address);
}

void manager::misbehaved(const member_id& member, std::string_view reason) {
  const time_point now = clock_.now();
  for (auto& [address, info] : entries_) {
    if (info.key() != member) continue;
    if (!reason.empty()) notes_[address].ban_reason = std::string(reason.substr(0, max_note_size));
    if (info.misbehaviours < UINT32_MAX) ++info.misbehaviours;
    info.ban_until = std::max(
        info.ban_until, now + ban_length(info.misbehaviours, options_.ban_base, options_.ban_cap));
    touch(address);
  }
}

void manager::banned(std::string_view address, time_point until, std::string_view reason) {
  auto parsed = parse_address(address);
  if (!parsed.ok()) return;
  until = std::min(until, clock_.now() + options_.ban_cap);
  if (peer_info* info = lookup(parsed->text()); info != nullptr && info->ban_until < until) {
    info->ban_until = until;
    if (!reason.empty())
      notes_[parsed->text()].ban_reason = std::string(reason.substr(0, max_note_size));
    touch(parsed->text());
  }
}

// ---------------------------------------------------------------------------- the operator

void manager::hold(const std::string& ip, time_point until) {
  holds_[ip] = until;
}

bool manager::release(const std::string& ip) {
  const time_point now = clock_.now();
  bool lifted = false;
  if (auto it = holds_.find(ip); it != holds_.end()) {
    lifted = it->second > now;
    holds_.erase(it);
  }
  for (auto& [address, info] : entries_) {
    auto where = parse_address(address);
    if (!where.ok() || ban_key_of_host(where->host) != ip) continue;
    if (info.ban_until > now) lifted = true;
    if (info.ban_until != time_point{} || info.misbehaviours != 0) {
      info.ban_until = time_point{};
      info.misbehaviours = 0;
      touch(address);
    }
    if (auto n = notes_.find(address); n != notes_.end()) n->second.ban_reason.clear();
  }
  return lifted;
}

// ---------------------------------------------------------------------------- queries

std::vector<keyed_address> manager::shareable() const {
  const time_point now = clock_.now();
  // Worked before (most recent first), then the rest by address.
  using candidate = std::pair<time_point, const std::pair<const std::string, peer_info>*>;
  std::vector<candidate> good;
  for (const auto& e : entries_) {
    const peer_info& info = e.second;
    if (!dialable_ever(e.first, info) || info.ban_until > now || held(e.first, now)) continue;
    const bool worked = info.last_success != time_point{};
    const bool trusted = info.key_source() != source::exchange && info.failures == 0;
    const bool live = by_key_.count(*info.key()) != 0;
    if (worked || trusted || live) good.emplace_back(info.last_success, &e);
  }
  std::sort(good.begin(), good.end(), [](const candidate& a, const candidate& b) {
    return a.first != b.first ? a.first > b.first : a.second->first < b.second->first;
  });
  std::vector<keyed_address> out;
  for (const auto& [when, e] : good) {
    if (out.size() >= options_.max_share) break;
    out.push_back({*e->second.key(), e->first});
  }
  return out;
}

bool manager::needs_addresses() const {
  if (connections_.size() + dialing_.size() >= options_.target) return false;
  std::size_t candidates = 0;
  for (const auto& [address, info] : entries_) {
    if (dialable_ever(address, info) && !by_key_.count(*info.key())) ++candidates;
  }
  return candidates < options_.target;
}

peer_state manager::state_of(const std::string& address, const peer_info& info,
                             time_point now) const {
  if (info.self || self_addresses_.count(address)) return peer_state::self;
  if (dialing_.count(address)) return peer_state::dialing;
  auto key = info.key();
  if (!key) return peer_state::no_key;
  if (*key == own_) return peer_state::self;
  if (!key_allowed(*key)) return peer_state::not_member;
  if (by_key_.count(*key)) return peer_state::connected;  // through this address or another
  if (info.ban_until > now || held(address, now)) return peer_state::banned;
  if (info.next_attempt > now) return peer_state::backoff;
  return peer_state::ready;
}

std::vector<peer_view> manager::known() const {
  const time_point now = clock_.now();
  std::vector<peer_view> out;
  out.reserve(entries_.size());
  for (const auto& [address, info] : entries_) {
    peer_view v;
    v.address = address;
    v.info = info;
    v.state = state_of(address, info, now);
    if (auto h = held(address, now)) v.held_until = *h;
    if (auto n = notes_.find(address); n != notes_.end()) {
      v.last_problem = n->second.last_problem;
      v.ban_reason = n->second.ban_reason;
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<connection_view> manager::connections() const {
  std::vector<connection_view> out;
  out.reserve(connections_.size());
  for (const auto& [id, c] : connections_) out.push_back({id, c.remote, c.dir, c.address, c.since});
  std::sort(out.begin(), out.end(), [](const connection_view& a, const connection_view& b) {
    return a.since != b.since ? a.since < b.since
                              : static_cast<std::uint64_t>(a.id) < static_cast<std::uint64_t>(b.id);
  });
  return out;
}

}  // namespace zwerm::node::peers
