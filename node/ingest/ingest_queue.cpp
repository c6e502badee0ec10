#include "node/ingest/ingest_queue.hpp"

#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "crypto/keyed_hash.hpp"
#include "node/records/chain_auth.hpp"
#include "node/records/record_parse.hpp"

namespace zwerm::node {

result<std::optional<feed_head>> commit_batch::head(const community_id& community,
                                                    const crypto::public_key& author) {
  auto key = std::make_pair(community, author);
  if (auto it = heads_.find(key); it != heads_.end()) return it->second;
  auto h = store_.head(community, author);
  if (!h) return h.error();
  const std::optional<feed_head> head = *h;
  heads_.emplace(key, head);
  return head;
}

std::size_t commit_batch::add(store::record_entry e, std::optional<feed_head> new_head) {
  if (new_head) heads_[std::make_pair(e.community, e.author)] = new_head;
  entries_.push_back(std::move(e));
  return entries_.size() - 1;
}

// ------------------------------------------------------------------------------- queue

namespace {

// Names the calling thread (top, perf and /proc/PID/task/*/comm show it). At most 15 bytes.
void name_thread(const std::string& name) {
#ifdef __linux__
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
#else
  (void)name;
#endif
}

// Records per unit of work for the verify threads: small enough that two threads share a
// 165-record message evenly, large enough that the lock is taken rarely (≈ 1 ms of checks).
constexpr std::size_t chunk = 32;
// Runs per unit of work when checking signatures by chain: a run costs one check (more only
// when its last signature fails), so a message of many short feeds still spreads over the
// threads.
constexpr std::size_t run_chunk = 8;

struct slot {
  std::unique_ptr<ingest_job> job;
  // parse_record's result per raw record, handed whole to the job's prepare() (no copy per
  // record). Until a verify thread has parsed a record its entry is an empty rejection, which
  // no job sees: the writer takes a slot only when all its records are done.
  std::vector<record_result<record>> verified;
  std::size_t records = 0;  // the job's raw records (verified.size() until prepare() took it)
  std::size_t next = 0;     // first record not yet handed to a verify thread
  std::size_t done = 0;     // records parsed
  // With authentication by chain: the signature runs (node/records/chain_auth.hpp), known once
  // every record is parsed; each run's check is one unit of work.
  bool planned = false;
  std::vector<signature_run> runs;
  std::size_t next_run = 0;  // first run not yet handed out
  std::size_t runs_done = 0;
  bool parsed() const { return done == records; }
  bool ready() const { return parsed() && planned && runs_done == runs.size(); }
};

}  // namespace

struct ingest_queue::state {
  state(store::store& s, ingest_queue_options o) : store(s), opts(o) {
    if (opts.verify_threads < 1) opts.verify_threads = 1;
    if (opts.max_commit_records < 1) opts.max_commit_records = 1;
  }

  store::store& store;
  ingest_queue_options opts;

  mutable std::mutex mu;
  std::condition_variable work;               // verify threads: a chunk to check, or stopping
  std::condition_variable ready;              // writer: the front job is verified, or stopping
  std::condition_variable idle;               // drain(): a commit finished
  std::deque<slot> queue;                     // guarded by mu; front = oldest
  std::size_t queued_records = 0;             // guarded by mu
  std::uint64_t submitted = 0, reported = 0;  // guarded by mu
  bool stopping = false;                      // guarded by mu
  std::vector<std::thread> verifiers;
  std::thread writer;

  // Finds the oldest slot with work not yet handed out: records to parse, or runs to check.
  // Caller holds mu.
  slot* next_unclaimed() {
    for (auto& s : queue) {
      if (s.next < s.records || (s.planned && s.next_run < s.runs.size())) return &s;
    }
    return nullptr;
  }

  void verify_loop() {
    const bool by_chain = opts.chain_authentication;
    std::unique_lock lock(mu);
    for (;;) {
      work.wait(lock, [&] { return stopping || next_unclaimed() != nullptr; });
      if (stopping) return;
      slot* s = next_unclaimed();
      // Slots live in a deque that only grows at the back and shrinks at the front, and a
      // slot leaves only after all its work is done: `s` stays valid while we work on it.
      if (s->next < s->records) {
        const std::size_t begin = s->next;
        const std::size_t end = std::min(begin + chunk, s->records);
        s->next = end;
        const auto& raw = s->job->raw();
        lock.unlock();
        const auto check = by_chain ? signature_check::skip : signature_check::verify;
        for (std::size_t i = begin; i < end; ++i) s->verified[i] = parse_record(raw[i], check);
        lock.lock();
        s->done += end - begin;
        if (s->parsed()) {
          if (by_chain) {
            // Every record of the slot is parsed and no other thread touches them now.
            lock.unlock();
            auto runs = plan_signature_checks(s->verified);
            lock.lock();
            s->runs = std::move(runs);
            if (!s->runs.empty()) work.notify_all();
          }
          s->planned = true;
        }
      } else {
        // Runs are disjoint ranges of the slot's records: threads checking different runs
        // never touch the same record.
        const std::size_t begin = s->next_run;
        const std::size_t end = std::min(begin + run_chunk, s->runs.size());
        s->next_run = end;
        lock.unlock();
        for (std::size_t i = begin; i < end; ++i) check_run(s->verified, s->runs[i]);
        lock.lock();
        s->runs_done += end - begin;
      }
      if (s->ready() && s == &queue.front()) ready.notify_one();
    }
  }

  void write_loop() {
    for (;;) {
      std::vector<slot> group;
      {
        std::unique_lock lock(mu);
        ready.wait(lock, [&] { return stopping || (!queue.empty() && queue.front().ready()); });
        if (stopping) return;
        std::size_t records = 0;
        while (!queue.empty() && queue.front().ready() &&
               (group.empty() || records + queue.front().records <= opts.max_commit_records)) {
          records += queue.front().records;
          group.push_back(std::move(queue.front()));
          queue.pop_front();
        }
      }
      commit(group);
      {
        std::lock_guard lock(mu);
        for (const auto& s : group) queued_records -= s.records;
        reported += group.size();
      }
      idle.notify_all();
    }
  }

  void commit(std::vector<slot>& group) {
    commit_batch batch(store);
    // Per job: its prepare() status and the range of entries it added.
    std::vector<status> prepared(group.size());
    std::vector<std::pair<std::size_t, std::size_t>> ranges(group.size());
    for (std::size_t j = 0; j < group.size(); ++j) {
      const std::size_t first = batch.entries().size();
      prepared[j] = group[j].job->prepare(std::move(group[j].verified), batch);
      ranges[j] = {first, batch.entries().size()};
    }
    std::optional<result<store::ingest_report>> report;
    if (!batch.entries().empty()) {
      // parse_record computed every id from the payload bytes: the store need not hash again.
      report.emplace(
          store.ingest(batch.entries(), batch.views(), store::ingest_flags{.ids_checked = true}));
    }
    // Appended records go to the job that brought them; promoted pending ones to the last.
    std::vector<std::vector<store::record_entry>> appended(group.size());
    if (report && report->ok()) {
      if (group.size() == 1) {
        appended[0] = std::move((*report)->appended);
      } else {
        std::unordered_map<record_id, std::size_t> owner;
        owner.reserve(batch.entries().size());
        for (std::size_t j = 0; j < group.size(); ++j) {
          for (std::size_t k = ranges[j].first; k < ranges[j].second; ++k) {
            owner.emplace(batch.entries()[k].id, j);
          }
        }
        for (auto& e : (*report)->appended) {
          auto it = owner.find(e.id);
          appended[it == owner.end() ? group.size() - 1 : it->second].push_back(std::move(e));
        }
      }
    }
    for (std::size_t j = 0; j < group.size(); ++j) {
      if (!prepared[j].ok()) {
        group[j].job->committed(prepared[j], {}, {});
      } else if (report && !report->ok()) {
        group[j].job->committed(report->error(), {}, {});
      } else {
        std::span<const store::record_outcome> outcomes;
        if (report) {
          outcomes = std::span<const store::record_outcome>((*report)->outcomes)
                         .subspan(ranges[j].first, ranges[j].second - ranges[j].first);
        }
        group[j].job->committed(status{}, outcomes, std::move(appended[j]));
      }
    }
  }
};

ingest_queue::ingest_queue(store::store& s, ingest_queue_options opts)
    : state_(std::make_unique<state>(s, opts)) {
  for (std::size_t i = 0; i < state_->opts.verify_threads; ++i) {
    state_->verifiers.emplace_back([st = state_.get(), i] {
      name_thread("zw-verify-" + std::to_string(i + 1));
      st->verify_loop();
    });
  }
  state_->writer = std::thread([st = state_.get()] {
    name_thread("zw-commit");
    st->write_loop();
  });
}

ingest_queue::~ingest_queue() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
  }
  state_->work.notify_all();
  state_->ready.notify_all();
  for (auto& t : state_->verifiers) t.join();
  state_->writer.join();
}

void ingest_queue::submit(std::unique_ptr<ingest_job> job) {
  slot s;
  s.records = job->raw().size();
  s.verified.assign(s.records, record_result<record>(rejection{}));
  s.job = std::move(job);
  const bool empty = s.records == 0;
  s.planned = empty;  // otherwise set once its last record is parsed
  {
    std::lock_guard lock(state_->mu);
    state_->queued_records += s.records;
    ++state_->submitted;
    state_->queue.push_back(std::move(s));
  }
  if (empty) {
    state_->ready.notify_one();  // nothing to verify: the writer may take it now
  } else {
    state_->work.notify_all();
  }
}

std::size_t ingest_queue::queued_records() const {
  std::lock_guard lock(state_->mu);
  return state_->queued_records;
}

void ingest_queue::drain() {
  std::unique_lock lock(state_->mu);
  state_->idle.wait(lock, [&] { return state_->reported == state_->submitted; });
}

std::size_t ingest_queue::verify_threads() const {
  return state_->opts.verify_threads;
}

}  // namespace zwerm::node
