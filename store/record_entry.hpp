// What the store needs to know about a validated record: ids and numbers, never JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.hpp"

namespace zwerm::store {

struct record_entry {
  crypto::digest id;         // BLAKE2b-256 of the payload
  crypto::digest community;  // the community id (the genesis record's id)
  crypto::public_key author;
  std::uint64_t seq = 0;
  std::optional<crypto::digest> prev;  // id of the author's record seq-1; none for seq 1
  std::uint64_t lamport = 0;
  std::string bytes;  // payload ‖ signature, stored as is
};

}  // namespace zwerm::store
