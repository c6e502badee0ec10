#include "node/daemon/community_host.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "base/base64url.hpp"
#include "base/clock.hpp"
#include "base/durable_file.hpp"
#include "crypto/hash.hpp"
#include "node/ingest/stored_record.hpp"
#include "node/records/record_parse.hpp"
#include "node/records/record_writer.hpp"

namespace zwerm::node {
namespace {

using json = nlohmann::json;

}  // namespace

std::optional<community::fork_point> fork_point_of(std::span<const store::fork_proof> proofs) {
  std::optional<community::fork_point> out;
  for (const auto& p : proofs) {
    const std::uint64_t seq = p.kept.seq;
    const std::uint64_t lamport = std::min(p.kept.lamport, p.other.lamport);
    if (!out || seq < out->seq || (seq == out->seq && lamport < out->lamport)) {
      out = community::fork_point{seq, lamport};
    }
  }
  return out;
}

community_host::community_host(store::store& s, const crypto::key_pair& me,
                               std::filesystem::path secrets, state_store_options state,
                               const zwerm::clock& time)
    : store_(s), me_(me), clock_(time), secrets_file_(std::move(secrets)), states_(s, state) {
  ingestor_ = std::make_unique<ingestor>(store_);
  lookup_ = [this](const record_id& id) -> std::optional<record> {
    auto e = store_.get(id);
    if (!e) return std::nullopt;
    auto r = record_from_store(*e);
    if (!r) return std::nullopt;
    return std::move(*r);
  };
}

community_host::~community_host() {
  // Records still waiting go in first (without notifications: their listeners may be gone), so
  // the snapshots written below describe the whole store.
  for (auto& [id, w] : to_absorb_) {
    if (w.records.empty()) continue;
    if (auto done = absorb_into(id, w.records); !done) {
      spdlog::error("community {}: could not apply {} records at close ({})", crypto::short_id(id),
                    w.records.size(), done.error().message());
    }
  }
  for (const auto& [id, rep] : replayers_) {
    if (status s = states_.checkpoint(id, *rep); !s.ok()) {
      spdlog::error(
          "community {}: could not persist its state at close ({}); the next start "
          "replays the records after the last snapshot",
          crypto::short_id(id), s.message());
    }
  }
}

status community_host::checkpoint_all() {
  absorb_waiting(true);
  for (const auto& [id, rep] : replayers_) {
    if (status s = states_.checkpoint(id, *rep); !s.ok()) return s;
  }
  return {};
}

result<std::unique_ptr<community_host>> community_host::open(store::store& s,
                                                             const crypto::key_pair& me,
                                                             std::filesystem::path secrets_file,
                                                             state_store_options state,
                                                             const zwerm::clock& time) {
  std::unique_ptr<community_host> host(
      new community_host(s, me, std::move(secrets_file), std::move(state), time));
  if (status st = host->load_secrets(); !st.ok()) return st;
  auto listed = s.communities();
  if (!listed) return listed.error();
  for (const auto& summary : *listed) {
    auto r = host->replayer_for(summary.id);
    if (!r) return r.error();
  }
  return host;
}

result<community::replayer*> community_host::replayer_for(const community_id& community) {
  if (auto it = replayers_.find(community); it != replayers_.end()) return it->second.get();
  restore_report report;
  auto opened = states_.restore(community, &report);
  if (!opened) return opened.error();
  spdlog::debug("community {}: state restored {} ({} records replayed{})",
                crypto::short_id(community),
                report.from_snapshot ? "from its snapshot" : "from the log", report.replayed,
                report.persisted ? ", snapshot written" : "");
  auto* raw = opened->get();
  replayers_.emplace(community, std::move(*opened));
  // The snapshot may predate a fork proof the store holds (a crash before it was rewritten),
  // and a replay from the log knows no forks at all: re-mark them from the store.
  auto marked = mark_forks_in(community, *raw);
  if (!marked) return marked.error();
  return raw;
}

result<std::size_t> community_host::mark_forks(const community_id& community) {
  if (auto it = replayers_.find(community); it != replayers_.end()) {
    return mark_forks_in(community, *it->second);
  }
  // A replayer opened now marks every stored fork itself.
  auto rep = replayer_for(community);
  if (!rep) return rep.error();
  return std::size_t{0};
}

result<std::size_t> community_host::mark_forks_in(const community_id& community,
                                                  community::replayer& rep) {
  auto heads = store_.frontier(community);
  if (!heads) return heads.error();
  std::size_t marked = 0;
  for (const auto& h : *heads) {
    if (!h.forked) continue;
    auto proofs = store_.forks(community, h.author);
    if (!proofs) return proofs.error();
    auto point = fork_point_of(*proofs);
    if (!point) continue;
    auto done = rep.mark_forked(h.author, *point, store_record_source(store_, community));
    if (!done) return done.error();
    if (!done->earliest) continue;  // known already (or an earlier fork of the same author)
    ++marked;
    spdlog::warn(
        "community {}: member {} signed two records for seq {}; their records from there on "
        "have no effect ({} records replayed)",
        crypto::short_id(community), crypto::short_id(h.author), point->seq, done->replayed);
    // Erases a persisted snapshot from after the fork position.
    if (status s = states_.absorbed(community, rep, *done); !s.ok()) {
      spdlog::error("community {}: could not persist its state ({})", crypto::short_id(community),
                    s.message());
    }
  }
  // The persisted snapshot lacks the new marks (and absorbed() cannot tell: neither the record
  // count nor the head changed), so one is written now.
  if (marked > 0) {
    if (status s = states_.persist(community, rep); !s.ok()) {
      spdlog::error(
          "community {}: could not persist its state after a fork ({}); the next start "
          "marks the fork again from the store",
          crypto::short_id(community), s.message());
    }
  }
  return marked;
}

result<record> community_host::create(const json& body) {
  auto genesis = write_genesis(body.dump(), clock_.unix_ms(), me_);
  if (!genesis) return genesis.error();
  const record& g = *genesis;
  // The network key is saved before the genesis: a crash between the two leaves a key without
  // records (harmless, and forgotten like a failed join's), never records nobody can reach.
  const community_id created = community_of_genesis(g.id);
  keys_[created] = crypto::random_fixed<crypto::network_key>();
  const auto previous_default = default_;
  if (!default_) default_ = created;
  if (status s = save_secrets(); !s.ok()) {
    keys_.erase(created);
    default_ = previous_default;
    return s;
  }
  auto committed = ingestor_->ingest_records(std::span<const record>(&g, 1));
  if (!committed) return committed.error();
  if (committed->items.at(0).stored.kind != store::outcome::appended) {
    return status{status_code::rejected,
                  "the store did not take the new community's first record: " +
                      committed->items.at(0).stored.reason};
  }
  if (status s = absorb(committed->appended, origin::this_node); !s.ok()) return s;
  return g;
}

result<record> community_host::write(const community_id& community, const std::string& type,
                                     const json& body, write_mode mode) {
  if (!state_of(community)) {
    return status{status_code::not_found, "this node holds no records of that community"};
  }
  return write_after(community, type, body, 0, mode);
}

result<record> community_host::write_join(const community_id& community, const json& body,
                                          std::uint64_t invite_lamport) {
  return write_after(community, "member.join", body, invite_lamport, write_mode::any);
}

result<record> community_host::write_after(const community_id& community, const std::string& type,
                                           const json& body, std::uint64_t lamport_floor,
                                           write_mode mode) {
  if (unconfirmed_.count(community)) {
    return status{status_code::rejected,
                  "this node was restored from a backup and does not know yet how far your own "
                  "feed in this community goes: it writes once a member's node has told it the "
                  "head of your feed and it holds that record (waiting for a member's node; "
                  "`zwerm status` shows it)"};
  }
  if (write_guard) {
    if (status s = write_guard(community); !s.ok()) return s;
  }
  // The record comes after every record the store holds of the community, also those waiting.
  absorb_waiting_of(community);
  const community::state* st = state_of(community);
  auto own = store_.head(community, me_.pk);
  if (!own) return own.error();
  std::optional<feed_head> head;
  std::uint64_t max_lamport = st && st->head() ? st->head()->lamport : 0;
  max_lamport = std::max(max_lamport, lamport_floor);
  if (*own) {
    head = **own;
    max_lamport = std::max(max_lamport, (*own)->lamport);
  }
  feed_writer writer(me_, community, head, max_lamport);
  auto rec = writer.append(type, body.dump(), clock_.unix_ms());
  if (!rec) return rec.error();
  const record& r = *rec;
  if (mode == write_mode::only_with_effect) {
    auto it = replayers_.find(community);
    if (it != replayers_.end()) {
      if (auto why = it->second->dry_run(r)) {
        return status{status_code::rejected, "it would have no effect: " + *why};
      }
    }
  }
  auto committed = ingestor_->ingest_records(std::span<const record>(&r, 1));
  if (!committed) return committed.error();
  const auto& outcome = committed->items.at(0).stored;
  if (outcome.kind == store::outcome::forked) {
    // The store holds another record of ours for this seq (this identity writes elsewhere
    // too): the proof is kept, and the state must know of the fork.
    if (auto m = mark_forks(community); !m) return m.error();
  }
  if (outcome.kind != store::outcome::appended) {
    return status{status_code::rejected, "the store did not take the record: " + outcome.reason};
  }
  if (status s = absorb(committed->appended, origin::this_node); !s.ok()) return s;
  return r;
}

status community_host::adopt(const community_id& community, const crypto::network_key& key) {
  auto [it, inserted] = keys_.emplace(community, key);
  if (!inserted && it->second == key) return {};
  it->second = key;
  if (!default_) default_ = community;
  return save_secrets();
}

result<bool> community_host::abandon(const community_id& community) {
  if (state_of(community) || !keys_.count(community)) return false;
  auto counts = store_.frontier(community);
  if (!counts) return counts.error();
  if (!counts->empty()) return false;
  keys_.erase(community);
  if (default_ == community) default_.reset();
  if (status s = save_secrets(); !s.ok()) return s;
  return true;
}

result<community_id> community_host::resolve(const std::optional<std::string>& ref) const {
  std::vector<community_id> all = ids();
  if (!ref || ref->empty()) {
    if (default_ && state_of(*default_)) return *default_;
    if (all.size() == 1) return all.front();
    if (all.empty() && !unconfirmed_.empty()) return not_restored_yet(unconfirmed_.begin()->first);
    if (all.empty()) {
      return status{status_code::not_found,
                    "this node is in no community yet; start one with `zwerm community create` "
                    "or join one with `zwerm join CODE`"};
    }
    return status{
        status_code::invalid_argument,
        "this node is in " + std::to_string(all.size()) +
            " communities; pass --community NAME or choose one with `zwerm community use`"};
  }
  std::vector<community_id> matches;
  for (const auto& id : all) {
    if (crypto::to_text(id) == *ref) return id;
  }
  for (const auto& [id, peers] : unconfirmed_) {
    if (!state_of(id) && crypto::to_text(id).rfind(*ref, 0) == 0) return not_restored_yet(id);
  }
  for (const auto& id : all) {
    const auto* st = state_of(id);
    if (st && st->name == *ref) matches.push_back(id);
  }
  if (matches.empty()) {
    for (const auto& id : all) {
      if (crypto::to_text(id).rfind(*ref, 0) == 0) matches.push_back(id);
    }
  }
  if (matches.size() == 1) return matches.front();
  if (matches.empty()) {
    return status{status_code::not_found,
                  "this node is in no community named or with an id "
                  "starting with '" +
                      *ref + "'"};
  }
  std::string list;
  for (const auto& id : matches) {
    const auto* st = state_of(id);
    list += (list.empty() ? "" : ", ") + (st ? st->name : std::string("?")) + " (" +
            crypto::short_id(id) + ")";
  }
  return status{status_code::invalid_argument,
                "'" + *ref + "' matches several communities: " + list + "; give more of the id"};
}

status community_host::can_forget(const community_id& community) const {
  const community::state* st = state_of(community);
  if (!st) return {status_code::not_found, "this node holds no records of that community"};
  if (st->is_active_member(me_.pk)) {
    return {status_code::rejected, "you are an active member of " + st->name +
                                       "; leave it first (zwerm leave --community '" + st->name +
                                       "'), then forget it"};
  }
  return {};
}

result<std::uint64_t> community_host::forget(const community_id& community) {
  if (status s = can_forget(community); !s.ok()) return s;
  const std::string name = state_of(community)->name;
  to_absorb_.erase(community);
  recent_.erase(community);
  if (status s = states_.discard(community); !s.ok()) return s;
  replayers_.erase(community);
  auto dropped = store_.forget_community(community);
  if (!dropped) return dropped.error();
  keys_.erase(community);
  unconfirmed_.erase(community);
  if (default_ == community) default_.reset();
  if (status s = save_secrets(); !s.ok()) return s;
  spdlog::info("community {} ({}) forgotten: {} records dropped", crypto::short_id(community), name,
               *dropped);
  return *dropped;
}

status community_host::not_restored_yet(const community_id& community) const {
  return status{status_code::rejected,
                "this node was restored from a backup and holds no records of community " +
                    crypto::short_id(community) +
                    " yet: it is waiting for a member's node to send them (`zwerm status` shows "
                    "its peers; the backup's addresses and config `bootstrap` are dialed)"};
}

bool community_host::own_feed_unconfirmed(const community_id& community) const {
  return unconfirmed_.count(community) != 0;
}

std::vector<community_id> community_host::unconfirmed() const {
  std::vector<community_id> out;
  for (const auto& [id, peers] : unconfirmed_) out.push_back(id);
  return out;
}

std::vector<std::string> community_host::restore_peers(const community_id& community) const {
  auto it = unconfirmed_.find(community);
  return it == unconfirmed_.end() ? std::vector<std::string>{} : it->second;
}

status community_host::confirm_own_feed(const community_id& community) {
  if (unconfirmed_.erase(community) == 0) return {};
  return save_secrets();
}

status community_host::set_default(const community_id& community) {
  default_ = community;
  return save_secrets();
}

std::vector<community_id> community_host::ids() const {
  std::vector<community_id> out;
  for (const auto& [id, rep] : replayers_) {
    if (rep->current().created) out.push_back(id);
  }
  return out;
}

const community::state* community_host::state_of(const community_id& community) const {
  auto it = replayers_.find(community);
  if (it == replayers_.end() || !it->second->current().created) return nullptr;
  return &it->second->current();
}

std::optional<crypto::network_key> community_host::network_key(const community_id& c) const {
  auto it = keys_.find(c);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

status community_host::load_secrets() {
  std::error_code ec;
  if (!std::filesystem::exists(secrets_file_, ec)) return {};
  std::ifstream in(secrets_file_);
  std::stringstream text;
  text << in.rdbuf();
  json doc = json::parse(text.str(), nullptr, false, /*ignore_comments=*/true);
  auto bad = [&](const std::string& why) {
    return status{status_code::corruption, secrets_file_.string() + " is damaged: " + why};
  };
  if (!doc.is_object() || !doc.contains("communities") || !doc["communities"].is_object()) {
    return bad("not the JSON object zwermd writes");
  }
  for (const auto& [id_text, entry] : doc["communities"].items()) {
    community_id id;
    crypto::network_key key;
    if (!crypto::from_text(id_text, &id) || !entry.is_object() || !entry.contains("network_key") ||
        !entry["network_key"].is_string() ||
        !crypto::from_text(entry["network_key"].get<std::string>(), &key)) {
      return bad("the entry for '" + id_text + "' is malformed");
    }
    keys_[id] = key;
    // Written by `zwerm restore`: this node's own feed here is not confirmed by a member's
    // node yet, and the addresses to ask.
    if (entry.contains("own_feed")) {
      if (entry["own_feed"] != "unconfirmed") {
        return bad("the entry for '" + id_text + "' has an unknown own_feed");
      }
      std::vector<std::string> peers;
      if (entry.contains("restore_peers")) {
        if (!entry["restore_peers"].is_array()) {
          return bad("the entry for '" + id_text + "' has malformed restore_peers");
        }
        for (const auto& p : entry["restore_peers"]) {
          if (!p.is_string()) {
            return bad("the entry for '" + id_text + "' has malformed restore_peers");
          }
          peers.push_back(p.get<std::string>());
        }
      }
      unconfirmed_[id] = std::move(peers);
    }
  }
  if (doc.contains("default") && doc["default"].is_string()) {
    community_id id;
    if (crypto::from_text(doc["default"].get<std::string>(), &id)) default_ = id;
  }
  return {};
}

status community_host::save_secrets() const {
  json doc{{"default", default_ ? json(crypto::to_text(*default_)) : json(nullptr)},
           {"communities", json::object()}};
  for (const auto& [id, key] : keys_) {
    json entry{{"network_key", crypto::to_text(key)}};
    if (auto it = unconfirmed_.find(id); it != unconfirmed_.end()) {
      entry["own_feed"] = "unconfirmed";
      entry["restore_peers"] = it->second;
    }
    doc["communities"][crypto::to_text(id)] = std::move(entry);
  }
  const std::string text =
      "// zwermd's community secrets (network keys). Keep private; back it up with "
      "identity.key.\n" +
      doc.dump(2) + "\n";
  return replace_file(secrets_file_, text, "the community secrets file");
}

}  // namespace zwerm::node
