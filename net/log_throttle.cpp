#include "net/log_throttle.hpp"

namespace zwerm::net {

std::optional<std::uint64_t> log_throttle::admit(time_point now) {
  if (last_admitted_ && now - *last_admitted_ < period_) {
    ++suppressed_;
    return std::nullopt;
  }
  last_admitted_ = now;
  const std::uint64_t left_out = suppressed_;
  suppressed_ = 0;
  return left_out;
}

}  // namespace zwerm::net
