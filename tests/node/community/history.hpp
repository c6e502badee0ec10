// Test support: writes community records for test members (valid chains, ids and lamports;
// fake signatures, which the community state never looks at).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/sign.hpp"
#include "node/community/replayer.hpp"
#include "node/records/record.hpp"

namespace zwerm::node::community::test {

struct test_member {
  crypto::key_pair keys;
  std::uint64_t seq = 0;
  std::optional<record_id> prev;
  std::uint64_t lamport = 0;
  const member_id& id() const { return keys.pk; }
  std::string text() const;
};

class history {
 public:
  // A member whose key is derived from `seed` (deterministic).
  test_member make_member(std::uint64_t seed) const;

  // Writes the author's next record. lamport defaults to 1 + the largest lamport written so far
  // (so it sorts after everything before it).
  record write(test_member& m, std::string_view type, const nlohmann::json& body, std::int64_t ts,
               std::optional<std::uint64_t> lamport = std::nullopt);

  record genesis(test_member& m, const std::string& name = "Makers",
                 std::string invite_by = "member", int quorum_pct = 50, std::int64_t ts = 1'000);

  community_id community;
  std::vector<record> records;
  std::uint64_t max_lamport = 0;
};

std::string text(const record_id& id);
std::string text(const member_id& id);
std::string text(const community_id& id);
std::string text(const crypto::digest& hash);  // an invite token's hash

// An in-memory stand-in for the store: absorbed records in total order.
class memory_store {
 public:
  void add(const record& r) { records_.emplace(position_of(r), r); }
  record_source source() const;
  std::optional<record> lookup(const record_id& id) const;

 private:
  std::map<position, record> records_;
};

// "" when equal, else the first differing line of each (keeps failure output readable).
std::string first_difference(const std::string& a, const std::string& b);

// Every view of the state, dumped to text (fixed "now" for pulse and proposals).
std::string all_views(const state& s, std::int64_t now_ts);

}  // namespace zwerm::node::community::test
