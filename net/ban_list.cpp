#include "net/ban_list.hpp"

#include <algorithm>
#include <functional>
#include <string_view>

namespace zwerm::net {

namespace {
class real_clock final : public clock {
 public:
  time_point now() const override { return std::chrono::steady_clock::now(); }
};
}  // namespace

const clock& steady_clock_source() {
  static const real_clock c;
  return c;
}

std::size_t address_hash::operator()(const asio::ip::address& a) const {
  if (a.is_v4()) return std::hash<std::uint32_t>{}(a.to_v4().to_uint());
  const auto bytes = a.to_v6().to_bytes();
  return std::hash<std::string_view>{}(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

ban_list::ban_list(ban_options options, const clock& c) : options_(options), clock_(c) {}

bool ban_list::forgotten(const entry& e, time_point now) const {
  return now >= e.until + options_.forget_after;
}

void ban_list::make_room(time_point now) {
  if (entries_.size() < options_.max_entries) return;
  std::erase_if(entries_, [&](const auto& kv) { return forgotten(kv.second, now); });
  while (entries_.size() >= options_.max_entries && !entries_.empty()) {
    auto first_to_end = std::min_element(
        entries_.begin(), entries_.end(),
        [](const auto& a, const auto& b) { return a.second.until < b.second.until; });
    entries_.erase(first_to_end);
  }
}

std::chrono::milliseconds ban_list::ban(const asio::ip::address& address) {
  const time_point now = clock_.now();
  auto it = entries_.find(address);
  if (it == entries_.end()) {
    make_room(now);
    it = entries_.emplace(address, entry{}).first;
  } else if (forgotten(it->second, now)) {
    it->second = entry{};
  }
  entry& e = it->second;
  if (now < e.until) {
    // Already banned: the sessions it had open before the ban end one by one (often at the
    // same moment, when one deadline or one reset hits them all); each would otherwise double
    // the ban again.
    return std::chrono::duration_cast<std::chrono::milliseconds>(e.until - now);
  }
  ++e.offences;
  // first_ban · 2^(offences-1), capped; the shift is bounded so it cannot overflow.
  std::chrono::milliseconds length = options_.first_ban;
  for (std::uint32_t i = 1; i < e.offences && length < options_.max_ban; ++i) length *= 2;
  length = std::min(length, options_.max_ban);
  e.until = now + length;
  return length;
}

bool ban_list::is_banned(const asio::ip::address& address) const {
  if (!held_.empty() && is_held(address)) return true;
  const auto it = entries_.find(address);
  return it != entries_.end() && clock_.now() < it->second.until;
}

time_point ban_list::banned_until(const asio::ip::address& address) const {
  const auto it = entries_.find(address);
  time_point until = it == entries_.end() ? time_point{} : it->second.until;
  if (auto h = held_.find(address); h != held_.end()) until = std::max(until, h->second);
  return until;
}

void ban_list::hold(const asio::ip::address& address, std::chrono::milliseconds length) {
  held_[address] = clock_.now() + length;
}

bool ban_list::is_held(const asio::ip::address& address) const {
  const auto it = held_.find(address);
  return it != held_.end() && clock_.now() < it->second;
}

std::uint32_t ban_list::offences(const asio::ip::address& address) const {
  const auto it = entries_.find(address);
  if (it == entries_.end() || forgotten(it->second, clock_.now())) return 0;
  return it->second.offences;
}

void ban_list::forgive(const asio::ip::address& address) {
  entries_.erase(address);
  held_.erase(address);
}

}  // namespace zwerm::net
