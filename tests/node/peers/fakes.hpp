// Test doubles for the peer manager: a hand-driven clock, a map-backed persistence that can be
// told to fail, and small helpers to make keys and addresses.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "node/peers/clock.hpp"
#include "node/peers/manager.hpp"
#include "node/peers/persistence.hpp"

namespace zwerm::node::peers::testing {

using namespace std::chrono_literals;

class fake_clock final : public clock {
 public:
  time_point now() const override { return now_; }
  void advance(milliseconds d) { now_ += d; }
  void set_back(milliseconds d) { now_ -= d; }

 private:
  // A realistic wall-clock time (2026), so that "epoch" keeps meaning "never".
  time_point now_ = time_point(milliseconds(1'790'000'000'000));
};

class memory_book final : public peer_persistence {
 public:
  std::map<std::string, std::string> entries;
  bool fail_writes = false;
  int saves = 0;
  int erases = 0;

  result<std::vector<stored_peer>> load() override {
    std::vector<stored_peer> out;
    for (const auto& [a, i] : entries) out.push_back({a, i});
    return out;
  }
  status save(const std::string& address, const std::string& info) override {
    if (fail_writes) return {status_code::io_error, "the disk is full (injected)"};
    ++saves;
    entries[address] = info;
    return {};
  }
  status erase(const std::string& address) override {
    if (fail_writes) return {status_code::io_error, "the disk is full (injected)"};
    ++erases;
    entries.erase(address);
    return {};
  }
};

// A deterministic key whose first byte is `n` (bytewise order follows n).
inline member_id key(std::uint8_t n) {
  member_id k;
  k.bytes.fill(0x5a);
  k.bytes[0] = n;
  return k;
}

inline std::string addr(int n) {
  return "10.0.0." + std::to_string(n) + ":7411";
}

inline manager_options test_options(std::size_t target = 6, std::uint64_t seed = 42) {
  manager_options o;
  o.target = target;
  o.seed = seed;
  return o;
}

// The set of addresses of some dial requests.
inline std::vector<std::string> addresses(const std::vector<dial_request>& dials) {
  std::vector<std::string> out;
  for (const auto& d : dials) out.push_back(d.address);
  return out;
}

}  // namespace zwerm::node::peers::testing
