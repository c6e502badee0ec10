#include "net/offence_counter.hpp"

#include <algorithm>
#include <limits>

namespace zwerm::net {

offence_counter::offence_counter(offence_allowance allowance, std::size_t max_entries,
                                 const clock& c)
    : allowance_(allowance), max_entries_(std::max<std::size_t>(max_entries, 1)), clock_(c) {}

void offence_counter::make_room(time_point now) {
  if (entries_.size() < max_entries_) return;
  std::erase_if(entries_, [&](const auto& kv) { return now >= kv.second.window_end; });
  while (entries_.size() >= max_entries_) {
    entries_.erase(std::min_element(
        entries_.begin(), entries_.end(),
        [](const auto& a, const auto& b) { return a.second.window_end < b.second.window_end; }));
  }
}

bool offence_counter::count(const asio::ip::address& address) {
  const time_point now = clock_.now();
  auto it = entries_.find(address);
  if (it == entries_.end()) {
    make_room(now);
    it = entries_.emplace(address, entry{}).first;
  }
  entry& e = it->second;
  if (now >= e.window_end) e = entry{0, now + allowance_.window};
  if (e.count < std::numeric_limits<std::uint32_t>::max()) ++e.count;
  return e.count > allowance_.allowed;
}

std::uint32_t offence_counter::offences(const asio::ip::address& address) const {
  const auto it = entries_.find(address);
  if (it == entries_.end() || clock_.now() >= it->second.window_end) return 0;
  return it->second.count;
}

}  // namespace zwerm::net
