#include "node/sync/memory_replica.hpp"

#include "node/records/record_chain.hpp"
#include "node/records/record_parse.hpp"

namespace zwerm::node::sync {

memory_replica::memory_replica(const community_id& community, memory_replica_options opts)
    : community_(community), opts_(opts) {}

result<crypto::digest> memory_replica::frontier_digest() const {
  if (!frontier_) frontier_ = frontier_of(buckets_);
  return *frontier_;
}

result<bucket_digest_array> memory_replica::bucket_digests() const {
  return buckets_;
}

result<std::vector<feed_head>> memory_replica::bucket_heads(std::uint8_t bucket) const {
  std::vector<feed_head> out;
  crypto::public_key lo;
  lo.bytes[0] = bucket;
  for (auto it = feeds_.lower_bound(lo); it != feeds_.end() && it->first.bytes[0] == bucket; ++it) {
    if (it->second.log.empty()) continue;
    out.push_back({.author = it->first,
                   .seq = it->second.log.size(),
                   .id = it->second.log.back().id,
                   .lamport = it->second.log.back().lamport,
                   .forked = it->second.forked});
  }
  return out;
}

result<std::uint64_t> memory_replica::head_seq(const crypto::public_key& author) const {
  auto it = feeds_.find(author);
  return it == feeds_.end() ? 0 : static_cast<std::uint64_t>(it->second.log.size());
}

result<std::vector<std::string>> memory_replica::read_feed(const crypto::public_key& author,
                                                           std::uint64_t from_seq,
                                                           std::size_t max_bytes,
                                                           std::size_t max_records) const {
  // Every record here was verified in full on ingest: any of them may end a range.
  std::vector<std::string> out;
  auto it = feeds_.find(author);
  if (it == feeds_.end() || from_seq == 0) return out;
  const auto& log = it->second.log;
  std::size_t bytes = 0;
  for (std::uint64_t s = from_seq; s <= log.size(); ++s) {
    const auto& r = log[s - 1];
    if (!out.empty() && (bytes + r.bytes.size() > max_bytes || out.size() >= max_records)) break;
    bytes += r.bytes.size();
    out.push_back(r.bytes);
  }
  return out;
}

result<record_key> memory_replica::peek(std::string_view record_bytes) const {
  auto r = parse_record(record_bytes, signature_check::skip);
  if (!r) return r.to_status();
  return record_key{r->author, r->seq};
}

std::vector<std::string> memory_replica::all_records() const {
  std::vector<std::string> out;
  for (const auto& [a, f] : feeds_) {
    for (const auto& r : f.log) out.push_back(r.bytes);
  }
  return out;
}

bool memory_replica::forked(const crypto::public_key& author) const {
  auto it = feeds_.find(author);
  return it != feeds_.end() && it->second.forked;
}

std::uint64_t memory_replica::fork_seq(const crypto::public_key& author) const {
  auto it = feeds_.find(author);
  return it == feeds_.end() ? 0 : it->second.fork_seq;
}

// XOR is its own inverse: the same call takes a head's hash out of its bucket and puts it in.
void memory_replica::toggle_head_hash(const crypto::public_key& author, const feed& f) {
  if (f.log.empty()) return;
  xor_into(buckets_[author.bytes[0]], feed_hash(author, f.log.size(), f.log.back().id, f.forked));
  frontier_.reset();
}

void memory_replica::append(feed& f, const node::record& r, std::vector<record_key>& appended) {
  toggle_head_hash(r.author, f);
  f.log.push_back({r.bytes, r.id, r.lamport});
  toggle_head_hash(r.author, f);
  ++records_;
  ++appends_;
  appended.push_back({r.author, r.seq});
}

record_outcome memory_replica::ingest_one(const std::string& bytes,
                                          std::vector<record_key>& appended) {
  auto parsed = parse_record(bytes);
  if (!parsed) return {ingest_outcome::invalid, parsed.error().message, {}};
  node::record& r = *parsed;
  record_key key{r.author, r.seq};
  if (r.community != community_) {
    return {ingest_outcome::invalid, "record of another community", key};
  }
  auto& f = feeds_[r.author];
  std::optional<node::feed_head> head;
  if (!f.log.empty())
    head = node::feed_head{.author = r.author,
                           .seq = f.log.size(),
                           .id = f.log.back().id,
                           .lamport = f.log.back().lamport};
  std::optional<record_id> held;
  if (r.seq < f.log.size()) held = f.log[r.seq - 1].id;
  auto verdict = check_chain(r, head, held);
  switch (verdict.verdict) {
    case chain_verdict::next:
      break;
    case chain_verdict::duplicate:
      return {ingest_outcome::duplicate, {}, key};
    case chain_verdict::conflict: {
      const auto& kept = f.log[r.seq - 1];
      if (f.proofs.size() >= 16) {
        return {ingest_outcome::forked, "feed already holds its most fork proofs", key};
      }
      for (const auto& p : f.proofs) {
        if (p.second == bytes) return {ingest_outcome::duplicate, {}, key};
      }
      toggle_head_hash(r.author, f);
      f.forked = true;
      toggle_head_hash(r.author, f);
      f.proofs.emplace_back(kept.bytes, bytes);
      if (f.fork_seq == 0 || r.seq < f.fork_seq) f.fork_seq = r.seq;
      ++fork_proofs_;
      return {ingest_outcome::forked,
              "the author signed two records for seq " + std::to_string(r.seq) +
                  "; the second is kept as a fork proof",
              key};
    }
    case chain_verdict::needs_lookup:  // not reached: `held` is always given below the head
      return {ingest_outcome::dropped, "record below the feed head could not be looked up", key};
    case chain_verdict::gap: {
      if (f.continuation && r.prev && *r.prev == f.continuation->second) {
        if (r.seq > f.continuation->first) f.continuation = {r.seq, r.id};
        drop_continued(f);
        return {ingest_outcome::fork_continuation,
                "record with seq " + std::to_string(r.seq) +
                    " goes on from a record refused as the other side of this feed's fork",
                key};
      }
      if (f.pending.count(r.seq)) return {ingest_outcome::pending, {}, key};
      if (pending_ >= opts_.max_pending || f.pending.size() >= opts_.max_pending_per_feed) {
        return {ingest_outcome::dropped, "the pending area for records past a gap is full", key};
      }
      f.pending.emplace(r.seq, std::move(r));
      ++pending_;
      return {ingest_outcome::pending, {}, key};
    }
    case chain_verdict::wrong_prev:
      // Signed by the author, who signed another record for seq - 1: the author's fork, not
      // the relaying peer's fault (as store_replica).
      if (!f.continuation || r.seq > f.continuation->first) f.continuation = {r.seq, r.id};
      drop_continued(f);
      return {ingest_outcome::fork_continuation,
              verdict.message + "; this goes on from another record of the author at that seq",
              key};
    case chain_verdict::seq_prev_mismatch:
    case chain_verdict::lamport_not_increasing:
      return {ingest_outcome::bad_chain, verdict.message, key};
  }
  append(f, r, appended);
  // Promote records that were waiting for this one.
  while (!f.pending.empty() && f.pending.begin()->first <= f.log.size() + 1) {
    auto node = f.pending.extract(f.pending.begin());
    --pending_;
    const node::record& p = node.mapped();
    if (p.seq != f.log.size() + 1) continue;  // stale: an equal seq arrived in order
    node::feed_head h{.author = p.author,
                      .seq = f.log.size(),
                      .id = f.log.back().id,
                      .lamport = f.log.back().lamport};
    if (check_chain(p, h).ok()) append(f, p, appended);
  }
  return {ingest_outcome::stored, {}, key};
}

void memory_replica::drop_continued(feed& f) {
  for (;;) {
    auto next = f.pending.find(f.continuation->first + 1);
    if (next == f.pending.end() || next->second.prev != f.continuation->second) return;
    f.continuation = {next->first, next->second.id};
    f.pending.erase(next);
    --pending_;
  }
}

result<ingest_report> memory_replica::ingest(const std::vector<std::string>& batch) {
  ingest_report rep;
  rep.outcomes.reserve(batch.size());
  for (const auto& b : batch) rep.outcomes.push_back(ingest_one(b, rep.appended));
  return rep;
}

}  // namespace zwerm::node::sync
