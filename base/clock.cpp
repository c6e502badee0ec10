#include "base/clock.hpp"

namespace zwerm {
namespace {

class machine_clock_impl final : public clock {
 public:
  std::int64_t unix_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::chrono::steady_clock::time_point steady() const override {
    return std::chrono::steady_clock::now();
  }
};

}  // namespace

const clock& machine_clock() {
  static const machine_clock_impl instance;
  return instance;
}

}  // namespace zwerm
