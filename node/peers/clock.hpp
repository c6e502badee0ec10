// The peer manager's clock seam. Its times are wall-clock milliseconds since the Unix epoch
// (not a steady clock) because they are persisted: a backoff or a ban computed before a
// restart must still mean something after it. Tests drive a fake clock by hand.
#pragma once

#include <chrono>

#include "base/clock.hpp"

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

// The wall clock of the node's clock seam (base/clock.hpp) as the manager reads it. Borrows
// `c`, which must outlive it.
class node_clock_source final : public clock {
 public:
  explicit node_clock_source(const zwerm::clock& c) : c_(c) {}
  time_point now() const override { return time_point(milliseconds(c_.unix_ms())); }

 private:
  const zwerm::clock& c_;
};

}  // namespace zwerm::node::peers
