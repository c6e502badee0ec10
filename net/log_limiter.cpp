#include "net/log_limiter.hpp"

namespace zwerm::net {

log_limiter::log_limiter(std::chrono::milliseconds period, const clock& c, std::size_t max_classes)
    : period_(period), clock_(c), max_classes_(max_classes), other_(period) {}

asio::ip::address log_limiter::class_key(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return class_key(asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()));
  if (address.is_v4()) return asio::ip::address_v4(address.to_v4().to_uint() & 0xffffff00u);
  auto bytes = address.to_v6().to_bytes();
  for (std::size_t i = 6; i < bytes.size(); ++i) bytes[i] = 0;
  return asio::ip::address_v6(bytes);
}

std::string log_limiter::class_of(const asio::ip::address& address) {
  const asio::ip::address key = class_key(address);
  return key.to_string() + (key.is_v4() ? "/24" : "/48");
}

std::optional<log_limiter::line> log_limiter::admit(const asio::ip::address& address) {
  if (period_.count() <= 0) return line{0, class_of(address)};
  const time_point now = clock_.now();
  const asio::ip::address key = class_key(address);
  auto it = classes_.find(key);
  if (it == classes_.end() && classes_.size() >= max_classes_) {
    // A class whose period ended and that left nothing out has nothing more to say.
    std::erase_if(classes_, [&](const auto& kv) { return kv.second.spent(now); });
  }
  if (it == classes_.end() && classes_.size() >= max_classes_) {
    const auto left_out = other_.admit(now);
    if (!left_out) return std::nullopt;
    return line{*left_out, "other addresses"};
  }
  if (it == classes_.end()) it = classes_.emplace(key, log_throttle(period_)).first;
  const auto left_out = it->second.admit(now);
  if (!left_out) return std::nullopt;
  return line{*left_out, class_of(address)};
}

}  // namespace zwerm::net
