// The node's clock seam: every part of the daemon that needs the time asks a clock it was
// given instead of reading the machine's clocks, so that a test can move time by hand (an
// invite's expiry, a ban's end) without sleeping.
//
// Two times: the wall clock (milliseconds since the Unix epoch, as records, invites and RPC
// answers carry it; it follows the machine's clock and may jump) and a steady clock for
// durations (uptime, deadlines). Threads: a clock may be read from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace zwerm {

class clock {
 public:
  virtual ~clock() = default;
  // Wall-clock time, milliseconds since the Unix epoch.
  virtual std::int64_t unix_ms() const = 0;
  // Monotonic time, for durations only.
  virtual std::chrono::steady_clock::time_point steady() const = 0;
};

// The machine's clocks (std::chrono::system_clock, steady_clock). Lives for the whole program.
const clock& machine_clock();

// A clock that moves only when told (tests). advance() moves both times; set_unix_ms() steps
// the wall clock alone, as an operator or NTP would.
class manual_clock final : public clock {
 public:
  explicit manual_clock(std::int64_t unix_ms) : unix_ms_(unix_ms) {}
  std::int64_t unix_ms() const override { return unix_ms_.load(); }
  std::chrono::steady_clock::time_point steady() const override {
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(steady_ms_.load()));
  }
  void advance(std::chrono::milliseconds d) {
    unix_ms_ += d.count();
    steady_ms_ += d.count();
  }
  void set_unix_ms(std::int64_t unix_ms) { unix_ms_ = unix_ms; }

 private:
  std::atomic<std::int64_t> unix_ms_;
  std::atomic<std::int64_t> steady_ms_{0};
};

}  // namespace zwerm
