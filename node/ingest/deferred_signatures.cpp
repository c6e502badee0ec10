#include "node/ingest/deferred_signatures.hpp"

#include <pthread.h>
#include <sched.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "base/base64url.hpp"
#include "node/records/record_parse.hpp"

namespace zwerm::node {

namespace {

constexpr std::string_view range_prefix = "sigq/";
constexpr std::string_view bad_prefix = "sigbad/";
constexpr std::size_t key_size = 32 + 32 + 8;  // community, author, seq

std::string key_of(std::string_view prefix, const community_id& c, const member_id& a,
                   std::uint64_t seq) {
  std::string k(prefix);
  k.append(c.view());
  k.append(a.view());
  crypto::put_be(k, seq, 8);
  return k;
}

// Parses a row key of `prefix`; false for anything else (a damaged row is skipped).
bool parse_key(std::string_view prefix, std::string_view key, community_id* c, member_id* a,
               std::uint64_t* seq) {
  if (key.size() != prefix.size() + key_size || key.substr(0, prefix.size()) != prefix) {
    return false;
  }
  key.remove_prefix(prefix.size());
  if (!community_id::from(key.substr(0, 32), c) || !member_id::from(key.substr(32, 32), a)) {
    return false;
  }
  *seq = crypto::get_be(key, 64, 8);
  return true;
}

std::string be64(std::uint64_t v) {
  std::string s;
  crypto::put_be(s, v, 8);
  return s;
}

}  // namespace

store::view_change deferred_row(const deferred_range& r) {
  return {key_of(range_prefix, r.community, r.author, r.first), be64(r.last)};
}

struct deferred_signatures::state {
  using feed_key = std::pair<community_id, member_id>;
  struct span_info {
    std::uint64_t last = 0;
    bool stored = false;  // false while its commit is under way
  };

  state(store::store& s, deferred_signatures_options o) : store(s), opts(o) {
    if (opts.records_per_step < 1) opts.records_per_step = 1;
  }

  store::store& store;
  deferred_signatures_options opts;

  mutable std::mutex mu;
  std::condition_variable wake;
  std::map<feed_key, std::map<std::uint64_t, span_info>> ranges;     // first seq -> span; mu
  std::set<std::tuple<community_id, member_id, std::uint64_t>> bad;  // guarded by mu
  std::uint64_t unchecked = 0;                                       // guarded by mu
  std::uint64_t checked = 0;                                         // guarded by mu
  bool stopping = false;                                             // guarded by mu
  std::thread worker;

  // A stored range and how much of it the next step checks (first .. end).
  struct work_item {
    deferred_range range;
    std::uint64_t end = 0;
  };

  // Stored ranges, in key order, up to records_per_step records in all (the last one cut).
  // Caller holds mu.
  std::vector<work_item> pick() const {
    std::vector<work_item> out;
    std::uint64_t budget = opts.records_per_step;
    for (const auto& [feed, spans] : ranges) {
      for (const auto& [first, info] : spans) {
        if (!info.stored) continue;
        const std::uint64_t n = std::min<std::uint64_t>(info.last - first + 1, budget);
        out.push_back({{feed.first, feed.second, first, info.last}, first + n - 1});
        budget -= n;
        if (budget == 0) return out;
      }
    }
    return out;
  }

  void add(std::span<const deferred_range> rs, bool stored) {
    std::lock_guard lock(mu);
    for (const auto& r : rs) {
      auto& info = ranges[{r.community, r.author}][r.first];
      if (info.last == 0) unchecked += r.last - r.first + 1;
      info = {r.last, stored};
    }
  }

  // Checks the records of `items` and writes what it learnt in one batch. Runs on the
  // background thread, or on the caller of check_all().
  status step(const std::vector<work_item>& items) {
    std::vector<std::pair<const work_item*, std::uint64_t>> found_bad;  // item, seq
    std::uint64_t n = 0;
    std::vector<store::view_change> changes;
    for (const auto& item : items) {
      const deferred_range& r = item.range;
      auto cur = store.read_feed(r.community, r.author, r.first);
      for (; cur.valid() && cur.entry().seq <= item.end; cur.next()) {
        const auto& e = cur.entry();
        if (e.bytes.size() <= signature_size) continue;  // the store never holds such a record
        if (!signature_valid(e.bytes, r.author)) found_bad.emplace_back(&item, e.seq);
        ++n;
      }
      if (status st = cur.error(); !st.ok()) return st;
      changes.push_back({key_of(range_prefix, r.community, r.author, r.first), std::nullopt});
      if (item.end < r.last) {
        changes.push_back(deferred_row({r.community, r.author, item.end + 1, r.last}));
      }
    }
    for (const auto& [item, seq] : found_bad) {
      const deferred_range& r = item->range;
      changes.push_back({key_of(bad_prefix, r.community, r.author, seq), std::string()});
      spdlog::warn(
          "community {}: record {} of {} holds a signature that does not verify; its payload "
          "counts (a later record of the same author chains to it), and this node will not end a "
          "range it serves there",
          crypto::short_id(r.community), seq, crypto::short_id(r.author));
    }
    if (status st = store.write_views(changes); !st.ok()) return st;
    std::lock_guard lock(mu);
    for (const auto& item : items) {
      const deferred_range& r = item.range;
      auto feed = ranges.find({r.community, r.author});
      if (feed != ranges.end()) {
        feed->second.erase(r.first);
        if (item.end < r.last) feed->second[item.end + 1] = {r.last, true};
        if (feed->second.empty()) ranges.erase(feed);
      }
      unchecked -= std::min(unchecked, item.end - r.first + 1);
    }
    checked += n;
    for (const auto& [item, seq] : found_bad) {
      bad.emplace(item->range.community, item->range.author, seq);
    }
    return {};
  }

  void run() {
    if (opts.low_priority) {
#ifdef __linux__
      sched_param p{};
      pthread_setschedparam(pthread_self(), SCHED_IDLE, &p);
#endif
    }
#ifdef __linux__
    pthread_setname_np(pthread_self(), "zw-sigcheck");
#endif
    std::unique_lock lock(mu);
    while (!stopping) {
      auto items = pick();
      if (items.empty()) {
        wake.wait(lock);
        continue;
      }
      lock.unlock();
      status st = step(items);
      lock.lock();
      if (!st.ok()) {
        spdlog::error("checking deferred signatures: {} (trying again in 5 s)", st.message());
        wake.wait_for(lock, std::chrono::seconds(5), [&] { return stopping; });
      }
    }
  }
};

deferred_signatures::deferred_signatures(std::unique_ptr<state> s) : state_(std::move(s)) {}

result<std::unique_ptr<deferred_signatures>> deferred_signatures::open(
    store::store& s, deferred_signatures_options o) {
  auto st = std::make_unique<state>(s, o);
  auto rows = s.scan_views(std::string(range_prefix));
  if (!rows) return rows.error();
  for (const auto& [key, value] : *rows) {
    deferred_range r;
    if (!parse_key(range_prefix, key, &r.community, &r.author, &r.first) || value.size() != 8) {
      continue;
    }
    r.last = crypto::get_be(value, 0, 8);
    if (r.last < r.first) continue;
    st->add(std::span(&r, 1), true);
  }
  auto bads = s.scan_views(std::string(bad_prefix));
  if (!bads) return bads.error();
  for (const auto& [key, value] : *bads) {
    community_id c;
    member_id a;
    std::uint64_t seq = 0;
    if (parse_key(bad_prefix, key, &c, &a, &seq)) st->bad.emplace(c, a, seq);
  }
  std::unique_ptr<deferred_signatures> out(new deferred_signatures(std::move(st)));
  if (o.background) {
    out->state_->worker = std::thread([p = out->state_.get()] { p->run(); });
  }
  return out;
}

deferred_signatures::~deferred_signatures() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  if (state_->worker.joinable()) state_->worker.join();
}

void deferred_signatures::reserve(std::span<const deferred_range> ranges) {
  state_->add(ranges, false);
}

void deferred_signatures::stored(std::span<const deferred_range> ranges) {
  state_->add(ranges, true);
  state_->wake.notify_all();
}

void deferred_signatures::cancel(std::span<const deferred_range> ranges) {
  std::lock_guard lock(state_->mu);
  for (const auto& r : ranges) {
    auto feed = state_->ranges.find({r.community, r.author});
    if (feed == state_->ranges.end()) continue;
    auto it = feed->second.find(r.first);
    if (it == feed->second.end() || it->second.stored) continue;
    state_->unchecked -= std::min(state_->unchecked, it->second.last - r.first + 1);
    feed->second.erase(it);
    if (feed->second.empty()) state_->ranges.erase(feed);
  }
}

bool deferred_signatures::unchecked(const community_id& c, const member_id& author,
                                    std::uint64_t seq) const {
  std::lock_guard lock(state_->mu);
  auto feed = state_->ranges.find({c, author});
  if (feed == state_->ranges.end()) return false;
  auto it = feed->second.upper_bound(seq);
  if (it == feed->second.begin()) return false;
  --it;
  return seq >= it->first && seq <= it->second.last;
}

bool deferred_signatures::held_bad(const community_id& c, const member_id& author,
                                   std::uint64_t seq) const {
  std::lock_guard lock(state_->mu);
  return state_->bad.count({c, author, seq}) > 0;
}

void deferred_signatures::checked_now(const community_id& c, const member_id& author,
                                      std::uint64_t seq, bool valid) {
  if (valid) return;  // the background check confirms it when it gets there
  std::lock_guard lock(state_->mu);
  state_->bad.emplace(c, author, seq);
}

std::uint64_t deferred_signatures::unchecked_count() const {
  std::lock_guard lock(state_->mu);
  return state_->unchecked;
}

std::uint64_t deferred_signatures::bad_count() const {
  std::lock_guard lock(state_->mu);
  return state_->bad.size();
}

std::uint64_t deferred_signatures::checked_count() const {
  std::lock_guard lock(state_->mu);
  return state_->checked;
}

status deferred_signatures::check_all() {
  for (;;) {
    std::vector<state::work_item> items;
    {
      std::lock_guard lock(state_->mu);
      items = state_->pick();
    }
    if (items.empty()) return {};
    if (status st = state_->step(items); !st.ok()) return st;
  }
}

}  // namespace zwerm::node
