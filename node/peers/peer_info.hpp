// What the peer manager knows about one dial address, and its persisted encoding.
//
// An address is known from up to four sources at once. Each source may also name the member
// key expected at the address (the Secret Handshake needs it to dial). The key used for a dial
// is the one named by the most trusted source that names one, in this order:
//   profile  (the member signed "my node is at this address")
//   invite   (an invite code from a member)
//   config   (the operator's `bootstrap` list; usually names no key)
//   exchange (another node said so: a candidate, never trusted over the others)
//
// encode_info / decode_info turn a peer_info into the opaque blob the daemon keeps in the
// store's peers table (layout in docs/PROTOCOL.md §5, "Peers"). Pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/status.hpp"
#include "node/peers/clock.hpp"

namespace zwerm::node::peers {

enum class source : std::uint8_t { config = 0, invite = 1, profile = 2, exchange = 3 };
inline constexpr std::size_t source_count = 4;
// Most trusted first: the order in which a source's key wins.
inline constexpr std::array<source, source_count> key_priority = {source::profile, source::invite,
                                                                  source::config, source::exchange};
const char* to_string(source s);

inline constexpr std::uint8_t info_version = 1;

struct peer_info {
  std::uint8_t sources = 0;  // bit (1 << source) for each source that named the address
  // The key each source named (only for sources in `sources`; nullopt when it named none).
  std::array<std::optional<crypto::public_key>, source_count> keys{};
  bool self = false;                // dialing it reached this node itself: never dialed again
  std::uint32_t failures = 0;       // consecutive failed dials (or connections that dropped early)
  std::uint32_t misbehaviours = 0;  // offences of the node at this address (for ban growth)
  time_point learned{};             // when the address was first learned
  time_point last_success{};        // when a dial last succeeded (epoch: never)
  time_point next_attempt{};        // not dialed before this (backoff)
  time_point ban_until{};           // not dialed before this (ban)

  bool has(source s) const { return (sources >> static_cast<int>(s)) & 1u; }
  bool only(source s) const { return sources == (1u << static_cast<int>(s)); }
  // The key to expect at the address, from the most trusted source naming one.
  std::optional<crypto::public_key> key() const;
  std::optional<source> key_source() const;

  friend bool operator==(const peer_info&, const peer_info&) = default;
};

std::string encode_info(const peer_info& info);
// Errors: corruption with a sentence (wrong version or length, undefined bits, no source, a key
// for a source that is absent, a negative time).
result<peer_info> decode_info(std::string_view blob);

}  // namespace zwerm::node::peers
