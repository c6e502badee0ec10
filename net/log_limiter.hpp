// Rate limit for log lines that remote clients can trigger at will (failed inbound
// handshakes): at most one line per address class per period, and the next line admitted for
// a class says how many of that class were left out meanwhile. Each class is a log_throttle
// (log_throttle.hpp), the one rule for rate-limited lines.
//
// An address class is the /24 of an IPv4 address (an IPv4-mapped IPv6 address counts as its
// IPv4 address) and the /48 of an IPv6 one: what one party usually holds, so that walking
// through neighbouring addresses gives no more lines. At most max_classes classes are tracked;
// when that many are live, further classes share one slot ("other addresses"), so a flood
// from everywhere writes at most max_classes + 1 lines per period.
//
//   if (auto line = limiter.admit(address)) {
//     write the line; when line->left_out > 0, say so: "... (N more from line->scope)"
//   }
//
// Not thread-safe: used on the I/O executor only. The clock must outlive the limiter.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "net/asio.hpp"
#include "net/ban_list.hpp"
#include "net/clock.hpp"
#include "net/log_throttle.hpp"

namespace zwerm::net {

class log_limiter {
 public:
  struct line {
    std::uint64_t left_out = 0;  // lines of this scope left out since the last one written
    std::string scope;           // the class ("192.0.2.0/24", "2001:db8:1::/48") or
                                 // "other addresses"
  };

  // A period of zero or less admits every line.
  log_limiter(std::chrono::milliseconds period, const clock& c, std::size_t max_classes = 64);

  // Called once per event about `address`. nullopt: leave the line out (it is counted).
  // Otherwise write it. The first line of a class is always admitted.
  std::optional<line> admit(const asio::ip::address& address);

  // The class of `address` as text, e.g. "192.0.2.0/24" or "2001:db8:1::/48".
  static std::string class_of(const asio::ip::address& address);

 private:
  static asio::ip::address class_key(const asio::ip::address& address);

  std::chrono::milliseconds period_;
  const clock& clock_;
  std::size_t max_classes_;
  std::unordered_map<asio::ip::address, log_throttle, address_hash> classes_;
  log_throttle other_;  // classes beyond max_classes_
};

}  // namespace zwerm::net
