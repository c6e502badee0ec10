// Community histories (tests/vectors/README.md, "Community histories"): what a node holding a
// set of records shows, computed with the project's own community code. Shared by the checker
// (check_histories.cpp) and the generator (gen_histories.cpp), so both compute the expected
// values the same way.
//
// A `holder` is one node's view of one community: it receives batches of records in any order,
// keeps them (as the store would), feeds them to a community::replayer and marks the forks
// the record set proves (PROTOCOL.md §3.6: for each author, k = the smallest seq held with two
// or more distinct records, L = the smallest lamport among that author's records at seq k).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/keyed_hash.hpp"
#include "node/community/replayer.hpp"
#include "node/community/state.hpp"
#include "node/records/record.hpp"

namespace zwerm::conformance::histories {

// Every value a vector compares after a step, by name: "state" (the summary) and one entry
// per view ("community", "members", "feed", "requests", "balance", "ties", "pulse",
// "proposals", "circles", "who_knows").
using observation = std::map<std::string, nlohmann::json>;

// The names of `observation`, in the order the vectors list them.
const std::vector<std::string>& observed_names();

// The fork points a record set proves (§3.6), by author.
std::map<node::member_id, node::community::fork_point> forks_of(
    const std::vector<node::record>& records);

// The state summary and every view of `s` with `now_ts` as the time-dependent views' "now";
// `held` resolves record ids to bodies for the feed view.
observation observe(const node::community::state& s,
                    const std::unordered_map<record_id, node::record>& held, std::int64_t now_ts);

class holder {
 public:
  explicit holder(const community_id& community);

  // Receives records (any order, duplicates ignored), absorbs them and marks the forks the
  // held set now proves. Returns "" on success, else what went wrong.
  std::string add(const std::vector<node::record>& batch);

  observation observe(std::int64_t now_ts) const;
  // The same computed from scratch: every held record applied in total order to a fresh state
  // with the set's forks declared first (the definition the replayer must match).
  observation observe_from_scratch(std::int64_t now_ts) const;

  const node::community::state& current() const { return replayer_->current(); }
  bool holds(const record_id& id) const { return by_id_.count(id) > 0; }

 private:
  community_id community_;
  std::unique_ptr<node::community::replayer> replayer_;
  std::vector<node::record> held_;                     // in arrival order
  std::unordered_map<record_id, node::record> by_id_;  // every held record
  // The store: one record per position (of two fork sides at one position, the first).
  std::map<node::community::position, node::record> store_;
};

}  // namespace zwerm::conformance::histories
