#include "node/peers/backoff.hpp"

#include <algorithm>

namespace zwerm::node::peers {

milliseconds backoff_ceiling(std::uint32_t failures, milliseconds base, milliseconds cap) {
  if (failures == 0 || base.count() <= 0 || cap.count() <= 0) return milliseconds(0);
  milliseconds wait = std::min(base, cap);
  // Doubling stops at the cap, so at most ~64 rounds and never an overflow.
  for (std::uint32_t i = 1; i < failures && wait < cap; ++i) {
    wait = wait > cap / 2 ? cap : wait * 2;
  }
  return wait;
}

milliseconds full_jitter(milliseconds ceiling, std::mt19937_64& rng) {
  if (ceiling.count() <= 0) return milliseconds(0);
  std::uniform_int_distribution<std::int64_t> pick(0, ceiling.count());
  return milliseconds(pick(rng));
}

}  // namespace zwerm::node::peers
