#include "node/sync/engine.hpp"

#include <algorithm>
#include <set>

#include "node/sync/session.hpp"

namespace zwerm::node::sync {

const char* to_string(misbehaviour_kind k) {
  switch (k) {
    case misbehaviour_kind::malformed_message:
      return "malformed_message";
    case misbehaviour_kind::protocol_violation:
      return "protocol_violation";
    case misbehaviour_kind::bad_record:
      return "bad_record";
    case misbehaviour_kind::out_of_order:
      return "out_of_order";
    case misbehaviour_kind::bad_chain:
      return "bad_chain";
    case misbehaviour_kind::forked:
      return "forked";
    case misbehaviour_kind::incompatible:
      return "incompatible";
  }
  return "unknown";
}

const char* to_string(ingest_outcome o) {
  switch (o) {
    case ingest_outcome::stored:
      return "stored";
    case ingest_outcome::duplicate:
      return "duplicate";
    case ingest_outcome::pending:
      return "pending";
    case ingest_outcome::invalid:
      return "invalid";
    case ingest_outcome::bad_chain:
      return "bad_chain";
    case ingest_outcome::forked:
      return "forked";
    case ingest_outcome::dropped:
      return "dropped";
    case ingest_outcome::fork_continuation:
      return "fork_continuation";
  }
  return "unknown";
}

namespace {
std::uint64_t seed_of(std::uint64_t s) {
  if (s != 0) return s;
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

// Keeps the engine's call depth so that detach() from inside a callback is deferred.
struct depth_guard {
  int& d;
  explicit depth_guard(int& depth) : d(depth) { ++d; }
  ~depth_guard() { --d; }
};
}  // namespace

engine::engine(replica& r, engine_options opts, engine_callbacks cbs)
    : replica_(r), opts_(opts), cbs_(std::move(cbs)), rng_(seed_of(opts.seed)) {}

engine::~engine() = default;

session* engine::find(session_id id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

session_id engine::attach(const member_id& peer, bool dialer, message_sink& sink) {
  depth_guard g(depth_);
  session_id id = next_id_++;
  auto s = std::make_unique<session>(*this, id, peer, dialer, sink);
  auto* raw = s.get();
  sessions_.emplace(id, std::move(s));
  raw->start();
  return id;
}

void engine::on_message(session_id id, std::string_view message) {
  {
    depth_guard g(depth_);
    if (auto* s = find(id)) s->receive(message);
  }
  reap();
}

void engine::detach(session_id id) {
  auto* s = find(id);
  if (!s) return;
  s->close();
  if (depth_ > 0) {
    doomed_.push_back(id);
    return;
  }
  std::vector<member_id> orphaned;
  for (auto it = wanted_.begin(); it != wanted_.end();) {
    if (it->second.from == id) {
      orphaned.push_back(it->first);
      it = wanted_.erase(it);
    } else {
      ++it;
    }
  }
  sessions_.erase(id);
  depth_guard g(depth_);
  for (const auto& a : orphaned) fetch_from_anyone(a);
}

void engine::reap() {
  if (depth_ > 0) return;
  while (!doomed_.empty()) {
    auto id = doomed_.back();
    doomed_.pop_back();
    detach(id);
  }
}

void engine::report(session& s, misbehaviour m) {
  if (cbs_.on_misbehaviour) cbs_.on_misbehaviour(s.id(), s.peer(), m);
}

void engine::local_error(session& s, const status& st) {
  if (cbs_.on_local_error) cbs_.on_local_error(s.id(), st);
}

void engine::want_feed(session& s, const member_id& author, std::uint64_t peer_seq) {
  auto head = replica_.head_seq(author);
  if (!head) {
    local_error(s, head.error());
    return;
  }
  if (peer_seq <= *head) return;
  if (fork_refused(s.peer(), author, *head)) return;
  auto it = wanted_.find(author);
  if (it != wanted_.end() && it->second.from != s.id()) {
    auto* other = find(it->second.from);
    if (other && other->ready()) return;  // that peer is already sending this feed
  }
  const bool same = it != wanted_.end() && it->second.from == s.id();
  const std::uint64_t before = same ? it->second.target : 0;
  auto& w = wanted_[author];
  if (!same) w.progress = round_;
  w.from = s.id();
  w.target = std::max(before, peer_seq);
  // Asking again is harmless: the peer ignores a want for a feed it is still streaming.
  s.queue_want(author, *head + 1);
}

void engine::fetch_from_anyone(const member_id& author, session_id avoid) {
  auto head = replica_.head_seq(author);
  if (!head) return;
  session* fallback = nullptr;
  for (auto& [id, s] : sessions_) {
    if (!s->ready() || s->known(author) <= *head) continue;
    if (fork_refused(s->peer(), author, *head)) continue;
    if (id == avoid) {
      fallback = s.get();
      continue;
    }
    want_feed(*s, author, s->known(author));
    s->flush_wants();
    return;
  }
  if (fallback) {
    want_feed(*fallback, author, fallback->known(author));
    fallback->flush_wants();
  }
}

bool engine::fork_refused(const member_id& peer, const member_id& author,
                          std::uint64_t head) const {
  auto it = fork_refused_.find({peer, author});
  return it != fork_refused_.end() && it->second == head;
}

void engine::fork_continued(session& s, const member_id& author) {
  auto head = replica_.head_seq(author);
  if (!head) {
    local_error(s, head.error());
    return;
  }
  fork_refused_[{s.peer(), author}] = *head;
  // The peer's side parts from ours somewhere below: fetch it from the start, so that the
  // record where the sides part becomes the proof (once per feed).
  s.trace_fork(author);
  auto it = wanted_.find(author);
  if (it == wanted_.end() || it->second.from != s.id()) return;
  wanted_.erase(it);
  fetch_from_anyone(author, s.id());  // skips s now, and every peer that did the same
}

void engine::retry_stalled_wants() {
  std::vector<std::pair<member_id, session_id>> stalled;
  for (const auto& [author, w] : wanted_) {
    if (w.progress + 1 < round_) stalled.emplace_back(author, w.from);
  }
  for (const auto& [author, from] : stalled) {
    wanted_.erase(author);
    fetch_from_anyone(author, from);
  }
}

void engine::refresh_wants(const std::vector<record_key>& appended) {
  std::set<member_id> touched;
  for (const auto& k : appended) touched.insert(k.author);
  for (const auto& a : touched) {
    auto it = wanted_.find(a);
    if (it == wanted_.end()) continue;
    auto head = replica_.head_seq(a);
    if (!head) continue;
    if (*head < it->second.target) {
      it->second.progress = round_;
      continue;
    }
    wanted_.erase(it);
    fetch_from_anyone(a);  // another peer may know of even more
  }
}

void engine::submit(session& s, std::uint64_t ticket, std::size_t bytes,
                    std::vector<std::string> items, bool ack) {
  std::weak_ptr<int> alive = alive_;
  replica_.ingest_async(std::move(items), [this, alive, id = s.id(), ticket, bytes,
                                           ack](result<ingest_report> report) {
    if (alive.expired()) return;
    ingested(id, ticket, bytes, ack, std::move(report));
  });
}

void engine::ingested(session_id id, std::uint64_t ticket, std::size_t bytes, bool ack,
                      result<ingest_report> report) {
  {
    depth_guard g(depth_);
    session* s = find(id);
    if (s) {
      s->ingested(ticket, bytes, report, ack);
    } else if (!report.ok() && cbs_.on_local_error) {
      cbs_.on_local_error(id, report.error());
    }
    // Records that made it into the log are good news for everyone, even when the same
    // message also carried a bad one or its session has ended meanwhile.
    if (report.ok() && !report->appended.empty()) {
      on_stored(report->appended, s, true);
      // The records may hold the invite a held-aside feed redeems.
      for (auto& [sid, other] : sessions_) other->retry_waiting();
    }
    if (cbs_.on_ingested) cbs_.on_ingested(id);
  }
  reap();
}

void engine::on_stored(const std::vector<record_key>& appended, session* origin, bool synced) {
  refresh_wants(appended);
  fan_out(appended, origin);
  if (synced && cbs_.on_appended) cbs_.on_appended(appended);
}

void engine::fan_out(const std::vector<record_key>& appended, session* origin) {
  struct plan {
    std::vector<record_key> eager, announce;
  };
  std::map<session_id, plan> plans;
  std::vector<session*> candidates;
  for (const auto& k : appended) {
    candidates.clear();
    for (auto& [id, s] : sessions_) {
      if (s.get() == origin || !s->ready()) continue;
      if (s->known(k.author) >= k.seq || s->streaming(k.author)) continue;
      candidates.push_back(s.get());
    }
    std::shuffle(candidates.begin(), candidates.end(), rng_);
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      auto& p = plans[candidates[i]->id()];
      (i < opts_.eager_push_peers ? p.eager : p.announce).push_back(k);
    }
  }
  for (auto& [id, p] : plans) {
    if (auto* s = find(id)) s->push(p.eager, p.announce);
  }
}

void engine::records_written(const std::vector<record_key>& appended) {
  {
    depth_guard g(depth_);
    on_stored(appended, nullptr, false);
  }
  reap();
}

bool engine::take_full_round(const member_id& peer) {
  return ++full_rounds_[peer] <= opts_.max_full_rounds_per_key;
}

bool engine::anti_entropy() {
  ++round_;
  full_rounds_.clear();
  for (auto& [id, s] : sessions_) s->new_period(round_);
  {
    depth_guard g(depth_);
    retry_stalled_wants();
  }
  reap();
  std::vector<session*> ready;
  for (auto& [id, s] : sessions_) {
    if (s->ready()) ready.push_back(s.get());
  }
  if (ready.empty()) return false;
  std::uniform_int_distribution<std::size_t> pick(0, ready.size() - 1);
  {
    depth_guard g(depth_);
    ready[pick(rng_)]->probe();
  }
  reap();
  return true;
}

void engine::set_restricted(session_id id, bool restricted) {
  if (session* s = find(id)) s->set_restricted(restricted);
}

void engine::request_peers(session_id id) {
  if (auto* s = find(id)) s->request_peers();
}

void engine::relay(const std::vector<std::string>& records, session_id to) {
  if (records.empty()) return;
  {
    depth_guard g(depth_);
    for (auto& [id, s] : sessions_) {
      if (to == 0 || id == to) s->relay(records);
    }
  }
  reap();
}

session_stats engine::stats(session_id id) const {
  auto* s = find(id);
  if (!s) {
    session_stats st;
    st.closed = true;
    return st;
  }
  return s->stats();
}

std::uint64_t engine::best_known_seq(const member_id& author) const {
  std::uint64_t best = 0;
  for (const auto& [id, s] : sessions_) {
    if (!s->closed()) best = std::max(best, s->known(author));
  }
  return best;
}

std::uint64_t engine::known_by(session_id id, const member_id& author) const {
  auto* s = find(id);
  return s && !s->closed() ? s->known(author) : 0;
}

std::vector<session_id> engine::sessions() const {
  std::vector<session_id> out;
  for (const auto& [id, s] : sessions_) out.push_back(id);
  return out;
}

}  // namespace zwerm::node::sync
