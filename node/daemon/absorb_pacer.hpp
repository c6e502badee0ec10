// When the records sync brings go into a community's state (community_host::absorb_soon).
//
// Records that all sort after the state's head cost only their own apply, so they go in at
// once (a live push; a catch-up that arrives in total order). Records that reach before the
// head make the replayer undo and replay every applied record from the earliest of them on
// (community::replayer::replay_cost). In a catch-up of many short feeds the records arrive feed
// by feed while the total order interleaves the feeds, and absorbing each batch as it came
// replayed the whole community once per batch (docs/PERFORMANCE.md, "Catch-up beyond the
// signature limit"). Such records wait instead, gathering the batches that follow, and go in
// together as soon as one of these holds:
//   - sync said with the latest of them that it fetches nothing more of the community (the
//     catch-up has ended, or this is a live push), and either the replay is no larger than the
//     records waiting (cost <= waiting: at most one replayed record per new one) or no record
//     arrived for `quiet` since (which gathers what the last round brings);
//   - the first of them has waited `wait_factor` times as long as the last absorb that
//     replayed took, and at least `min_wait`, at most `max_wait`: while sync still fetches,
//     replays then take at most about 1 / wait_factor of the catch-up's time (a replay reads
//     each applied record back from the store: several times the cost of applying a new one),
//     and the state is never more than max_wait (plus one absorb) behind the store, whatever a
//     peer sends.
// The records are already committed, so waiting changes when the state shows them, never what
// it ends up holding: a crash loses no record (the next start finds the state's snapshot
// behind the store and replays), and a write of this member's own absorbs what waits first.
//
// The pacer keeps one community's times; community_host asks it with the replayer's cost.
// Times come from the steady clock of the executor's timers by default (not the node's clock
// seam, which tests may stop: pacing decides only when records go in, and must not wait for a
// clock nobody moves). Threads: none; the host's executor.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

namespace zwerm::node {

struct absorb_pacing {
  std::chrono::milliseconds quiet{50};
  std::chrono::milliseconds min_wait{200};
  std::chrono::milliseconds max_wait{30'000};
  unsigned wait_factor = 20;
  // The time source (tests move their own).
  std::function<std::chrono::steady_clock::time_point()> now = [] {
    return std::chrono::steady_clock::now();
  };
};

class absorb_pacer {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using duration = std::chrono::steady_clock::duration;

  explicit absorb_pacer(absorb_pacing options = {}) : options_(options) {}

  // Records of the community arrived at `now` (the first since the last absorb starts the
  // wait); `more_coming`: sync is still fetching feeds of the community.
  void arrived(time_point now, bool more_coming = false);
  // Whether the `waiting` records, whose absorb would replay `cost` applied records, go in at
  // `now`: nullopt when they do, else the time to ask again.
  std::optional<time_point> due(std::uint64_t cost, std::size_t waiting, time_point now) const;
  // The waiting records went in; the absorb took `took` and replayed when `replayed`.
  void absorbed(duration took, bool replayed);

  duration last_replay() const { return last_replay_; }
  // What the latest arrival said: sync still fetches feeds of the community.
  bool more_coming() const { return more_coming_; }

 private:
  absorb_pacing options_;
  std::optional<time_point> first_;  // the first arrival since the last absorb
  time_point last_{};                // the latest arrival
  bool more_coming_ = false;         // what the latest arrival said
  duration last_replay_{};           // how long the last absorb that replayed took
};

}  // namespace zwerm::node
