// The manager's address sources and persistence. Dialing, events and queries are in
// manager_dial.cpp.
#include "node/peers/manager.hpp"

#include <algorithm>

namespace zwerm::node::peers {

namespace {

std::uint64_t initial_seed(std::uint64_t seed) {
  if (seed != 0) return seed;
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

std::uint8_t bit(source s) {
  return static_cast<std::uint8_t>(1u << static_cast<int>(s));
}

}  // namespace

manager::manager(member_id own, manager_options options, const clock& c,
                 peer_persistence* persistence)
    : own_(own),
      options_(options),
      clock_(c),
      persistence_(persistence),
      rng_(initial_seed(options.seed)) {}

// ---------------------------------------------------------------------------- persistence

status manager::restore() {
  if (persistence_ == nullptr) return {};
  auto loaded = persistence_->load();
  if (!loaded.ok()) return loaded.error();
  std::size_t bad = 0;
  std::string first_problem;
  for (const stored_peer& p : *loaded) {
    auto parsed = parse_address(p.address);
    auto info = decode_info(p.info);
    std::string problem;
    if (!parsed.ok()) {
      problem = parsed.error().message();
    } else if (parsed->text() != p.address) {
      problem = "'" + p.address + "' is not in canonical form";
    } else if (!info.ok()) {
      problem = info.error().message();
    }
    if (!problem.empty()) {
      if (bad++ == 0) first_problem = problem;
      (void)persistence_->erase(p.address);  // best effort: it is re-reported next start if not
      continue;
    }
    const peer_info& i = *info;
    entries_.insert_or_assign(p.address, i);
    if (i.has(source::profile) && i.keys[static_cast<std::size_t>(source::profile)])
      claim_profile(*i.keys[static_cast<std::size_t>(source::profile)], p.address);
  }
  if (bad > 0)
    return {status_code::corruption, std::to_string(bad) +
                                         " stored peer entries could not be read and were "
                                         "dropped; the first: " +
                                         first_problem};
  return {};
}

status manager::flush() {
  if (persistence_ == nullptr) {
    dirty_.clear();
    return {};
  }
  status first;
  for (auto it = dirty_.begin(); it != dirty_.end();) {
    auto e = entries_.find(*it);
    status st = e == entries_.end() ? persistence_->erase(*it)
                                    : persistence_->save(*it, encode_info(e->second));
    if (st.ok()) {
      it = dirty_.erase(it);
    } else {
      if (first.ok()) first = st;
      ++it;
    }
  }
  return first;
}

// ---------------------------------------------------------------------------- sources

peer_info* manager::lookup(std::string_view address) {
  auto it = entries_.find(std::string(address));
  return it == entries_.end() ? nullptr : &it->second;
}

const peer_info* manager::find(std::string_view address) const {
  auto it = entries_.find(std::string(address));
  return it == entries_.end() ? nullptr : &it->second;
}

void manager::key_changed(peer_info& info) {
  // Earlier failures may have been the wrong key's: the new key gets a fresh start. A ban
  // stays: it is about the node at the address, whatever key it turns out to have.
  info.failures = 0;
  info.next_attempt = clock_.now();
}

void manager::set_source(const std::string& canonical, source s, std::optional<member_id> key) {
  auto [it, inserted] = entries_.try_emplace(canonical);
  peer_info& info = it->second;
  if (inserted) info.learned = clock_.now();
  const auto before = info.key();
  const auto old_sources = info.sources;
  info.sources |= bit(s);
  const bool key_same = info.keys[static_cast<std::size_t>(s)] == key;
  info.keys[static_cast<std::size_t>(s)] = key;
  if (!inserted && info.key() != before) key_changed(info);
  if (inserted || old_sources != info.sources || !key_same) touch(canonical);
}

void manager::drop_source(const std::string& canonical, source s) {
  auto it = entries_.find(canonical);
  if (it == entries_.end() || !it->second.has(s)) return;
  peer_info& info = it->second;
  const auto before = info.key();
  info.sources &= static_cast<std::uint8_t>(~bit(s));
  info.keys[static_cast<std::size_t>(s)].reset();
  if (info.sources == 0) {
    erase_entry(it);
  } else if (info.key() != before) {
    key_changed(info);
  }
  touch(canonical);
}

status manager::add_source(std::string_view address, source s, std::optional<member_id> key) {
  auto parsed = parse_address(address);
  if (!parsed.ok()) return parsed.error();
  set_source(parsed->text(), s, key);
  return {};
}

status manager::set_config(const std::vector<address_hint>& hints) {
  status first;
  std::set<std::string> wanted;
  for (const address_hint& h : hints) {
    auto parsed = parse_address(h.address);
    if (!parsed.ok()) {
      if (first.ok()) first = parsed.error();
      continue;
    }
    wanted.insert(parsed->text());
    set_source(parsed->text(), source::config, h.key);
  }
  std::vector<std::string> stale;
  for (const auto& [address, info] : entries_) {
    if (info.has(source::config) && !wanted.count(address)) stale.push_back(address);
  }
  for (const auto& address : stale) drop_source(address, source::config);
  return first;
}

status manager::add_invite(std::string_view address, const member_id& key) {
  return add_source(address, source::invite, key);
}

void manager::claim_profile(const member_id& member, const std::string& canonical) {
  if (auto old = profile_of_.find(member); old != profile_of_.end()) unclaim_profile(member);
  profile_of_[member] = canonical;
  claims_[canonical].insert(member);
}

void manager::unclaim_profile(const member_id& member) {
  auto old = profile_of_.find(member);
  if (old == profile_of_.end()) return;
  if (auto c = claims_.find(old->second); c != claims_.end()) {
    c->second.erase(member);
    if (c->second.empty()) claims_.erase(c);
  }
  profile_of_.erase(old);
}

void manager::release_profile(const std::string& canonical, const member_id& member) {
  peer_info* info = lookup(canonical);
  if (info == nullptr || info->keys[static_cast<std::size_t>(source::profile)] != member) return;
  // Another member's profile may name the same address (a moved node, a mistake): it keeps
  // the profile source alive with its own key.
  if (auto c = claims_.find(canonical); c != claims_.end() && !c->second.empty()) {
    set_source(canonical, source::profile, *c->second.begin());
    return;
  }
  drop_source(canonical, source::profile);
}

status manager::set_profile(const member_id& member, std::optional<std::string_view> address) {
  std::optional<std::string> canonical;
  status st;
  if (address) {
    auto parsed = parse_address(*address);
    if (parsed.ok()) {
      canonical = parsed->text();
    } else {
      st = parsed.error();
    }
  }
  auto old = profile_of_.find(member);
  if (old != profile_of_.end()) {
    if (canonical && old->second == *canonical) {
      set_source(*canonical, source::profile, member);  // latest profile wins the key
      return st;
    }
    const std::string previous = old->second;
    unclaim_profile(member);
    release_profile(previous, member);
  }
  if (canonical) {
    claim_profile(member, *canonical);
    set_source(*canonical, source::profile, member);
  }
  return st;
}

status manager::set_profiles(const std::vector<std::pair<member_id, std::string>>& addresses) {
  std::set<member_id> listed;
  for (const auto& [member, address] : addresses) listed.insert(member);
  std::vector<member_id> gone;
  for (const auto& [member, address] : profile_of_) {
    if (!listed.count(member)) gone.push_back(member);
  }
  status first;
  for (const auto& member : gone) (void)set_profile(member, std::nullopt);
  for (const auto& [member, address] : addresses) {
    status st = set_profile(member, address);
    if (!st.ok() && first.ok()) first = st;
  }
  // A profile source no member claims any more (left over in stored state) goes too.
  std::vector<std::string> unclaimed;
  for (const auto& [address, info] : entries_) {
    if (info.has(source::profile) && !claims_.count(address)) unclaimed.push_back(address);
  }
  for (const auto& address : unclaimed) drop_source(address, source::profile);
  return first;
}

bool manager::evict_one_exchange() {
  auto victim = entries_.end();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    const peer_info& info = it->second;
    if (!info.only(source::exchange) || dialing_.count(it->first)) continue;
    if (auto k = info.key(); k && by_key_.count(*k)) continue;
    if (victim == entries_.end() || info.failures > victim->second.failures ||
        (info.failures == victim->second.failures && info.learned < victim->second.learned))
      victim = it;
  }
  if (victim == entries_.end()) return false;
  touch(victim->first);
  erase_entry(victim);
  return true;
}

std::size_t manager::learn_from_exchange(const std::vector<keyed_address>& entries) {
  std::size_t exchange_only =
      static_cast<std::size_t>(std::count_if(entries_.begin(), entries_.end(), [](const auto& e) {
        return e.second.only(source::exchange);
      }));
  std::size_t taken = 0;
  for (const keyed_address& e : entries) {
    if (taken >= options_.max_exchange_per_message) break;
    if (e.key == own_) continue;        // our own address as others see it: nothing to dial
    if (!key_allowed(e.key)) continue;  // a hint naming a key we may not replicate with
    auto parsed = parse_address(e.address);
    if (!parsed.ok()) continue;
    const std::string canonical = parsed->text();
    if (peer_info* info = lookup(canonical)) {
      // Known already: exchange may only fill in a key no trusted source named.
      if (!info->key()) {
        set_source(canonical, source::exchange, e.key);
        ++taken;
      }
      continue;
    }
    if (options_.max_exchange == 0) continue;
    if (exchange_only >= options_.max_exchange) {
      if (!evict_one_exchange()) continue;
      --exchange_only;
    }
    set_source(canonical, source::exchange, e.key);
    ++exchange_only;
    ++taken;
  }
  return taken;
}

void manager::erase_entry(std::map<std::string, peer_info>::iterator it) {
  notes_.erase(it->first);
  entries_.erase(it);
}

status manager::forget(std::string_view address) {
  auto it = entries_.find(std::string(address));
  if (it == entries_.end())
    return {status_code::not_found,
            "'" + std::string(address.substr(0, 64)) + "' is not a known peer address"};
  const std::string canonical = it->first;
  // A profile that named it no longer claims it here (it names it again when it changes).
  for (auto m = profile_of_.begin(); m != profile_of_.end();) {
    m = m->second == canonical ? profile_of_.erase(m) : std::next(m);
  }
  claims_.erase(canonical);
  erase_entry(it);
  touch(canonical);
  return {};
}

void manager::mark_self(std::string_view address) {
  auto parsed = parse_address(address);
  if (parsed.ok()) self_addresses_.insert(parsed->text());
}

}  // namespace zwerm::node::peers
