// Bans of remote IP addresses that misbehaved, with growing backoff.
//
// Each offence bans the address for a period that doubles with every repeated offence
// (first_ban, 2·first_ban, 4·first_ban, … capped at max_ban). An offence reported while the
// address still serves a ban changes nothing: several connections of one address that end
// together (one attack over several connections) cost one step of growth, not one each. An
// address that stays clean for forget_after after its last ban ended starts again at
// first_ban. The list holds at most max_entries addresses; when full, the entry whose ban ends
// first is forgotten.
//
// Apart from those, hold() bans an address for a fixed time on the owner's word (the
// operator's `zwerm peer ban`): such a ban neither grows nor counts as an offence, is never
// forgotten to make room (the owner bounds how many it holds), and ends only at its time or
// by forgive().
//
// Not thread-safe: used on the I/O executor only. Time comes from the clock given at
// construction (a fake clock in tests); the clock must outlive the list.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "net/asio.hpp"
#include "net/clock.hpp"

namespace zwerm::net {

// Hash of an IP address, for unordered containers keyed by remote address.
struct address_hash {
  std::size_t operator()(const asio::ip::address& a) const;
};

struct ban_options {
  // Length of the first ban of an address. Default 10 s.
  std::chrono::milliseconds first_ban{std::chrono::seconds(10)};
  // Longest ban; repeated offences double the ban up to this. Default 1 h.
  std::chrono::milliseconds max_ban{std::chrono::hours(1)};
  // A clean period (after the last ban ended) after which an address's offences are
  // forgotten and its next ban is first_ban again. Default 24 h.
  std::chrono::milliseconds forget_after{std::chrono::hours(24)};
  // Most addresses remembered at once (memory bound under a flood of offenders). Default 4096.
  std::size_t max_entries = 4096;
};

class ban_list {
 public:
  explicit ban_list(ban_options options = {}, const clock& c = steady_clock_source());

  // Records an offence by `address` and returns the length of the ban it now serves. While the
  // address already serves a ban the offence is not counted and the ban is neither escalated
  // nor extended; the return value is then what is left of that ban.
  std::chrono::milliseconds ban(const asio::ip::address& address);
  // True while `address` serves a ban. Cheap: one hash lookup.
  bool is_banned(const asio::ip::address& address) const;
  // When the address's current ban ends (a past time point when it is not banned).
  time_point banned_until(const asio::ip::address& address) const;
  // Offences remembered for `address` (0 when unknown or forgotten): the bans it earned.
  std::uint32_t offences(const asio::ip::address& address) const;
  // Lifts any ban (held ones too) and forgets the address's offences.
  void forgive(const asio::ip::address& address);
  // Bans `address` for `length` from now whatever its offences, replacing an earlier hold.
  void hold(const asio::ip::address& address, std::chrono::milliseconds length);
  // True while a hold() of `address` lasts.
  bool is_held(const asio::ip::address& address) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct entry {
    std::uint32_t offences = 0;
    time_point until{};
  };
  bool forgotten(const entry& e, time_point now) const;
  void make_room(time_point now);

  ban_options options_;
  const clock& clock_;
  std::unordered_map<asio::ip::address, entry, address_hash> entries_;
  std::unordered_map<asio::ip::address, time_point, address_hash> held_;
};

}  // namespace zwerm::net
