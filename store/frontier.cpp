#include "store/frontier.hpp"

#include "crypto/hash.hpp"
#include "store/keys.hpp"

namespace zwerm::store {

crypto::digest feed_hash(const feed_head& head) {
  std::string in;
  in.reserve(32 + 8 + 32 + 1);
  in.append(head.author.view());
  keys::put_u64(&in, head.seq);
  in.append(head.id.view());
  in.push_back(head.forked ? 1 : 0);
  return crypto::blake2b256(in);
}

void xor_into(crypto::digest* acc, const crypto::digest& h) {
  for (std::size_t i = 0; i < crypto::digest::size(); ++i) acc->bytes[i] ^= h.bytes[i];
}

crypto::digest frontier_digest_of(const std::array<crypto::digest, 256>& buckets) {
  crypto::blake2b256_state s;
  for (const auto& b : buckets) s.update(b.view());
  return s.finish();
}

}  // namespace zwerm::store
