// Synthetic record entries for store tests: the store checks chain facts and that the id is
// the hash of the payload, never signatures, so these carry a zero signature.
#pragma once

#include <optional>
#include <string>

#include "base/bytes.hpp"
#include "crypto/hash.hpp"
#include "store/record_entry.hpp"

namespace zwerm::store::testing {

inline community_id community_named(const std::string& name) {
  return community_of_genesis(crypto::record_id_of("community:" + name));
}

inline crypto::public_key author_named(const std::string& name) {
  crypto::public_key a;
  auto d = crypto::blake2b256("author:" + name);
  crypto::public_key::from(d.view(), &a);
  return a;
}

// Makes a record with the given header fields; the payload names them all, so every distinct
// header (or distinct `salt`) gives a distinct id.
inline record_entry make_entry(const community_id& community, const crypto::public_key& author,
                               std::uint64_t seq, std::optional<record_id> prev,
                               std::uint64_t lamport, const std::string& salt = {},
                               std::size_t size = 300) {
  record_entry e;
  e.community = community;
  e.author = author;
  e.seq = seq;
  e.prev = prev;
  e.lamport = lamport;
  std::string payload = "{\"community\":\"" + crypto::to_hex(community) + "\",\"author\":\"" +
                        crypto::to_hex(author) + "\",\"seq\":" + std::to_string(seq) +
                        ",\"lamport\":" + std::to_string(lamport) + ",\"salt\":\"" + salt +
                        "\",\"pad\":\"";
  const std::size_t want = size > 64 + payload.size() + 2 ? size - 64 - payload.size() - 2 : 0;
  payload.append(want, 'x');
  payload += "\"}";
  e.id = crypto::record_id_of(payload);
  e.bytes = payload + std::string(64, '\0');
  return e;
}

// Writes one feed in order.
class feed_writer {
 public:
  feed_writer(const community_id& community, const crypto::public_key& author)
      : community_(community), author_(author) {}

  record_entry next(const std::string& salt = {}, std::uint64_t lamport_step = 1) {
    auto e = make_entry(community_, author_, seq_ + 1, prev_, lamport_ + lamport_step, salt);
    ++seq_;
    prev_ = e.id;
    lamport_ += lamport_step;
    return e;
  }
  // Continues after an existing head (seq, id, lamport).
  void resume(std::uint64_t seq, const record_id& id, std::uint64_t lamport) {
    seq_ = seq;
    prev_ = seq ? std::optional(id) : std::nullopt;
    lamport_ = lamport;
  }
  std::uint64_t seq() const { return seq_; }

 private:
  community_id community_;
  crypto::public_key author_;
  std::uint64_t seq_ = 0;
  std::optional<record_id> prev_;
  std::uint64_t lamport_ = 0;
};

}  // namespace zwerm::store::testing
