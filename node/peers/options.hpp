// The peer manager's options: a plain struct with in-class defaults. The daemon fills
// `target` from the config's `target_peers`; tests shorten the times and fix the seed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "node/peers/clock.hpp"

namespace zwerm::node::peers {

struct manager_options {
  // Connections (inbound and outbound together) the manager keeps for its community. It starts
  // dials while connections plus dials in progress are below this; it never closes inbound
  // connections above it (net/'s inbound limits bound those). Default 6.
  std::size_t target = 6;

  // Reconnect backoff with full jitter: after the n-th consecutive failure of an address the
  // next attempt waits a uniformly random time in [0, min(backoff_cap, backoff_base · 2^(n-1))].
  // Default base 1 s.
  milliseconds backoff_base{std::chrono::seconds(1)};
  // Default cap 10 min.
  milliseconds backoff_cap{std::chrono::minutes(10)};
  // A connection that lasted at least this long was a success: its address's failure count
  // returns to 0 when it ends, and it is redialed within [0, backoff_base]. A shorter one counts
  // as a failure (so a peer that accepts and drops at once is retried ever more slowly).
  // Default 60 s.
  milliseconds stable_after{std::chrono::seconds(60)};

  // Ban of an address whose node misbehaved (misbehaved()): the m-th offence bans it for
  // min(ban_cap, ban_base · 2^(m-1)). Default base 1 min.
  milliseconds ban_base{std::chrono::minutes(1)};
  // Default cap 24 h.
  milliseconds ban_cap{std::chrono::hours(24)};

  // Addresses known only from peer exchange, at most. When full, a new one evicts the
  // exchange-only address with the most failures (then the oldest); addresses from config,
  // invites and profiles are never evicted and do not count. Default 128.
  std::size_t max_exchange = 128;
  // New addresses taken from one peer-exchange message, at most (one peer cannot fill the
  // table by itself). Default 16.
  std::size_t max_exchange_per_message = 16;
  // Addresses offered to a peer that asks (shareable()), at most. Default 64 (the sync
  // message's limit).
  std::size_t max_share = 64;

  // Seed of the random choices (which address to dial, jitter). 0: seeded from
  // std::random_device. Default 0.
  std::uint64_t seed = 0;
};

}  // namespace zwerm::node::peers
