// The two ids the protocol hashes out of records (docs/PROTOCOL.md §1, §2.4): a record's id and a
// community's id. Both are 32 bytes of BLAKE2b-256, but they are distinct types, so a record id
// cannot be passed where a community id is meant, or the other way round, without one of the
// named conversions below. They are fixed_bytes (base/bytes.hpp), so ordering, equality, raw
// bytes (view, str, from), hex, base64url text (base/base64url.hpp: to_text, from_text, short_id)
// and the keyed hash for unordered containers (crypto/keyed_hash.hpp) work for both. A record's
// id is made from its payload by crypto::record_id_of (crypto/hash.hpp).
//
// Thread-safety: pure.
#pragma once

#include "base/bytes.hpp"

namespace zwerm {

using record_id = crypto::fixed_bytes<32, struct record_id_tag>;        // BLAKE2b-256(payload)
using community_id = crypto::fixed_bytes<32, struct community_id_tag>;  // its genesis record's id

// A community's id is the id of its genesis record (docs/PROTOCOL.md §1, §2.4): the community whose
// genesis is the record `genesis`, and back.
inline community_id community_of_genesis(const record_id& genesis) {
  return community_id{genesis.bytes};
}
inline record_id genesis_of(const community_id& community) {
  return record_id{community.bytes};
}

}  // namespace zwerm
