#include "node/peers/clock.hpp"

namespace zwerm::node::peers {

namespace {

class system_clock_impl final : public clock {
 public:
  time_point now() const override {
    return std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
  }
};

}  // namespace

const clock& system_clock_source() {
  static const system_clock_impl instance;
  return instance;
}

}  // namespace zwerm::node::peers
