// Frontier digests (docs/ARCHITECTURE.md, "Store"; docs/PROTOCOL.md, sync).
//
// feed_hash(head)  = BLAKE2b-256(author(32) ‖ seq(8, big-endian) ‖ id(32) ‖ forked(1))
// bucket digest b  = XOR of feed_hash over the community's heads whose author[0] == b
//                    (32 zero bytes for an empty bucket)
// frontier digest  = BLAKE2b-256(bucket digest 0 ‖ … ‖ bucket digest 255)
//
// XOR makes every update O(1): when a feed's head moves, its old hash is XORed out and the new
// one in. Two nodes holding the same heads compute the same digests, whatever the order in
// which their records arrived.
#pragma once

#include <array>

#include "base/bytes.hpp"
#include "store/store.hpp"

namespace zwerm::store {

crypto::digest feed_hash(const feed_head& head);
void xor_into(crypto::digest* acc, const crypto::digest& h);
crypto::digest frontier_digest_of(const std::array<crypto::digest, 256>& buckets);

}  // namespace zwerm::store
