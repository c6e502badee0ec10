#include "node/daemon/store_replica.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <tuple>

#include "base/base64url.hpp"
#include "node/ingest/stored_record.hpp"
#include "node/records/record_chain.hpp"
#include "node/records/record_parse.hpp"
#include "node/records/record_scan.hpp"

namespace zwerm::node::sync {

store_replica::store_replica(store::store& s, const community_id& community,
                             node::ingestor* verifier)
    : store_(s),
      community_(community),
      verifier_(verifier),
      kept_(std::make_shared<kept_records>()),
      tips_(std::make_shared<fork_tips>()) {}

store_replica::store_replica(store::store& s, const community_id& community,
                             node::ingest_queue& queue, poster post,
                             node::deferred_signatures* deferred)
    : store_(s),
      community_(community),
      queue_(&queue),
      post_(std::move(post)),
      deferred_(deferred),
      kept_(std::make_shared<kept_records>()),
      tips_(std::make_shared<fork_tips>()) {}

result<crypto::digest> store_replica::frontier_digest() const {
  return store_.frontier_digest(community_);
}

result<std::array<crypto::digest, 256>> store_replica::bucket_digests() const {
  return store_.bucket_digests(community_);
}

result<std::vector<feed_head>> store_replica::bucket_heads(std::uint8_t bucket) const {
  auto hs = store_.bucket_heads(community_, bucket);
  if (!hs) return hs.error();
  return *hs;
}

result<std::uint64_t> store_replica::head_seq(const crypto::public_key& author) const {
  auto h = store_.head(community_, author);
  if (!h) return h.error();
  return h->has_value() ? (*h)->seq : std::uint64_t{0};
}

result<std::vector<std::string>> store_replica::read_feed(const crypto::public_key& author,
                                                          std::uint64_t from_seq,
                                                          std::size_t max_bytes,
                                                          std::size_t max_records) const {
  std::vector<std::string> out;
  if (from_seq == 0) return out;
  std::size_t bytes = 0;
  std::uint64_t expect = from_seq;
  auto cur = store_.read_feed(community_, author, from_seq);
  for (; cur.valid(); cur.next()) {
    const auto& e = cur.entry();
    if (e.seq != expect) break;  // only consecutive records from from_seq
    if (!out.empty() && (bytes + e.bytes.size() > max_bytes || out.size() >= max_records)) break;
    bytes += e.bytes.size();
    out.push_back(e.bytes);
    ++expect;
  }
  if (auto st = cur.error(); !st.ok()) return st;
  if (deferred_ && !out.empty()) {
    if (status st = end_on_valid_signature(author, from_seq, out); !st.ok()) return st;
  }
  return out;
}

bool store_replica::ends_badly(const crypto::public_key& author, std::uint64_t seq,
                               std::string_view bytes) const {
  if (deferred_->held_bad(community_, author, seq)) return true;
  if (!deferred_->unchecked(community_, author, seq)) return false;
  const bool valid = signature_valid(bytes, author);
  deferred_->checked_now(community_, author, seq, valid);
  return !valid;
}

status store_replica::end_on_valid_signature(const crypto::public_key& author,
                                             std::uint64_t from_seq,
                                             std::vector<std::string>& out) const {
  std::uint64_t last = from_seq + out.size() - 1;
  while (out.size() > 1 && ends_badly(author, last, out.back())) {
    out.pop_back();
    --last;
  }
  if (!ends_badly(author, last, out.back())) return {};
  // The range's only record holds a bad signature: its successor vouches for it.
  auto cur = store_.read_feed(community_, author, last + 1);
  for (; cur.valid() && cur.entry().seq == last + 1; cur.next()) {
    out.push_back(cur.entry().bytes);
    ++last;
    if (!ends_badly(author, last, out.back())) return {};
  }
  if (auto st = cur.error(); !st.ok()) return st;
  spdlog::warn(
      "sync of {}: no record of {}'s feed from seq {} on holds a valid signature of its "
      "own; not serving that part of the feed",
      crypto::short_id(community_), crypto::short_id(author), from_seq);
  out.clear();
  return {};
}

result<record_key> store_replica::peek(std::string_view record_bytes) const {
  // The engine's thread only needs author and seq here; the full check (grammar, id, signature)
  // follows in ingest, on a verify thread. Payloads in the writer's form need no scan at all.
  if (record_bytes.size() <= signature_size ||
      record_bytes.size() - signature_size > max_payload_size) {
    auto r = parse_record(record_bytes, signature_check::skip);  // for its sentence
    return r.to_status();
  }
  const std::string_view payload = record_bytes.substr(0, record_bytes.size() - signature_size);
  record_key key;
  if (read_writer_prefix(payload, &key.author, &key.seq)) return key;
  record r;
  if (auto e = scan_payload(payload, &r)) {
    return record_result<record>(std::move(*e)).to_status();
  }
  return record_key{r.author, r.seq};
}

struct store_replica::kept_records {
  std::mutex mu;
  std::map<std::pair<crypto::public_key, std::uint64_t>, record> by_key;  // guarded by mu
};

struct store_replica::fork_tips {
  std::mutex mu;
  // author -> seq and id of the highest record of that feed refused as a fork continuation.
  // Guarded by mu. Only feeds with a refused continuation get an entry, and one each.
  std::map<crypto::public_key, std::pair<std::uint64_t, record_id>> last;

  // Moves the author's tip to (seq, id) when that is higher than the tip it has.
  void advance(const crypto::public_key& author, std::uint64_t seq, const record_id& id) {
    std::lock_guard lock(mu);
    auto& tip = last[author];
    if (seq > tip.first) tip = {seq, id};
  }
};

namespace {

// Whether `r`, which check_chain found at head + 1 with another prev (wrong_prev) or past a
// gap, goes on from the other side of a fork in its feed. A validly signed record at head + 1
// whose prev is not this node's record at seq - 1 always does: its author signed another
// record for that seq (or named a prev that never was), which is the author's doing, never
// the relaying peer's; an honest peer that kept the other side relays it. Past a gap, the
// record goes on from the other side when its prev is the highest record refused that way.
bool continues_fork(const record& r, chain_verdict v, store_replica::fork_tips& tips) {
  if (!r.prev) return false;
  if (v == chain_verdict::wrong_prev) return true;
  std::lock_guard lock(tips.mu);
  auto it = tips.last.find(r.author);
  return it != tips.last.end() && it->second.second == *r.prev;
}

// A record classify() refused as a fork continuation: held records may chain onto it.
struct refused_continuation {
  member_id author;
  std::uint64_t seq = 0;
  record_id id;
};

// Which verified records of `batch` go to the store: refuses records of another community
// and, against the feed heads as `commit` sees them, broken chains (a peer's fault) and fork
// continuations (nobody's fault but the author's, listed in `refused`); adds the
// rest to `commit`. Fills rep.outcomes for the refused ones; index_of[k] is the input index
// of the k-th entry added.
//
// A record accepted on the word of a later record (signature_vouched, PROTOCOL.md §2.11) that
// extends its feed goes into `deferred` (one range per run of such records of a feed) for the
// background check of its own signature; without `deferred`, and whenever the record would
// not simply extend its feed (a gap, a conflict: the store may keep it as a fork proof, which
// needs its own signature), its signature is checked here. One that fails is dropped: its
// payload is its author's (the later record commits to it), but the bytes held for its
// signature are not, and they may come from any relayer, so nobody is blamed.
status classify(store_replica::fork_tips& tips, const community_id& community,
                const std::vector<std::string>& batch, std::vector<record_result<record>>& verified,
                node::commit_batch& commit, ingest_report& rep, std::vector<std::size_t>& index_of,
                std::vector<refused_continuation>& refused,
                std::vector<node::deferred_range>* deferred) {
  rep.outcomes.resize(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& out = rep.outcomes[i];
    auto& parsed = verified[i];
    if (!parsed) {
      out = {ingest_outcome::invalid, parsed.error().message, {}};
      continue;
    }
    record& r = *parsed;
    out.key = {r.author, r.seq};
    if (r.community != community) {
      out.outcome = ingest_outcome::invalid;
      out.reason = "record of another community";
      continue;
    }
    auto head = commit.head(community, r.author);
    if (!head) return head.error();
    auto verdict = check_chain(r, *head);
    if (verdict.verdict == chain_verdict::wrong_prev || verdict.verdict == chain_verdict::gap) {
      if (continues_fork(r, verdict.verdict, tips)) {
        out.outcome = ingest_outcome::fork_continuation;
        out.reason = "record with seq " + std::to_string(r.seq) +
                     " goes on from the other side of this feed's fork: not stored";
        refused.push_back({r.author, r.seq, r.id});
        tips.advance(r.author, r.seq, r.id);
        continue;
      }
    }
    if (r.signature_vouched) {
      bool defer = deferred && verdict.verdict == chain_verdict::next;
      if (!defer && verdict.verdict == chain_verdict::needs_lookup) {
        auto held = commit.contains(r.id);  // a duplicate needs no check
        if (!held) return held.error();
        defer = *held;
      }
      if (defer) {
        if (verdict.verdict == chain_verdict::next) {
          if (!deferred->empty() && deferred->back().author == r.author &&
              deferred->back().last + 1 == r.seq) {
            deferred->back().last = r.seq;
          } else {
            deferred->push_back({community, r.author, r.seq, r.seq});
          }
        }
      } else if (signature_valid(r)) {
        r.signature_vouched = false;
      } else {
        out.outcome = ingest_outcome::dropped;
        out.reason = "record with seq " + std::to_string(r.seq) +
                     " holds a signature that does not verify (a later record of its author "
                     "chains to it): not stored";
        continue;
      }
    }
    std::optional<node::feed_head> after;
    switch (verdict.verdict) {
      case chain_verdict::seq_prev_mismatch:
      case chain_verdict::lamport_not_increasing:
        out.outcome = ingest_outcome::bad_chain;
        out.reason = verdict.message;
        continue;
      case chain_verdict::next:
        after = head_after(r);
        break;
      default:  // duplicate, conflict, needs_lookup, gap: the store decides
        break;
    }
    commit.add(node::to_entry(r), after);
    index_of.push_back(i);
  }
  return {};
}

// The store's outcomes of the entries classify() added, into the report.
void apply_outcomes(std::span<const store::record_outcome> outcomes,
                    const std::vector<std::size_t>& index_of, ingest_report& rep) {
  for (std::size_t k = 0; k < outcomes.size() && k < index_of.size(); ++k) {
    const auto& o = outcomes[k];
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
}

// After the commit of a batch in which classify() refused `refused`: drops the records the
// pending area holds that go on from them (they came past a gap before the record they chain
// to, e.g. 5a before 4a, and can never be appended) and moves each feed's fork tip to the
// highest record dropped, so that a record going on from that one is refused too. Entries of
// this batch the store held and that went now are reported as fork continuations:
// id_of(k) is the id of entry k (rep.outcomes[index_of[k]]). A store error is logged and
// leaves the records held, as before this batch (within the pending area's bounds): the
// batch itself is stored.
template <class IdOf>
void drop_held_continuations(store::store& s, store_replica::fork_tips& tips,
                             const community_id& community,
                             const std::vector<refused_continuation>& refused,
                             const std::vector<std::size_t>& index_of, IdOf id_of,
                             ingest_report& rep) {
  std::map<record_id, std::uint64_t> gone;  // id -> seq of every record dropped
  for (const auto& c : refused) {
    auto dropped = s.drop_pending_after(community, c.author, c.seq, c.id);
    if (!dropped) {
      spdlog::error("sync of {}: dropping records held after {}'s seq {}: {}",
                    crypto::short_id(community), crypto::short_id(c.author), c.seq,
                    dropped.error().message());
      continue;
    }
    if (dropped->empty()) continue;
    for (const auto& e : *dropped) gone.emplace(e.id, e.seq);
    tips.advance(c.author, dropped->back().seq, dropped->back().id);
  }
  if (gone.empty()) return;
  for (std::size_t k = 0; k < index_of.size(); ++k) {
    auto& out = rep.outcomes[index_of[k]];
    auto it = gone.find(id_of(k));
    if (out.outcome != ingest_outcome::pending || it == gone.end()) continue;
    out.outcome = ingest_outcome::fork_continuation;
    out.reason = "record with seq " + std::to_string(it->second) +
                 " goes on from the other side of this feed's fork: no longer held";
  }
}

// One records message on its way through the ingest queue. Owns everything it touches, so
// that it may outlive the replica (the report then goes nowhere: the engine is gone too).
class sync_job final : public node::ingest_job {
 public:
  sync_job(store::store& s, std::shared_ptr<store_replica::fork_tips> tips,
           const community_id& community, std::vector<std::string> batch,
           replica::ingest_callback done, store_replica::poster post,
           std::shared_ptr<store_replica::kept_records> kept, node::deferred_signatures* deferred)
      : ingest_job(std::move(batch)),
        store_(s),
        deferred_(deferred),
        tips_(std::move(tips)),
        community_(community),
        done_(std::move(done)),
        post_(std::move(post)),
        kept_(std::move(kept)) {}

  status prepare(std::vector<record_result<record>> verified, node::commit_batch& batch) override {
    status st = classify(*tips_, community_, raw(), verified, batch, report_, index_of_, refused_,
                         deferred_ ? &ranges_ : nullptr);
    if (st.ok() && !ranges_.empty()) {
      for (const auto& r : ranges_) batch.add_view(node::deferred_row(r));
      deferred_->reserve(ranges_);
    }
    // The records going to the store, parsed: kept for the owner once they are appended.
    records_.reserve(index_of_.size());
    for (std::size_t i : index_of_) records_.push_back(std::move(verified[i]).value());
    return st;
  }

  void committed(const status& st, std::span<const store::record_outcome> outcomes,
                 std::vector<store::record_entry> appended) override {
    auto out = std::make_shared<result<ingest_report>>(st);
    if (!ranges_.empty()) {
      if (st.ok()) {
        deferred_->stored(ranges_);
      } else {
        deferred_->cancel(ranges_);
      }
    }
    if (st.ok()) {
      apply_outcomes(outcomes, index_of_, report_);
      if (!refused_.empty()) {
        drop_held_continuations(
            store_, *tips_, community_, refused_, index_of_,
            [this](std::size_t k) -> const record_id& { return records_[k].id; }, report_);
      }
      report_.appended.reserve(appended.size());
      for (const auto& e : appended) report_.appended.push_back({e.author, e.seq});
      keep(outcomes);
      *out = std::move(report_);
    }
    post_([done = std::move(done_), out] { done(std::move(*out)); });
  }

 private:
  // This job's records the store appended (outcomes[k] is records_[k]'s), for take_appended.
  void keep(std::span<const store::record_outcome> outcomes) {
    std::lock_guard lock(kept_->mu);
    for (std::size_t k = 0; k < outcomes.size() && k < records_.size(); ++k) {
      if (outcomes[k].kind != store::outcome::appended) continue;
      record& r = records_[k];
      kept_->by_key.insert_or_assign({r.author, r.seq}, std::move(r));
    }
  }

  store::store& store_;  // the queue's store (it outlives the queue, and so every job)
  node::deferred_signatures* deferred_;
  std::vector<node::deferred_range> ranges_;  // vouched records stored unchecked
  std::shared_ptr<store_replica::fork_tips> tips_;
  community_id community_;
  replica::ingest_callback done_;
  store_replica::poster post_;
  std::shared_ptr<store_replica::kept_records> kept_;
  ingest_report report_;
  std::vector<std::size_t> index_of_;
  std::vector<record> records_;  // records_[k] went to the store as entry index_of_[k]
  std::vector<refused_continuation> refused_;
};

}  // namespace

result<ingest_report> store_replica::ingest(const std::vector<std::string>& batch) {
  ingest_report rep;
  std::vector<record_result<record>> verified;
  if (verifier_) {
    verified = verifier_->verify(batch);
  } else {
    verified.reserve(batch.size());
    for (const auto& b : batch) verified.push_back(parse_record(b));
  }
  node::commit_batch commit(store_);
  std::vector<std::size_t> index_of;  // entries[k] is batch[index_of[k]]
  std::vector<refused_continuation> refused;
  if (status st =
          classify(*tips_, community_, batch, verified, commit, rep, index_of, refused, nullptr);
      !st.ok()) {
    return st;
  }
  if (!commit.entries().empty()) {
    auto done = store_.ingest(commit.entries(), {}, store::ingest_flags{.ids_checked = true});
    if (!done) return done.error();
    apply_outcomes(done->outcomes, index_of, rep);
    for (const auto& e : done->appended) rep.appended.push_back({e.author, e.seq});
  }
  if (!refused.empty()) {
    drop_held_continuations(
        store_, *tips_, community_, refused, index_of,
        [&](std::size_t k) -> const record_id& { return commit.entries()[k].id; }, rep);
  }
  return rep;
}

void store_replica::ingest_async(std::vector<std::string> batch, ingest_callback done) {
  if (!queue_) {
    done(ingest(batch));
    return;
  }
  queue_->submit(std::make_unique<sync_job>(store_, tips_, community_, std::move(batch),
                                            std::move(done), post_, kept_, deferred_));
}

std::vector<record> store_replica::take_appended(const std::vector<record_key>& keys) {
  std::vector<record> out;
  std::vector<record_key> missing;
  {
    std::lock_guard lock(kept_->mu);
    for (const auto& k : keys) {
      auto it = kept_->by_key.find({k.author, k.seq});
      if (it == kept_->by_key.end()) {
        missing.push_back(k);
        continue;
      }
      out.push_back(std::move(it->second));
      kept_->by_key.erase(it);
    }
  }
  // Runs of consecutive seqs per feed, each read with one cursor.
  std::sort(missing.begin(), missing.end(), [](const record_key& x, const record_key& y) {
    return std::tie(x.author, x.seq) < std::tie(y.author, y.seq);
  });
  struct run {
    member_id author;
    std::uint64_t first = 0, last = 0;
  };
  std::vector<run> runs;
  for (const auto& k : missing) {
    if (!runs.empty() && runs.back().author == k.author && k.seq <= runs.back().last + 1) {
      runs.back().last = std::max(runs.back().last, k.seq);
    } else {
      runs.push_back({k.author, k.seq, k.seq});
    }
  }
  for (const auto& r : runs) {
    auto cursor = store_.read_feed(community_, r.author, r.first);
    for (; cursor.valid() && cursor.entry().seq <= r.last; cursor.next()) {
      auto parsed = record_from_store(cursor.entry());
      if (!parsed) {
        spdlog::error("sync of {}: {}", crypto::short_id(community_), parsed.error().message());
        continue;
      }
      out.push_back(std::move(*parsed));
    }
    if (status s = cursor.error(); !s.ok()) {
      spdlog::error("sync of {}: reading appended records: {}", crypto::short_id(community_),
                    s.message());
    }
  }
  return out;
}

}  // namespace zwerm::node::sync
