// community_host's absorb (community_host.hpp): records appended to the store reach the
// replayers here, at once or coalesced per community and paced (absorb_pacer) while a catch-up
// is running, with the records a catch-up may replay kept in memory (recent_).
#include <algorithm>
#include <chrono>
#include <map>

#include <spdlog/spdlog.h>

#include "base/base64url.hpp"
#include "node/daemon/community_host.hpp"

namespace zwerm::node {

result<community::absorb_result> community_host::absorb_into(const community_id& community,
                                                             const std::vector<record>& records) {
  // A replayer opened now replays everything the store holds, these records included.
  const bool fresh = !replayers_.contains(community);
  auto rep = replayer_for(community);
  if (!rep) return rep.error();
  if (fresh) return community::absorb_result{};
  auto recent = recent_.find(community);
  auto absorbed = (*rep)->absorb(
      records,
      store_record_source(store_, community,
                          recent == recent_.end() ? nullptr : &recent->second.by_position));
  if (!absorbed) return absorbed.error();
  // The records are committed and absorbed: a snapshot that cannot be written costs only a
  // longer replay at the next start (state_store's rule keeps it correct), so it is logged,
  // not reported as a failed write.
  if (status s = states_.absorbed(community, **rep, *absorbed); !s.ok()) {
    spdlog::error("community {}: could not persist its state ({})", crypto::short_id(community),
                  s.message());
  }
  return *absorbed;
}

void community_host::notify(const std::vector<record>& appended,
                            std::span<const community_id> touched, origin from) {
  if (on_appended) {
    for (const auto& r : appended) on_appended(r, from);
  }
  if (from == origin::peers && on_absorbed) {
    for (const auto& c : touched) on_absorbed(c);
  }
}

status community_host::absorb(const std::vector<record>& appended, origin from) {
  // One community (a sync message, a member's own write): absorbed as is, without copying
  // every record into a per-community group.
  const bool one_community = std::all_of(appended.begin(), appended.end(), [&](const record& r) {
    return r.community == appended.front().community;
  });
  std::vector<community_id> touched;  // the communities absorbed, each once
  if (!appended.empty() && one_community) {
    if (auto done = absorb_into(appended.front().community, appended); !done) return done.error();
    touched.push_back(appended.front().community);
  } else {
    std::map<community_id, std::vector<record>> by_community;
    for (const auto& r : appended) by_community[r.community].push_back(r);
    for (const auto& [c, records] : by_community) {
      if (auto done = absorb_into(c, records); !done) return done.error();
      touched.push_back(c);
    }
  }
  notify(appended, touched, from);
  return {};
}

void community_host::absorb_soon(std::vector<record> records, bool more_coming) {
  if (records.empty()) return;
  const auto now = pacing_.now();
  waiting* w = nullptr;
  community_id current;  // w's community
  for (auto& r : records) {
    if (!w || r.community != current) {
      current = r.community;
      w = &to_absorb_.try_emplace(current, waiting{{}, std::nullopt, absorb_pacer(pacing_)})
               .first->second;
      w->pacer.arrived(now, more_coming);
    }
    const auto p = community::position_of(r);
    if (!w->earliest || p < *w->earliest) w->earliest = p;
    w->records.push_back(std::move(r));
  }
  if (!post_) return absorb_waiting(true);
  if (absorb_posted_) return;
  absorb_posted_ = true;
  post_(std::chrono::milliseconds(0), [this, alive = std::weak_ptr<int>(alive_)] {
    if (alive.expired()) return;
    absorb_posted_ = false;
    absorb_waiting(false);
  });
}

std::size_t community_host::waiting_to_absorb() const {
  std::size_t n = 0;
  for (const auto& [c, w] : to_absorb_) n += w.records.size();
  return n;
}

std::size_t community_host::kept_for_replay() const {
  std::size_t n = 0;
  for (const auto& [c, kept] : recent_) n += kept.by_position.size();
  return n;
}

void community_host::absorb_waiting(bool all) {
  const auto now = pacing_.now();
  // The due batches leave the map first: notifications may call back into this host.
  std::vector<std::pair<community_id, std::vector<record>>> due;
  std::optional<absorb_pacer::time_point> recheck;
  for (auto& [c, w] : to_absorb_) {
    if (w.records.empty()) continue;
    if (!all) {
      auto rep = replayers_.find(c);
      const std::uint64_t cost =
          rep == replayers_.end() ? 0 : rep->second->replay_cost(*w.earliest);
      if (auto when = w.pacer.due(cost, w.records.size(), now)) {
        if (!recheck || *when < *recheck) recheck = when;
        continue;
      }
    }
    due.emplace_back(c, w.take());
  }
  for (auto& [c, batch] : due) absorb_taken(c, std::move(batch));
  if (!recheck || !post_ || (recheck_at_ && *recheck_at_ > now && *recheck_at_ <= *recheck)) {
    return;
  }
  recheck_at_ = recheck;
  const auto delay = std::chrono::ceil<std::chrono::milliseconds>(*recheck - pacing_.now());
  post_(std::max(delay, std::chrono::milliseconds(1)),
        [this, at = *recheck, alive = std::weak_ptr<int>(alive_)] {
          if (alive.expired()) return;
          if (recheck_at_ == at) recheck_at_.reset();
          absorb_waiting(false);
        });
}

void community_host::absorb_waiting_of(const community_id& community) {
  auto it = to_absorb_.find(community);
  if (it == to_absorb_.end() || it->second.records.empty()) return;
  absorb_taken(community, it->second.take());
}

void community_host::absorb_taken(const community_id& community, std::vector<record> batch) {
  const auto start = pacing_.now();
  auto done = absorb_into(community, batch);
  bool more_coming = false;
  if (auto it = to_absorb_.find(community); it != to_absorb_.end()) {
    it->second.pacer.absorbed(pacing_.now() - start, done && done->replayed > 0);
    more_coming = it->second.pacer.more_coming();
  }
  if (!done) {
    recent_.erase(community);
    spdlog::error("cannot apply {} records from peers: {}", batch.size(), done.error().message());
    return;
  }
  spdlog::debug("{} records from peers absorbed ({} replayed)", batch.size(), done->replayed);
  notify(batch, std::span<const community_id>(&community, 1), origin::peers);
  if (!more_coming) {
    recent_.erase(community);
    return;
  }
  // Only a catch-up whose absorbs replay needs them: one that arrives in total order (a single
  // feed, a node that was briefly away) never rewinds.
  if (done->replayed == 0 && !recent_.contains(community)) return;
  recent& kept = recent_[community];
  for (auto& r : batch) {
    const std::size_t size = sizeof(record) + 64 + r.bytes.size() + r.body.size();
    if (kept.bytes + size > recent_max_bytes) break;
    kept.bytes += size;
    kept.by_position.emplace(community::position_of(r), std::move(r));
  }
}

}  // namespace zwerm::node
