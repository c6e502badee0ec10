// The peer manager's clock seam. Its times are wall-clock milliseconds since the Unix epoch
// (not a steady clock) because they are persisted: a backoff or a ban computed before a
// restart must still mean something after it. Tests drive a fake clock by hand.
#pragma once

#include <chrono>

namespace zwerm::node::peers {

using time_point = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;
using std::chrono::milliseconds;

class clock {
 public:
  virtual ~clock() = default;
  virtual time_point now() const = 0;
};

// std::chrono::system_clock truncated to milliseconds. The object lives for the whole program.
const clock& system_clock_source();

}  // namespace zwerm::node::peers
