#include "node/daemon/peer_budget.hpp"

#include <algorithm>
#include <cmath>

namespace zwerm::node {

session_budget::session_budget(const budget_options& o, budget_clock::time_point now)
    : messages_{o.messages_burst, o.messages_per_s, o.messages_burst},
      bytes_{o.bytes_burst, o.bytes_per_s, o.bytes_burst},
      records_{o.records_burst, o.records_per_s, o.records_burst},
      last_(now) {}

std::chrono::milliseconds session_budget::spend(std::size_t bytes, std::size_t records,
                                                budget_clock::time_point now) {
  const double elapsed = std::max(0.0, std::chrono::duration<double>(now - last_).count());
  last_ = std::max(last_, now);
  for (bucket* b : {&messages_, &bytes_, &records_}) b->refill(elapsed);
  messages_.level -= 1;
  bytes_.level -= static_cast<double>(bytes);
  records_.level -= static_cast<double>(records);
  const double wait = std::max({messages_.deficit_s(), bytes_.deficit_s(), records_.deficit_s()});
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(wait * 1000)));
}

double peer_scores::decayed(const entry& e, budget_clock::time_point now) const {
  const double half_lives = std::chrono::duration<double>(now - e.at).count() /
                            std::chrono::duration<double>(options_.half_life).count();
  return half_lives <= 0 ? e.score : e.score * std::exp2(-half_lives);
}

double peer_scores::score(const crypto::public_key& key, budget_clock::time_point now) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? 0 : decayed(it->second, now);
}

void peer_scores::make_room(budget_clock::time_point now) {
  auto lowest = entries_.begin();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (decayed(it->second, now) < decayed(lowest->second, now)) lowest = it;
  }
  if (lowest != entries_.end()) entries_.erase(lowest);
}

budget_verdict peer_scores::add(const crypto::public_key& key, double weight,
                                budget_clock::time_point now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= options_.max_keys) make_room(now);
    it = entries_.emplace(key, entry{}).first;
    it->second.at = now;
  }
  entry& e = it->second;
  e.score = decayed(e, now);
  e.at = now;
  // A disconnect leaves the score at half the threshold; a key quiet long enough for it to
  // halve again (one half-life) starts its disconnects afresh.
  if (e.score < options_.disconnect_score / 4) e.disconnects = 0;
  e.score += weight;
  if (e.score < options_.disconnect_score) return budget_verdict::slow;
  ++e.disconnects;
  // What got it disconnected is spent: it must earn the next disconnect anew.
  e.score = options_.disconnect_score / 2;
  return e.disconnects >= options_.ban_after ? budget_verdict::ban : budget_verdict::disconnect;
}

budget_verdict peer_scores::over_budget(const crypto::public_key& key,
                                        std::chrono::milliseconds wait,
                                        budget_clock::time_point now) {
  return add(key, 1 + std::chrono::duration<double>(wait).count(), now);
}

budget_verdict peer_scores::offence(const crypto::public_key& key, double weight,
                                    budget_clock::time_point now) {
  return add(key, weight, now);
}

}  // namespace zwerm::node
