// Light offences of remote addresses: things an honest node does now and then (it abandons a
// handshake when its network drops, it retries after its key was refused) but that a hostile
// client can repeat at will to hold inbound slots or to get the server's handshake work for
// free. One counter counts one kind of offence per address, in fixed windows: an address's
// first offence opens a window of `window`, the offences inside it are counted, and the first
// offence after it ended opens a new one at a count of one. An address with more than
// `allowed` offences in one window is over its allowance; the caller bans it (ban_list).
//
// Not thread-safe: used on the I/O executor only. The clock must outlive the counter.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "net/asio.hpp"
#include "net/ban_list.hpp"
#include "net/clock.hpp"

namespace zwerm::net {

struct offence_allowance {
  // Offences of this kind one address may commit within one window without a ban; the next
  // one in the same window is over the allowance. Default 3.
  std::uint32_t allowed = 3;
  // Length of a window, from the first offence in it. Default 1 min.
  std::chrono::milliseconds window{std::chrono::minutes(1)};
};

class offence_counter {
 public:
  // Remembers at most `max_entries` addresses; when full, windows that ended are forgotten
  // first, then the window that ends first.
  offence_counter(offence_allowance allowance, std::size_t max_entries, const clock& c);

  // Counts one offence by `address`. True when the address is now over its allowance (this
  // offence and every further one in the same window).
  bool count(const asio::ip::address& address);
  // Offences counted in the address's current window (0 when none, or the window ended).
  std::uint32_t offences(const asio::ip::address& address) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct entry {
    std::uint32_t count = 0;
    time_point window_end{};
  };
  void make_room(time_point now);

  offence_allowance allowance_;
  std::size_t max_entries_;
  const clock& clock_;
  std::unordered_map<asio::ip::address, entry, address_hash> entries_;
};

}  // namespace zwerm::net
