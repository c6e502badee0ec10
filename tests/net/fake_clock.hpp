// A manually driven clock for the ban list.
#pragma once

#include <chrono>

#include "net/clock.hpp"

namespace zwerm::net::testing {

class fake_clock final : public clock {
 public:
  time_point now() const override { return now_; }
  void advance(std::chrono::milliseconds d) { now_ += d; }

 private:
  time_point now_ = std::chrono::steady_clock::time_point{} + std::chrono::hours(1000);
};

}  // namespace zwerm::net::testing
