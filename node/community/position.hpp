// A record's place in a community's total order (PROTOCOL.md §3.1).
//
// Every node orders a community's records by (lamport, author bytes, seq), compared in that
// order, the author as 32 raw bytes compared lexicographically. Two different valid records
// share a position only when their author forked (signed two records for one seq); the state
// machine ignores both (see state::mark_forked), so the order never needs a further key.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "node/records/record.hpp"

namespace zwerm::node::community {

struct position {
  std::uint64_t lamport = 0;
  member_id author;
  std::uint64_t seq = 0;

  friend auto operator<=>(const position&, const position&) = default;
  friend bool operator==(const position&, const position&) = default;
};

inline position position_of(const record& r) {
  return {r.lamport, r.author, r.seq};
}

// Text form used as a paging cursor: "<lamport>.<author base64url>.<seq>".
std::string to_text(const position& p);
// Parses the text form; nullopt when malformed.
std::optional<position> position_from_text(std::string_view text);

}  // namespace zwerm::node::community
