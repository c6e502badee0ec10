// Receiving records (internal to the engine; see engine.hpp and session.hpp): the ordering
// checks of a records message, the feeds of unknown authority held aside (PROTOCOL.md §5.10),
// and the replica's reports.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "node/sync/session.hpp"

namespace zwerm::node::sync {

// --- receiving records -------------------------------------------------------------------

void session::on(records& m) {
  // Check the peer's ordering before anything is ingested: a streamed (non-live) record must
  // never lie past a gap in its feed; within one message a feed's seqs must increase.
  std::map<member_id, std::uint64_t> last;       // per feed: highest seq so far
  std::map<member_id, std::uint64_t> submitted;  // per feed: highest seq handed to the replica
  std::vector<std::string> items;
  std::size_t bytes = 0, held_bytes = 0;
  stats_.records_received += m.items.size();
  for (auto& item : m.items) {
    auto key = engine_.replica_.peek(item);
    if (!key) {
      fail(misbehaviour_kind::bad_record, "malformed record: " + key.error().message());
      return;
    }
    bool unheld = false;
    auto it = last.find(key->author);
    if (it != last.end()) {
      if (key->seq <= it->second) {
        fail(misbehaviour_kind::out_of_order,
             "records of one feed not in increasing seq order (seq " + std::to_string(key->seq) +
                 " after " + std::to_string(it->second) + ")");
        return;
      }
      if (!m.live && key->seq != it->second + 1) {
        fail(misbehaviour_kind::out_of_order, "streamed records skip from seq " +
                                                  std::to_string(it->second) + " to " +
                                                  std::to_string(key->seq));
        return;
      }
      it->second = key->seq;
    } else {
      auto head = engine_.replica_.head_seq(key->author);
      if (!local_ok(head.error())) return;
      // Records of this feed still being ingested count: the store's head lags behind them.
      std::uint64_t have = *head;
      if (auto s = submitted_heads_.find(key->author); s != submitted_heads_.end()) {
        have = std::max(have, s->second.first);
      }
      const bool aside = waiting_.count(key->author) || abandoned_.count(key->author);
      if (!m.live && !aside && key->seq > have + 1) {
        fail(misbehaviour_kind::out_of_order,
             "streamed record seq " + std::to_string(key->seq) +
                 " lies past a gap (this node holds the feed up to seq " + std::to_string(have) +
                 ")");
        return;
      }
      unheld = have == 0;
      last.emplace(key->author, key->seq);
    }
    const std::size_t size = item.size();
    switch (route_record(*key, m.live, item, unheld)) {
      case route::submit:
        bytes += size;
        submitted[key->author] = key->seq;
        items.push_back(std::move(item));
        break;
      case route::held:
      case route::dropped:
        held_bytes += size;
        break;
      case route::failed:
        return;
    }
  }
  // Records held aside (or dropped) are acknowledged now: the peer's window must not wait
  // for an invite that may never come.
  if (held_bytes > 0) send(ack{held_bytes});
  if (items.empty()) return;
  const std::uint64_t ticket = ++next_ticket_;
  for (const auto& [author, seq] : submitted) {
    auto& h = submitted_heads_[author];
    if (seq > h.first) h = {seq, ticket};
  }
  stats_.ingesting_bytes += bytes;
  engine_.submit(*this, ticket, bytes, std::move(items));
}

session::route session::route_record(const record_key& key, bool live, std::string& item,
                                     bool feed_unheld) {
  const auto& opts = engine_.opts_;
  if (abandoned_.count(key.author)) return route::dropped;
  if (auto w = waiting_.find(key.author); w != waiting_.end()) {
    // Records already held aside (the feed asked for again, a live push of one of them): a
    // duplicate, as records at or below the head would be.
    if (key.seq <= w->second.last_seq) return route::dropped;
    if (key.seq != w->second.last_seq + 1) {
      if (live) return route::dropped;  // a live record past the held ones: fetched later
      fail(misbehaviour_kind::out_of_order, "streamed records skip from seq " +
                                                std::to_string(w->second.last_seq) + " to " +
                                                std::to_string(key.seq));
      return route::failed;
    }
    if (waiting_bytes_ + item.size() > opts.max_waiting_bytes) {
      drop_waiting(key.author);
      return route::dropped;
    }
    waiting_bytes_ += item.size();
    w->second.bytes += item.size();
    w->second.last_seq = key.seq;
    w->second.items.push_back(std::move(item));
    return route::held;
  }
  if (!feed_unheld || !engine_.cbs_.first_record) return route::submit;
  if (key.seq > 1) {
    // A live record of a feed this node does not hold at all: it is not kept without the
    // feed's beginning, whose authority decides whether the feed may exist here; the feed is
    // fetched from seq 1 instead. (A streamed one failed the gap check already.)
    engine_.want_feed(*this, key.author, key.seq);
    return route::dropped;
  }
  authority_verdict v = engine_.cbs_.first_record(item);
  switch (v.verdict) {
    case authority::admit:
      return route::submit;
    case authority::refuse:
      fail(misbehaviour_kind::bad_record, "a feed that may not exist here: " + v.reason);
      return route::failed;
    case authority::unknown:
      break;
  }
  if (waiting_.size() >= opts.max_waiting_feeds ||
      waiting_bytes_ + item.size() > opts.max_waiting_bytes) {
    // Dropped quietly: its invite may be on its way. But an honest peer streams an inviter's
    // feed before its joiners' (feed_rank), so many such feeds dropped in one period, or a
    // session's worth in all, is a peer sending joins that redeem nothing.
    const bool period = abandoned_this_period_ >= opts.max_dropped_feeds_per_period;
    if (period || abandoned_.size() >= opts.max_feeds_per_session) {
      fail(misbehaviour_kind::protocol_violation,
           "more than " +
               std::to_string(period ? opts.max_dropped_feeds_per_period
                                     : opts.max_feeds_per_session) +
               " feeds that redeem no known invite dropped" +
               (period ? " in one anti-entropy period" : " on one connection"));
      return route::failed;
    }
    abandoned_.insert(key.author);
    ++abandoned_this_period_;
    return route::dropped;
  }
  waiting_feed w;
  w.last_seq = key.seq;
  w.bytes = item.size();
  w.since_round = engine_.round_;
  waiting_bytes_ += item.size();
  w.items.push_back(std::move(item));
  waiting_.emplace(key.author, std::move(w));
  return route::held;
}

void session::drop_waiting(const member_id& author) {
  auto w = waiting_.find(author);
  if (w == waiting_.end()) return;
  waiting_bytes_ -= w->second.bytes;
  waiting_.erase(w);
  abandoned_.insert(author);
  ++abandoned_this_period_;
}

void session::new_period(std::uint64_t round) {
  if (std::exchange(round_deferred_, false)) probe();
  served_this_period_ = 0;
  abandoned_this_period_ = 0;
  resent_this_period_ = 0;
  pending_this_period_ = 0;
  std::vector<member_id> expired;
  for (const auto& [author, w] : waiting_) {
    if (round >= w.since_round + 2) expired.push_back(author);
  }
  for (const auto& author : expired) drop_waiting(author);
}

void session::retry_waiting() {
  if (stats_.closed || waiting_.empty() || !engine_.cbs_.first_record) return;
  // Take the admitted feeds out first: submitting may report at once (a replica without a
  // queue), and the report calls back here.
  std::vector<std::pair<member_id, waiting_feed>> admitted;
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    authority_verdict v = engine_.cbs_.first_record(it->second.items.front());
    if (v.verdict == authority::refuse) {
      fail(misbehaviour_kind::bad_record, "a feed that may not exist here: " + v.reason);
      return;
    }
    if (v.verdict == authority::unknown) {
      ++it;
      continue;
    }
    waiting_bytes_ -= it->second.bytes;
    admitted.emplace_back(it->first, std::move(it->second));
    it = waiting_.erase(it);
  }
  for (auto& [author, w] : admitted) {
    if (stats_.closed) return;
    const std::uint64_t ticket = ++next_ticket_;
    auto& h = submitted_heads_[author];
    if (w.last_seq > h.first) h = {w.last_seq, ticket};
    stats_.ingesting_bytes += w.bytes;
    engine_.submit(*this, ticket, w.bytes, std::move(w.items), /*ack=*/false);
  }
}

void session::ingested(std::uint64_t ticket, std::size_t bytes, const result<ingest_report>& report,
                       bool ack) {
  stats_.ingesting_bytes -= std::min(stats_.ingesting_bytes, bytes);
  for (auto it = submitted_heads_.begin(); it != submitted_heads_.end();) {
    it = it->second.second <= ticket ? submitted_heads_.erase(it) : std::next(it);
  }
  if (stats_.closed) return;  // an earlier message failed: its successors do not count
  if (!local_ok(report.error())) return;

  std::vector<std::pair<member_id, std::uint64_t>> gaps;
  std::set<member_id> continuations;
  std::optional<misbehaviour> first_bad;
  for (const auto& o : report->outcomes) {
    switch (o.outcome) {
      case ingest_outcome::stored:
        ++stats_.records_stored;
        learn(o.key.author, o.key.seq);
        break;
      case ingest_outcome::duplicate:
        ++stats_.records_duplicate;
        learn(o.key.author, o.key.seq);
        break;
      case ingest_outcome::pending:
        learn(o.key.author, o.key.seq);
        gaps.emplace_back(o.key.author, o.key.seq);
        ++pending_this_period_;
        break;
      case ingest_outcome::dropped:
        break;
      case ingest_outcome::fork_continuation:
        // The peer holds it (so it is not pushed back) and is not at fault; the feed is not
        // fetched from this peer again while this node's head of it stays.
        ++stats_.records_fork_continuation;
        learn(o.key.author, o.key.seq);
        continuations.insert(o.key.author);
        break;
      case ingest_outcome::invalid:
        if (!first_bad) first_bad = misbehaviour{misbehaviour_kind::bad_record, o.reason};
        break;
      case ingest_outcome::bad_chain:
        if (!first_bad) first_bad = misbehaviour{misbehaviour_kind::bad_chain, o.reason};
        break;
      case ingest_outcome::forked:
        engine_.forked_.insert(o.key.author);
        if (!first_bad) first_bad = misbehaviour{misbehaviour_kind::forked, o.reason};
        break;
    }
  }
  if (first_bad) fail(first_bad->kind, first_bad->reason);
  // The store's pending area is shared by every peer: one peer's share of it is bounded.
  if (!stats_.closed && pending_this_period_ > engine_.opts_.max_pending_per_period) {
    fail(misbehaviour_kind::protocol_violation,
         "sent more than " + std::to_string(engine_.opts_.max_pending_per_period) +
             " records past gaps in one anti-entropy period");
  }
  if (!stats_.closed) {
    for (const auto& author : continuations) engine_.fork_continued(*this, author);
  }
  if (!stats_.closed) {
    if (ack) send(sync::ack{bytes});
    for (const auto& [author, seq] : gaps) engine_.want_feed(*this, author, seq);
    flush_wants();
  }
}

}  // namespace zwerm::node::sync
