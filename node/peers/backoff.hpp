// Exponential backoff with full jitter, and the growing ban length: pure functions of the
// counts and the options, so tests check bounds without a manager or a clock.
#pragma once

#include <cstdint>
#include <random>

#include "node/peers/clock.hpp"

namespace zwerm::node::peers {

// The longest wait after the n-th consecutive failure: 0 for n = 0, else
// min(cap, base · 2^(n-1)). Never overflows, whatever n.
milliseconds backoff_ceiling(std::uint32_t failures, milliseconds base, milliseconds cap);

// A uniformly random wait in [0, ceiling] (AWS's "full jitter"): nodes that lost the same peer
// at the same moment do not all come back at once.
milliseconds full_jitter(milliseconds ceiling, std::mt19937_64& rng);

// The length of the m-th ban (m ≥ 1): min(cap, base · 2^(m-1)); 0 for m = 0.
inline milliseconds ban_length(std::uint32_t offences, milliseconds base, milliseconds cap) {
  return backoff_ceiling(offences, base, cap);
}

}  // namespace zwerm::node::peers
