// Writing records: build the compact payload, sign it, return the parsed record
// (PROTOCOL.md §2.2 and §2.7).
//
// The payload is written once, compactly, with the header fields in the fixed order
//   {"v":1,"community":C,"author":A,"seq":N,"prev":P|null,"lamport":L,"ts":T,"type":"…","body":{…}}
// ("community" left out for the genesis record, type "community.create"). The body is given
// as already-serialised compact JSON text (e.g. nlohmann::json::dump()) and is checked with the
// same scanner the parser uses, so the writer never emits a record that parse_record would
// refuse. Errors are the caller's: status_code::invalid_argument with a sentence.
//
// Thread-safety: write_record is pure; a feed_writer is a plain value, used by one owner.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.hpp"
#include "crypto/sign.hpp"
#include "node/records/record.hpp"
#include "node/records/record_chain.hpp"

namespace zwerm::node {

inline constexpr std::string_view genesis_type = "community.create";

// Every field of a payload except `v` (always 1) and `author` (the signing key's).
struct record_fields {
  std::optional<community_id> community;  // none exactly when type == "community.create"
  std::uint64_t seq = 1;                  // >= 1
  std::optional<record_id> prev;          // none exactly when seq == 1
  std::uint64_t lamport = 1;              // >= 1; see next_lamport()
  std::int64_t ts = 0;                    // ms since the epoch, >= 0
  std::string type;                       // non-empty UTF-8
  std::string body = "{}";                // a compact JSON object in the accepted subset
};

// Builds, signs and returns the record. Refuses (invalid_argument) fields that break a rule:
// a missing/extra community, seq/prev mismatch, out-of-range numbers, an empty or non-UTF-8
// type, a body that is not a compact JSON object of the subset, a payload over 16 KiB.
result<record> write_record(const record_fields& fields, const crypto::key_pair& key);

// The genesis record of a new community: seq 1, prev null, lamport 1, no community field.
// Its id is the new community's id.
result<record> write_genesis(std::string body, std::int64_t ts, const crypto::key_pair& key);

// Appends to one author's feed in one community, keeping seq, prev and lamport right.
// Lamport rule: each new record gets 1 + the largest lamport seen in the community (the
// writer's own records included); call observe() for every record ingested from others.
class feed_writer {
 public:
  // head: this author's current feed head in `community` (none for an empty feed).
  // max_lamport_seen: the largest lamport of any record this node holds in the community.
  feed_writer(crypto::key_pair key, community_id community, std::optional<feed_head> head,
              std::uint64_t max_lamport_seen);

  // A writer continuing after the author's own genesis record.
  static feed_writer after_genesis(crypto::key_pair key, const record& genesis);

  void observe(std::uint64_t lamport) {
    if (lamport > max_seen_) max_seen_ = lamport;
  }

  // Writes the next record; on success the head and max lamport advance past it.
  result<record> append(std::string type, std::string body, std::int64_t ts);

  const std::optional<feed_head>& head() const { return head_; }
  const community_id& community() const { return community_; }
  std::uint64_t max_lamport_seen() const { return max_seen_; }

 private:
  crypto::key_pair key_;
  community_id community_;
  std::optional<feed_head> head_;
  std::uint64_t max_seen_;
};

}  // namespace zwerm::node
