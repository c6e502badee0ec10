// The frontier and bucket digests of docs/PROTOCOL.md §5.3, for replicas that keep their heads
// in memory. store::store computes the same values incrementally from its own tables
// (store/frontier.hpp); tests check that both agree byte for byte.
//
//   feed_hash   = BLAKE2b-256(author(32) ‖ seq(8, big-endian) ‖ id(32) ‖ forked(1: 0 or 1))
//   bucket b    = XOR of feed_hash over the feeds whose author[0] == b (32 zero bytes if none)
//   frontier    = BLAKE2b-256(bucket 0 ‖ bucket 1 ‖ … ‖ bucket 255)
#pragma once

#include <array>
#include <cstdint>

#include "base/bytes.hpp"
#include "base/ids.hpp"

namespace zwerm::node::sync {

using bucket_digest_array = std::array<crypto::digest, 256>;

crypto::digest feed_hash(const crypto::public_key& author, std::uint64_t seq,
                         const record_id& head_id, bool forked);
void xor_into(crypto::digest& acc, const crypto::digest& h);
crypto::digest frontier_of(const bucket_digest_array& buckets);

}  // namespace zwerm::node::sync
