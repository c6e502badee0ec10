// Streaming records to the peer (internal to the engine; see engine.hpp and session.hpp): the
// wants it answers and the pump that sends them within the window, acks, live push (eager
// records and have announcements) and relaying, and the wants this side sends.
#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <type_traits>
#include <utility>

#include "node/sync/session.hpp"

namespace zwerm::node::sync {

void session::on(const want& m) {
  if (stats_.restricted) return;  // nothing of the log for a peer that is not a member yet
  const bool ranked = static_cast<bool>(engine_.cbs_.feed_rank);
  const bool front_under_way = !queue_.empty();
  for (const auto& e : m.entries) {
    if (streams_.count(e.author)) continue;  // already streaming that feed in order
    if (streams_.size() >= engine_.opts_.max_streams_per_session) {
      fail(misbehaviour_kind::protocol_violation,
           "want for more than " + std::to_string(engine_.opts_.max_streams_per_session) +
               " feeds at once");
      return;
    }
    streams_.insert(e.author);
    auto served = served_.find(e.author);
    stream s{e.author, e.from_seq};
    if (served != served_.end()) std::tie(s.served_lo, s.served_hi) = served->second;
    s.rank = ranked ? engine_.cbs_.feed_rank(e.author) : 0;
    queue_.push_back(s);
  }
  // Feeds go out in the owner's rank order (an inviter's feed before the joiners it admitted),
  // across want messages too: a receiver asks per heads message, so an inviter's feed may be
  // asked for after its joiners'. Only the front may be under way; the rest is reordered.
  if (ranked && queue_.size() > 1) {
    std::stable_sort(queue_.begin() + (front_under_way ? 1 : 0), queue_.end(),
                     [](const stream& a, const stream& b) { return a.rank < b.rank; });
  }
  stats_.streams = streams_.size();
  pump();
}

void session::pump() {
  const auto& opts = engine_.opts_;
  while (!stats_.closed && stats_.in_flight_bytes < opts.window_bytes && !queue_.empty()) {
    records batch;
    std::size_t bytes = 0;
    while (bytes < opts.batch_bytes && !queue_.empty()) {
      auto& s = queue_.front();
      auto got = engine_.replica_.read_feed(s.author, s.next_seq, opts.batch_bytes - bytes,
                                            std::numeric_limits<std::size_t>::max());
      if (!local_ok(got.error())) return;
      if (got->empty()) {  // the peer now has all we hold of this feed
        streams_.erase(s.author);
        queue_.pop_front();
        continue;
      }
      std::uint64_t seq = s.next_seq;
      std::size_t again = 0;  // bytes of records this session streamed to the peer before
      for (auto& r : *got) {
        bytes += r.size();
        if (seq >= s.served_lo && seq <= s.served_hi) again += r.size();
        ++seq;
        batch.items.push_back(std::move(r));
      }
      const std::uint64_t first = s.next_seq;
      s.next_seq += got->size();
      learn(s.author, s.next_seq - 1);
      // The seqs sent, as one range: a batch that touches or overlaps it extends it (a fork
      // trace starts lower); one past a hole replaces it (the hole was never sent).
      const std::uint64_t last = s.next_seq - 1;
      auto [range, fresh] = served_.try_emplace(s.author, first, last);
      auto& [lo, hi] = range->second;
      if (!fresh && first <= hi + 1 && last + 1 >= lo) {
        lo = std::min(lo, first);
        hi = std::max(hi, last);
      } else if (!fresh) {
        lo = first;
        hi = last;
      }
      // A repeated want is honest now and then (records the peer dropped for a local reason);
      // asking for the same records again and again is free traffic at this node's cost.
      resent_this_period_ += again;
      if (resent_this_period_ > opts.max_resent_bytes_per_period) {
        fail(misbehaviour_kind::protocol_violation,
             "wants records it was sent before: more than " +
                 std::to_string(opts.max_resent_bytes_per_period) +
                 " bytes again in one anti-entropy period");
        return;
      }
    }
    if (batch.items.empty()) break;
    stats_.records_sent += batch.items.size();
    stats_.record_bytes_sent += bytes;
    stats_.in_flight_bytes += bytes;
    send(batch);
  }
  stats_.streams = streams_.size();
}

void session::on(const ack& m) {
  if (m.bytes > stats_.in_flight_bytes) {
    fail(misbehaviour_kind::protocol_violation,
         "ack for " + std::to_string(m.bytes) + " bytes when only " +
             std::to_string(stats_.in_flight_bytes) + " are in flight");
    return;
  }
  stats_.in_flight_bytes -= m.bytes;
  pump();
}

void session::trace_fork(const member_id& author) {
  if (engine_.forked_.count(author) || !engine_.fork_traced_.insert(author).second) return;
  // The replica keeps the first record of the peer's side that differs from ours as the
  // proof; the rest of that side goes on from it (fork continuation, refused quietly). The
  // fork's position is then the seq where the sides part on every node (PROTOCOL.md §3.6).
  queue_want(author, 1);
}

void session::relay(const std::vector<std::string>& items) {
  if (stats_.closed || stats_.restricted) return;
  if (!stats_.hello_received) {
    // The form depends on the version the hellos settle: sent right after the peer's hello.
    relay_pending_.insert(relay_pending_.end(), items.begin(), items.end());
    return;
  }
  if (version_ >= 2 && ready()) {
    for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
      stats_.records_sent += 2;
      stats_.record_bytes_sent += items[i].size() + items[i + 1].size();
      stats_.in_flight_bytes += items[i].size() + items[i + 1].size();
      send(fork_proof{items[i], items[i + 1]});
    }
    return;
  }
  // Version 1: one record per message: the two records of a proof share a feed and a seq,
  // which one message may not hold (§5.5).
  for (const auto& r : items) {
    records batch;
    batch.live = true;
    batch.items.push_back(r);
    stats_.records_sent += 1;
    stats_.record_bytes_sent += r.size();
    stats_.in_flight_bytes += r.size();
    send(batch);
  }
}

void session::push(const std::vector<record_key>& eager, const std::vector<record_key>& announce) {
  if (!ready() || stats_.restricted) return;
  if (!eager.empty()) {
    records batch;
    batch.live = true;
    std::size_t bytes = 0;
    const std::size_t limit = engine_.opts_.batch_bytes;
    // Consecutive keys of one feed go out as one range (PROTOCOL.md §2.11: a range ends at a
    // record whose signature this node has checked), read with one cursor.
    for (std::size_t i = 0; i < eager.size();) {
      std::size_t j = i + 1;
      while (j < eager.size() && eager[j].author == eager[i].author &&
             eager[j].seq == eager[j - 1].seq + 1) {
        ++j;
      }
      const member_id& author = eager[i].author;
      std::uint64_t seq = eager[i].seq;
      const std::uint64_t end = eager[j - 1].seq;
      i = j;
      while (seq <= end) {
        auto got = engine_.replica_.read_feed(author, seq, limit - std::min(bytes, limit - 1),
                                              end - seq + 1);
        if (!local_ok(got.error())) return;
        if (got->empty()) break;
        for (auto& r : *got) {
          bytes += r.size();
          batch.items.push_back(std::move(r));
        }
        seq += got->size();
        learn(author, seq - 1);
        if (bytes >= limit) {
          stats_.records_sent += batch.items.size();
          stats_.record_bytes_sent += bytes;
          stats_.in_flight_bytes += bytes;
          send(batch);
          batch.items.clear();
          bytes = 0;
        }
      }
    }
    if (!batch.items.empty()) {
      stats_.records_sent += batch.items.size();
      stats_.record_bytes_sent += bytes;
      stats_.in_flight_bytes += bytes;
      send(batch);
    }
  }
  if (!announce.empty()) {
    std::map<member_id, std::uint64_t> top;
    for (const auto& k : announce) top[k.author] = std::max(top[k.author], k.seq);
    have h;
    for (const auto& [a, s] : top) h.entries.push_back({a, s});
    send(h);
  }
}

void session::on(const have& m) {
  for (const auto& e : m.entries) {
    if (!learn_claim(e.author, e.seq)) return;
    auto head = engine_.replica_.head_seq(e.author);
    if (!local_ok(head.error())) return;
    if (e.seq > *head) engine_.want_feed(*this, e.author, e.seq);
  }
}

void session::queue_want(const member_id& author, std::uint64_t from_seq) {
  // A feed this session dropped (held aside too long, or beyond the bounds) is not asked of
  // it again: the rest of the peer's old stream of it would arrive first.
  if (abandoned_.count(author)) return;
  // A feed held aside is in hand already: asking for it again only brings duplicates.
  if (waiting_.count(author)) return;
  wants_.push_back({author, from_seq});
}

void session::flush_wants() {
  if (wants_.empty() || !ready()) {
    wants_.clear();
    return;
  }
  want w;
  w.entries = std::move(wants_);
  wants_.clear();
  send(w);
}

}  // namespace zwerm::node::sync
