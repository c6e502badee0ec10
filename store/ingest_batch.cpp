// store::ingest: one batch of records -> one synced WriteBatch.
//
// The batch is processed feed by feed (records sorted by community, author, seq), so each
// feed's state (head, pending records, fork count) lives in locals while its records are
// applied, and the only state shared between feeds is the per-community digest and count
// deltas. Nothing is visible to readers until the single Write at the end succeeds.
#include <algorithm>
#include <map>
#include <numeric>
#include <unordered_set>

#include "base/feed_chain.hpp"
#include "crypto/hash.hpp"
#include "store/db.hpp"
#include "store/frontier.hpp"
#include "store/keys.hpp"
#include "store/sorted_batch.hpp"

namespace zwerm::store {

namespace {

using crypto::digest;
using crypto::public_key;

std::string short_id(const record_id& id) {
  return crypto::to_hex(id.view().substr(0, 8));
}

feed_link link_of(const record_entry& r) {
  return {r.seq, r.prev, r.lamport, r.id};
}

// Facts a record must have by itself, before any feed is consulted.
std::string malformed(const record_entry& r, bool id_checked) {
  if (auto why = seq_prev_problem(link_of(r)); !why.empty()) return why;
  if (r.bytes.size() <= 64) return "the record bytes are shorter than a signature";
  if (!id_checked &&
      crypto::record_id_of(std::string_view(r.bytes).substr(0, r.bytes.size() - 64)) != r.id) {
    return "the id is not the hash of the record's payload";
  }
  return {};
}

struct community_delta {
  std::map<std::uint8_t, digest> bucket_xor;
  std::uint64_t feeds_added = 0;
  std::uint64_t records_added = 0;
};

struct pending_item {
  record_entry entry;
  int input = -1;  // index into the batch, or -1 when it came from an earlier batch
};

// The state of one feed while the batch is applied to it.
class feed_apply {
 public:
  feed_apply(store::impl& s, sorted_batch& wb, ingest_report& report, std::uint64_t& pending_total,
             const community_id& c, const public_key& a)
      : s_(s), wb_(wb), report_(report), pending_total_(pending_total), c_(c), a_(a) {}

  status load() {
    std::string v;
    bool found = false;
    if (auto st = s_.get(keys::head_key(c_, a_), &v, &found); !st.ok()) return st;
    if (found) {
      if (!keys::decode_head(a_, v, &head_)) return s_.corruption("a feed head is unreadable");
      had_head_ = true;
      old_head_ = head_;
    }
    // No record is held anywhere (the common case): skip the read of this feed's count.
    if (pending_total_ == 0) return {};
    if (auto st = s_.get(keys::pending_count_key(c_, a_), &v, &found); !st.ok()) return st;
    if (found) {
      if (v.size() != 4) return s_.corruption("a pending count is unreadable");
      pending_count_ = old_pending_count_ = keys::get_u32(v);
    }
    return {};
  }

  status apply(const record_entry& r, int input) {
    auto& out = report_.outcomes[input];
    // The log holds exactly seq 1..head of each feed, so a record at or below the head is
    // either the one the log has there (duplicate) or another (fork); above it, never in the log.
    if (r.seq <= head_.seq) return fork(r, input);
    if (r.seq == head_.seq + 1) {
      if (auto why = chain_problem(r); !why.empty()) return set(out, outcome::dropped, why);
      if (auto st = append(r, input); !st.ok()) return st;
      return promote();
    }
    return hold(r, input);
  }

  // Writes the head, pending count and digest changes of this feed.
  void finish(community_delta& d) {
    if (!had_head_ && head_.seq == 0 && pending_count_ == old_pending_count_) return;
    if (head_ != old_head_ || (!had_head_ && head_.seq > 0)) {
      wb_.put(keys::head_key(c_, a_), keys::encode_head(head_));
      auto& x = d.bucket_xor[a_.bytes[0]];
      if (had_head_) xor_into(&x, feed_hash(old_head_));
      xor_into(&x, feed_hash(head_));
      if (!had_head_) ++d.feeds_added;
    }
    d.records_added += records_added_;
    if (pending_count_ != old_pending_count_) {
      if (pending_count_ == 0) {
        wb_.del(keys::pending_count_key(c_, a_));
      } else {
        std::string v;
        keys::put_u32(&v, pending_count_);
        wb_.put(keys::pending_count_key(c_, a_), v);
      }
    }
  }

 private:
  status set(record_outcome& out, outcome k, std::string reason = {}) {
    out.kind = k;
    out.reason = std::move(reason);
    return {};
  }

  // For a record at head + 1 (the log holds seq 1..head; positions are this class's own
  // business): what the chain rule (base/feed_chain.hpp) finds wrong with it, or empty.
  std::string chain_problem(const record_entry& r) const {
    std::optional<feed_head> tip;
    if (head_.seq > 0) tip = head_;
    chain_check c = check_chain(link_of(r), tip);
    return c.ok() ? std::string{} : std::move(c.message);
  }

  status append(const record_entry& r, int input) {
    std::string row;
    keys::encode_log_row(r, &row);
    wb_.put(keys::record_key(c_, a_, r.seq), std::move(row));
    wb_.put(keys::id_key(r.id), keys::encode_position(c_, a_, r.seq));
    wb_.put(keys::order_key(c_, r.lamport, a_, r.seq), std::string_view{});
    head_.author = a_;
    head_.seq = r.seq;
    head_.id = r.id;
    head_.lamport = r.lamport;
    if (batch_ids_.empty()) batch_base_ = r.seq;
    batch_ids_.push_back(r.id);
    ++records_added_;
    if (input >= 0) report_.outcomes[input] = {outcome::appended, {}};
    report_.appended.push_back(r);
    // Pending records for the seq just filled by another id are equivocations now.
    if (auto st = load_pending(); !st.ok()) return st;
    auto [lo, hi] = pending_.equal_range(r.seq);
    std::vector<pending_item> conflicting;
    for (auto it = lo; it != hi;) {
      conflicting.push_back(std::move(it->second));
      unhold(conflicting.back().entry);
      it = pending_.erase(it);
    }
    for (auto& p : conflicting) {
      if (auto st = fork(p.entry, p.input); !st.ok()) return st;
    }
    return {};
  }

  // Appends pending records while the next seq is waiting there.
  status promote() {
    for (;;) {
      if (pending_count_ == 0) return {};
      if (auto st = load_pending(); !st.ok()) return st;
      auto [lo, hi] = pending_.equal_range(head_.seq + 1);
      if (lo == hi) return {};
      auto chosen = lo;
      while (chosen != hi && !chain_problem(chosen->second.entry).empty()) ++chosen;
      // Candidates that do not chain onto the head are dropped; when one does, the others
      // that also chain stay held until append() turns them into fork proofs.
      for (auto it = lo; it != hi;) {
        if (it != chosen && !chain_problem(it->second.entry).empty()) {
          unhold(it->second.entry);
          drop(it->second, chain_problem(it->second.entry));
          it = pending_.erase(it);
        } else {
          ++it;
        }
      }
      if (chosen == hi) return {};
      pending_item item = std::move(chosen->second);
      pending_.erase(chosen);
      unhold(item.entry);
      if (auto st = append(item.entry, item.input); !st.ok()) return st;
    }
  }

  void drop(const pending_item& p, const std::string& why) {
    if (p.input >= 0) report_.outcomes[p.input] = {outcome::dropped, why};
  }

  // Removes a held record from the pending table (the caller decides what becomes of it).
  // A Delete after a Put of the same key earlier in this batch cancels the Put.
  void unhold(const record_entry& e) {
    wb_.del(keys::pending_key(c_, a_, e.seq, e.id));
    --pending_count_;
    --pending_total_;
  }

  status hold(const record_entry& r, int input) {
    auto& out = report_.outcomes[input];
    if (auto st = load_pending(); !st.ok()) return st;
    auto [lo, hi] = pending_.equal_range(r.seq);
    for (auto it = lo; it != hi; ++it) {
      if (it->second.entry.id == r.id) return set(out, outcome::pending);
    }
    if (pending_count_ >= s_.opts.max_pending_per_feed) {
      return set(out, outcome::dropped,
                 "pending area full: this feed already has " + std::to_string(pending_count_) +
                     " records waiting for seq " + std::to_string(head_.seq + 1));
    }
    if (pending_total_ >= s_.opts.max_pending) {
      return set(out, outcome::dropped,
                 "pending area full: " + std::to_string(pending_total_) +
                     " records are waiting for gaps to fill");
    }
    wb_.put(keys::pending_key(c_, a_, r.seq, r.id), keys::encode_entry(r));
    pending_.emplace(r.seq, pending_item{r, input});
    ++pending_count_;
    ++pending_total_;
    return set(out, outcome::pending);
  }

  status fork(const record_entry& r, int input) {
    record_outcome scratch;
    auto& out = input >= 0 ? report_.outcomes[input] : scratch;
    record_id kept;
    if (!batch_ids_.empty() && r.seq >= batch_base_) {
      kept = batch_ids_[r.seq - batch_base_];
    } else {
      std::string v;
      bool found = false;
      if (auto st = s_.get(keys::record_key(c_, a_, r.seq), &v, &found); !st.ok()) return st;
      if (!found || !keys::log_row_id(v, &kept)) {
        return s_.corruption("the log has no record below the feed's head");
      }
    }
    if (kept == r.id) return set(out, outcome::duplicate);
    const auto key = keys::fork_key(c_, a_, r.seq, r.id);
    if (forks_new_.contains(key)) return set(out, outcome::duplicate);
    if (auto st = load_fork_count(); !st.ok()) return st;
    std::string v;
    bool found = false;
    if (auto st = s_.get(key, &v, &found); !st.ok()) return st;
    if (found) return set(out, outcome::duplicate);
    if (fork_count_ >= s_.opts.max_fork_proofs_per_feed) {
      return set(out, outcome::dropped,
                 "this feed already holds " + std::to_string(fork_count_) + " fork proofs");
    }
    wb_.put(key, keys::encode_entry(r));
    forks_new_.insert(key);
    ++fork_count_;
    head_.forked = true;
    return set(out, outcome::forked,
               "the author also signed " + short_id(kept) + "… for seq " + std::to_string(r.seq) +
                   "; both are kept as proof and the feed is forked");
  }

  status load_pending() {
    if (pending_loaded_) return {};
    pending_loaded_ = true;
    if (old_pending_count_ == 0) return {};
    prefix_iter it(s_, keys::pending_prefix(c_, a_));
    for (; it.valid(); it.next()) {
      keys::feed_key_parts k;
      pending_item p;
      if (!keys::parse_feed_id_key(it.key(), &k) ||
          !keys::decode_entry(k.id, it.value(), &p.entry)) {
        return s_.corruption("a pending record is unreadable");
      }
      pending_.emplace(k.seq, std::move(p));
    }
    return from_leveldb(it.status(), s_.dir, "read pending records");
  }

  status load_fork_count() {
    if (forks_counted_) return {};
    forks_counted_ = true;
    prefix_iter it(s_, keys::fork_prefix(c_, a_));
    for (; it.valid(); it.next()) ++fork_count_;
    return from_leveldb(it.status(), s_.dir, "read fork proofs");
  }

  store::impl& s_;
  sorted_batch& wb_;
  ingest_report& report_;
  std::uint64_t& pending_total_;
  const community_id c_;
  const public_key a_;

  feed_head head_{};
  feed_head old_head_{};
  bool had_head_ = false;
  std::uint32_t pending_count_ = 0;
  std::uint32_t old_pending_count_ = 0;
  bool pending_loaded_ = false;
  std::multimap<std::uint64_t, pending_item> pending_;
  bool forks_counted_ = false;
  std::uint32_t fork_count_ = 0;
  std::unordered_set<std::string> forks_new_;
  // Ids this batch appended to the feed: seq batch_base_, batch_base_ + 1, ...
  std::vector<record_id> batch_ids_;
  std::uint64_t batch_base_ = 0;
  std::uint64_t records_added_ = 0;
};

}  // namespace

result<ingest_report> store::ingest(std::span<const record_entry> records,
                                    std::span<const view_change> views, const ingest_flags& flags) {
  auto& s = *impl_;
  std::lock_guard lock(s.write_mu);
  if (auto st = s.writable(); !st.ok()) return st;

  ingest_report report;
  report.outcomes.resize(records.size());

  std::vector<int> order;
  order.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (auto why = malformed(records[i], flags.ids_checked); !why.empty()) {
      report.outcomes[i] = {outcome::dropped, std::move(why)};
    } else {
      order.push_back(static_cast<int>(i));
    }
  }
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) {
    const auto& a = records[x];
    const auto& b = records[y];
    if (a.community != b.community) return a.community < b.community;
    if (a.author != b.author) return a.author < b.author;
    return a.seq < b.seq;
  });

  sorted_batch wb;
  std::map<community_id, community_delta> deltas;
  std::uint64_t pending_total = s.pending_total;

  for (std::size_t i = 0; i < order.size();) {
    const auto& first = records[order[i]];
    feed_apply feed(s, wb, report, pending_total, first.community, first.author);
    if (auto st = feed.load(); !st.ok()) return st;
    std::size_t j = i;
    for (; j < order.size() && records[order[j]].community == first.community &&
           records[order[j]].author == first.author;
         ++j) {
      if (auto st = feed.apply(records[order[j]], order[j]); !st.ok()) return st;
    }
    feed.finish(deltas[first.community]);
    i = j;
  }

  for (auto& [c, d] : deltas) {
    for (auto& [bucket, x] : d.bucket_xor) {
      std::string v;
      bool found = false;
      if (auto st = s.get(keys::bucket_key(c, bucket), &v, &found); !st.ok()) return st;
      digest cur;
      if (found && !digest::from(v, &cur)) return s.corruption("a bucket digest is unreadable");
      xor_into(&cur, x);
      wb.put(keys::bucket_key(c, bucket), cur.view());
    }
    if (d.feeds_added == 0 && d.records_added == 0) continue;
    std::string v;
    bool found = false;
    if (auto st = s.get(keys::community_key(c), &v, &found); !st.ok()) return st;
    std::uint64_t feeds = 0, recs = 0;
    if (found) {
      if (v.size() != 16) return s.corruption("a community entry is unreadable");
      feeds = keys::get_u64(v);
      recs = keys::get_u64(std::string_view(v).substr(8));
    }
    std::string nv;
    keys::put_u64(&nv, feeds + d.feeds_added);
    keys::put_u64(&nv, recs + d.records_added);
    wb.put(keys::community_key(c), nv);
  }
  if (pending_total != s.pending_total) {
    std::string v;
    keys::put_u64(&v, pending_total);
    wb.put(keys::meta_key(keys::meta_pending), v);
  }
  for (const auto& c : views) {
    if (c.value) {
      wb.put(keys::view_key(c.key), *c.value);
    } else {
      wb.del(keys::view_key(c.key));
    }
  }

  if (!wb.empty()) {
    leveldb::WriteBatch sorted;
    wb.write_to(&sorted);
    if (auto st = s.commit(sorted, "write to the store"); !st.ok()) return st;
  }
  s.pending_total = pending_total;
  return report;
}

}  // namespace zwerm::store
