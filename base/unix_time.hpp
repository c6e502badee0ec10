// Wall-clock time as zwerm's records, invites and RPC answers carry it: milliseconds since the
// Unix epoch (system_clock, so it follows the machine's clock, not a steady one).
#pragma once

#include <chrono>
#include <cstdint>

namespace zwerm {

inline std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace zwerm
