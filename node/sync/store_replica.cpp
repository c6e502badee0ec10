#include "node/sync/store_replica.hpp"

#include <map>
#include <optional>

#include "node/record_chain.hpp"
#include "node/record_parse.hpp"

namespace zwerm::node::sync {

store_replica::store_replica(store::store& s, const crypto::digest& community,
                             node::ingestor* verifier)
    : store_(s), community_(community), verifier_(verifier) {}

result<crypto::digest> store_replica::frontier_digest() const {
  return store_.frontier_digest(community_);
}

result<std::array<crypto::digest, 256>> store_replica::bucket_digests() const {
  return store_.bucket_digests(community_);
}

result<std::vector<feed_head>> store_replica::bucket_heads(std::uint8_t bucket) const {
  auto hs = store_.bucket_heads(community_, bucket);
  if (!hs) return hs.error();
  std::vector<feed_head> out;
  out.reserve(hs->size());
  for (const auto& h : *hs) out.push_back({h.author, h.seq, h.id});
  return out;
}

result<std::uint64_t> store_replica::head_seq(const crypto::public_key& author) const {
  auto h = store_.head(community_, author);
  if (!h) return h.error();
  return h->has_value() ? (*h)->seq : std::uint64_t{0};
}

result<std::vector<std::string>> store_replica::read_feed(const crypto::public_key& author,
                                                          std::uint64_t from_seq,
                                                          std::size_t max_bytes) const {
  std::vector<std::string> out;
  if (from_seq == 0) return out;
  std::size_t bytes = 0;
  std::uint64_t expect = from_seq;
  auto cur = store_.read_feed(community_, author, from_seq);
  for (; cur.valid(); cur.next()) {
    const auto& e = cur.entry();
    if (e.seq != expect) break;  // only consecutive records from from_seq
    if (!out.empty() && bytes + e.bytes.size() > max_bytes) break;
    bytes += e.bytes.size();
    out.push_back(e.bytes);
    ++expect;
  }
  if (auto st = cur.error(); !st.ok()) return st;
  return out;
}

result<record_key> store_replica::peek(std::string_view record_bytes) const {
  auto r = parse_record(record_bytes, signature_check::skip);
  if (!r) return r.to_status();
  return record_key{r->author, r->seq};
}

result<ingest_report> store_replica::ingest(const std::vector<std::string>& batch) {
  ingest_report rep;
  rep.outcomes.resize(batch.size());
  std::vector<store::record_entry> entries;
  std::vector<std::size_t> index_of;  // entries[i] is batch[index_of[i]]
  // The head each feed will have once the records before it in this batch are in.
  std::map<crypto::public_key, std::optional<node::feed_head>> heads;
  std::vector<record_result<record>> verified;
  if (verifier_) {
    verified = verifier_->verify(batch);
  } else {
    verified.reserve(batch.size());
    for (const auto& b : batch) verified.push_back(parse_record(b));
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& out = rep.outcomes[i];
    auto& parsed = verified[i];
    if (!parsed) {
      out = {ingest_outcome::invalid, parsed.error().message, {}};
      continue;
    }
    const node::record& r = *parsed;
    out.key = {r.author, r.seq};
    if (r.community != community_) {
      out.outcome = ingest_outcome::invalid;
      out.reason = "record of another community";
      continue;
    }
    auto it = heads.find(r.author);
    if (it == heads.end()) {
      auto h = store_.head(community_, r.author);
      if (!h) return h.error();
      std::optional<node::feed_head> head;
      if (h->has_value()) head = node::feed_head{(*h)->seq, (*h)->id, (*h)->lamport};
      it = heads.emplace(r.author, head).first;
    }
    auto verdict = check_chain(r, it->second);
    switch (verdict.verdict) {
      case chain_verdict::wrong_prev:
      case chain_verdict::seq_prev_mismatch:
      case chain_verdict::lamport_not_increasing:
        out.outcome = ingest_outcome::bad_chain;
        out.reason = verdict.message;
        continue;
      case chain_verdict::next:
        it->second = head_after(r);
        break;
      default:  // duplicate, conflict, needs_lookup, gap: the store decides
        break;
    }
    entries.push_back({r.id, r.community, r.author, r.seq, r.prev, r.lamport, r.bytes});
    index_of.push_back(i);
  }
  if (entries.empty()) return rep;
  auto done = store_.ingest(entries);
  if (!done) return done.error();
  for (std::size_t k = 0; k < entries.size(); ++k) {
    const auto& o = done->outcomes[k];
    auto& out = rep.outcomes[index_of[k]];
    out.reason = o.reason;
    switch (o.kind) {
      case store::outcome::appended:
        out.outcome = ingest_outcome::stored;
        break;
      case store::outcome::duplicate:
        out.outcome = ingest_outcome::duplicate;
        break;
      case store::outcome::pending:
        out.outcome = ingest_outcome::pending;
        break;
      case store::outcome::forked:
        out.outcome = ingest_outcome::forked;
        break;
      case store::outcome::dropped:
        out.outcome = ingest_outcome::dropped;
        break;
    }
  }
  for (const auto& e : done->appended) rep.appended.push_back({e.author, e.seq});
  return rep;
}

}  // namespace zwerm::node::sync
