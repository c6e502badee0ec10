// A signed record (docs/PROTOCOL.md, "Records").
//
// record = payload ‖ signature(64). The payload is UTF-8 JSON written once by its author
// (compactly, by zwerm's writer; other spacing is accepted); nodes never re-serialise it. A
// `record` value holds the exact bytes plus the header fields parsed out of them; `body` is the raw
// JSON text of the body object as it appears in the payload, for the community state machine to
// interpret.
//
// Records come from node/records/record_parse.hpp (parse_record: bytes from peers, files, the
// store) or node/records/record_writer.hpp (write_record, feed_writer: this node's own records);
// both fill every member consistently. Chain, lamport and order rules:
// node/records/record_chain.hpp; forks: node/records/record_fork.hpp; the exact format:
// docs/PROTOCOL.md §2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/ids.hpp"

namespace zwerm::node {

using member_id = crypto::public_key;

inline constexpr std::size_t max_payload_size = 16 * 1024;
inline constexpr std::size_t signature_size = 64;

struct record {
  std::string bytes;       // payload ‖ signature, exactly as received or written
  record_id id;            // BLAKE2b-256(payload)
  community_id community;  // the `community` field; for the genesis record its own id
  member_id author;
  std::uint64_t seq = 0;
  std::optional<record_id> prev;  // null only when seq == 1
  std::uint64_t lamport = 0;
  std::int64_t ts = 0;  // author's wall clock, ms since the epoch; display only
  std::string type;
  std::string body;  // raw JSON text of the body object
  // Set by the ingest queue (node/records/chain_auth.hpp) when this record was accepted because
  // the next record of the same message chains to it and that record's signature, or a later
  // one's along the chain, verified: the author signed a record whose `prev` commits to this
  // payload, but this record's own signature has not been checked yet (PROTOCOL.md §2.11).
  bool signature_vouched = false;

  bool is_genesis() const { return type == "community.create"; }
  std::string_view payload() const {
    return std::string_view(bytes).substr(0, bytes.size() - signature_size);
  }
  std::string_view signature_bytes() const {
    return std::string_view(bytes).substr(bytes.size() - signature_size);
  }
};

}  // namespace zwerm::node
