// Snapshots of the community state: the checkpoints the daemon persists next to the records
// (PROTOCOL.md §3.7 gives the byte layout).
//
// encode_snapshot() writes everything the views need except what can be rebuilt from it
// (per-filter feed indexes, per-week activity, who-knows evidence, the thanks graph's
// adjacency); decode_snapshot() reads it back, checks every index and count, and rebuilds the
// rest. The encoding is deterministic: two nodes with the same state produce the same bytes.
// The undo journal is not part of a snapshot: a restored state can only move forward from its
// head (or be replaced by an older checkpoint). Pure functions.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/status.hpp"
#include "node/community/state.hpp"

namespace zwerm::node::community {

inline constexpr std::string_view snapshot_magic = "ZWCS";
inline constexpr std::uint32_t snapshot_version = 3;

// `size_hint`: bytes to reserve up front (say, the previous snapshot's size), so that a large
// snapshot is not copied as its buffer grows. The bytes do not depend on it.
std::string encode_snapshot(const state& s, std::size_t size_hint = 0);

// Errors: corruption (truncated, bad magic, an index out of range, ... with the reason),
// unsupported (a newer snapshot version). `journal_limit` sizes the restored state's journal.
result<std::unique_ptr<state>> decode_snapshot(std::string_view bytes,
                                               std::size_t journal_limit = 100'000);

}  // namespace zwerm::node::community
