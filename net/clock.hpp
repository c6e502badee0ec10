// A clock seam: code that decides by time (bans, backoff) asks a clock object instead of the
// system, so tests drive time by hand.
#pragma once

#include <chrono>

namespace zwerm::net {

using time_point = std::chrono::steady_clock::time_point;

class clock {
 public:
  virtual ~clock() = default;
  virtual time_point now() const = 0;
};

// The real monotonic clock. The returned object lives for the whole program.
const clock& steady_clock_source();

}  // namespace zwerm::net
