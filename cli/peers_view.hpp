// `zwerm peers` for people: every known address that is not connected says why, in words, from
// the facts the node sends with it (state, until_ts, reason, never_tried; docs/RPC.md, peers).
// Nothing here guesses: an address without a reason from the node says only its state.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace zwerm::cli {

// "14:05 UTC" when `ts_ms` is within a day of `now_ms`, else "2026-12-12 14:05 UTC".
std::string utc_clock_time(std::int64_t ts_ms, std::int64_t now_ms);

// Why one `known` row of the peers answer is not connected, e.g. "banned until 14:05 UTC
// (sent a bad record)", "backing off, next try in 2 min (connection refused)", "never tried";
// "" for a connected address.
std::string peer_why(const nlohmann::json& row, std::int64_t now_ms);

// The peers answer with each `known` row's state, until_ts, reason, banned_by and never_tried
// folded into one "why" column, and each of the operator's `bans` under "ip" (for
// render_generic).
nlohmann::json peers_for_people(nlohmann::json result, std::int64_t now_ms);

}  // namespace zwerm::cli
