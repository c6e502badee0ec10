// What the store needs to know about a validated record: ids and numbers, never JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.hpp"
#include "base/ids.hpp"

namespace zwerm::store {

struct record_entry {
  record_id id;            // BLAKE2b-256 of the payload
  community_id community;  // the community id (the genesis record's id)
  crypto::public_key author;
  std::uint64_t seq = 0;
  std::optional<record_id> prev;  // id of the author's record seq-1; none for seq 1
  std::uint64_t lamport = 0;
  std::string bytes;  // payload ‖ signature, stored as is
};

}  // namespace zwerm::store
