#include "node/daemon/absorb_pacer.hpp"

#include <algorithm>

namespace zwerm::node {

void absorb_pacer::arrived(time_point now, bool more_coming) {
  if (!first_) first_ = now;
  last_ = std::max(last_, now);
  more_coming_ = more_coming;
}

std::optional<absorb_pacer::time_point> absorb_pacer::due(std::uint64_t cost, std::size_t waiting,
                                                          time_point now) const {
  if (cost == 0 || !first_) return std::nullopt;
  if (!more_coming_ && cost <= waiting) return std::nullopt;
  const duration wait = std::clamp<duration>(last_replay_ * options_.wait_factor, options_.min_wait,
                                             options_.max_wait);
  time_point when = *first_ + wait;
  if (!more_coming_) when = std::min(when, last_ + options_.quiet);
  if (when <= now) return std::nullopt;
  return when;
}

void absorb_pacer::absorbed(duration took, bool replayed) {
  first_.reset();
  if (replayed) last_replay_ = took;
}

}  // namespace zwerm::node
