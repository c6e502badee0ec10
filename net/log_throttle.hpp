// Rate limit for one kind of log line that others can trigger at will (a local client refused,
// a peer's failed handshake): at most one line per period, and the first line after a quiet
// spell says how many were left out.
//
//   if (auto left_out = throttle.admit(std::chrono::steady_clock::now())) {
//     if (*left_out == 0) spdlog::warn("refused a client");
//     else spdlog::warn("refused a client ({} more since the last such line)", *left_out);
//   }
//
// The one rule for rate-limited log lines: zwermd's RPC server uses one throttle, the listener's
// log_limiter (log_limiter.hpp) one per address class. Time is passed in, so tests need no
// clock. Not thread-safe: use one per thread (the daemon's I/O thread owns those it uses).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "net/clock.hpp"

namespace zwerm::net {

class log_throttle {
 public:
  // At most one admitted event per `period` (a period of zero or less admits every event).
  explicit log_throttle(std::chrono::milliseconds period) : period_(period) {}

  // Called once per event. nullopt: suppress this line (it is counted). Otherwise log it; the
  // value is how many events were suppressed since the last admitted one (0 when none were).
  // The first event is always admitted. `now` must not go backwards.
  std::optional<std::uint64_t> admit(time_point now);

  // Events suppressed since the last admitted one.
  std::uint64_t suppressed() const { return suppressed_; }

  // True when forgetting this throttle changes nothing at `now`: it has admitted a line, left
  // nothing out since, and its period has ended, so the next event would be admitted with 0.
  bool spent(time_point now) const {
    return suppressed_ == 0 && last_admitted_ && now - *last_admitted_ >= period_;
  }

 private:
  std::chrono::milliseconds period_;
  std::optional<time_point> last_admitted_;
  std::uint64_t suppressed_ = 0;
};

}  // namespace zwerm::net
