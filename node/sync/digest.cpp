#include "node/sync/digest.hpp"

#include "crypto/hash.hpp"

namespace zwerm::node::sync {

crypto::digest feed_hash(const crypto::public_key& author, std::uint64_t seq,
                         const record_id& head_id, bool forked) {
  std::array<char, 32 + 8 + 32 + 1> buf{};
  std::size_t p = 0;
  for (auto b : author.bytes) buf[p++] = static_cast<char>(b);
  for (int i = 7; i >= 0; --i) buf[p++] = static_cast<char>((seq >> (8 * i)) & 0xff);
  for (auto b : head_id.bytes) buf[p++] = static_cast<char>(b);
  buf[p++] = forked ? 1 : 0;
  return crypto::blake2b256(std::string_view(buf.data(), buf.size()));
}

void xor_into(crypto::digest& acc, const crypto::digest& h) {
  for (std::size_t i = 0; i < acc.bytes.size(); ++i) acc.bytes[i] ^= h.bytes[i];
}

crypto::digest frontier_of(const bucket_digest_array& buckets) {
  crypto::blake2b256_state st;
  for (const auto& b : buckets) st.update(b.view());
  return st.finish();
}

}  // namespace zwerm::node::sync
