#include "node/ingest/ingest.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "crypto/keyed_hash.hpp"
#include "node/ingest/stored_record.hpp"
#include "node/records/record_parse.hpp"

namespace zwerm::node {

// Runs parse_record over a span with the calling thread and n-1 workers. Work is handed out
// in small chunks through an atomic cursor so a slow record does not idle the other threads.
// A call ends when every chunk is done, not when every worker has woken: on a busy machine a
// worker may get the CPU only after the others finished the whole span, and the caller must
// not wait for it. Each call is a `job` held by shared_ptr, so a worker that wakes late and
// still holds the previous job finds its cursor at the end and touches none of its data.
class ingestor::pool {
 public:
  explicit pool(std::size_t threads) : threads_(threads < 1 ? 1 : threads) {
    for (std::size_t i = 1; i < threads_; ++i) workers_.emplace_back([this] { work(); });
  }

  ~pool() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }

  std::size_t threads() const { return threads_; }

  void run(std::span<const std::string> raw,
           std::vector<std::optional<record_result<record>>>* out) {
    if (workers_.empty() || raw.size() < 2 * chunk) {
      for (std::size_t i = 0; i < raw.size(); ++i) (*out)[i].emplace(parse_record(raw[i]));
      return;
    }
    auto j = std::make_shared<job>(raw, out);
    {
      std::lock_guard lock(mu_);
      job_ = j;
      ++generation_;
    }
    wake_.notify_all();
    drain(*j);
    std::unique_lock lock(mu_);
    done_.wait(lock, [&] { return j->finished == raw.size(); });
    job_.reset();
  }

 private:
  static constexpr std::size_t chunk = 16;

  struct job {
    job(std::span<const std::string> r, std::vector<std::optional<record_result<record>>>* o)
        : raw(r), out(o) {}
    std::span<const std::string> raw;
    std::vector<std::optional<record_result<record>>>* out;
    std::atomic<std::size_t> next{0};
    std::size_t finished = 0;  // records done; guarded by pool::mu_
  };

  void drain(job& j) {
    for (;;) {
      const std::size_t start = j.next.fetch_add(chunk);
      if (start >= j.raw.size()) return;
      const std::size_t end = std::min(start + chunk, j.raw.size());
      for (std::size_t i = start; i < end; ++i) (*j.out)[i].emplace(parse_record(j.raw[i]));
      std::lock_guard lock(mu_);
      j.finished += end - start;
      if (j.finished == j.raw.size()) done_.notify_one();
    }
  }

  void work() {
    std::uint64_t seen = 0;
    for (;;) {
      std::shared_ptr<job> j;
      {
        std::unique_lock lock(mu_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        j = job_;
      }
      if (j) drain(*j);
    }
  }

  const std::size_t threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  bool stopping_ = false;
  std::uint64_t generation_ = 0;
  std::shared_ptr<job> job_;  // the call in progress; guarded by mu_
};

ingestor::ingestor(store::store& s, ingest_options opts)
    : store_(s), pool_(std::make_unique<pool>(opts.verify_threads)) {}

ingestor::~ingestor() = default;

std::size_t ingestor::verify_threads() const {
  return pool_->threads();
}

std::vector<record_result<record>> ingestor::verify(std::span<const std::string> raw) {
  std::vector<std::optional<record_result<record>>> slots(raw.size());
  pool_->run(raw, &slots);
  std::vector<record_result<record>> out;
  out.reserve(raw.size());
  for (auto& s : slots) out.push_back(std::move(*s));
  return out;
}

// A batch after parse + verify, waiting for its commit.
struct verified_batch {
  std::vector<record> records;     // the valid ones, in input order
  std::vector<std::size_t> index;  // records[i] is input index[i]
  std::vector<ingest_item> items;  // one per input; rejections already filled in
  std::vector<store::view_change> views;
};

namespace {

verified_batch prepare(ingestor& in, std::span<const std::string> raw) {
  auto parsed = in.verify(raw);
  verified_batch b;
  b.items.resize(raw.size());
  b.records.reserve(raw.size());
  b.index.reserve(raw.size());
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    if (parsed[i].ok()) {
      b.records.push_back(std::move(parsed[i]).value());
      b.index.push_back(i);
    } else {
      b.items[i].rejected = parsed[i].error();
      b.items[i].stored = {store::outcome::dropped, parsed[i].error().message};
    }
  }
  return b;
}

// Commits a verified batch through the store (the caller is the store's writer).
result<ingest_result> commit(store::store& s, verified_batch b) {
  std::vector<store::record_entry> entries;
  entries.reserve(b.records.size());
  for (const record& r : b.records) entries.push_back(to_entry(r));
  // parse_record computed every id from the payload bytes: the store need not hash again.
  auto report = s.ingest(entries, b.views, store::ingest_flags{.ids_checked = true});
  if (!report) return report.error();
  for (std::size_t i = 0; i < b.records.size(); ++i) {
    b.items[b.index[i]].stored = std::move(report->outcomes[i]);
  }
  ingest_result out;
  out.items = std::move(b.items);
  out.appended.reserve(report->appended.size());
  // Records of this batch move into the result; pending ones from earlier batches are parsed
  // again from the store's bytes without the signature check (verified before they were held).
  std::unordered_map<record_id, record*> by_id;
  by_id.reserve(b.records.size());
  for (record& r : b.records) by_id.emplace(r.id, &r);
  for (const auto& e : report->appended) {
    if (auto it = by_id.find(e.id); it != by_id.end()) {
      out.appended.push_back(std::move(*it->second));
      continue;
    }
    auto parsed = parse_record(e.bytes, signature_check::skip);
    if (!parsed) {
      return status{
          status_code::corruption,
          "a record held in the pending area no longer parses: " + parsed.error().message};
    }
    out.appended.push_back(std::move(parsed).value());
  }
  return out;
}

}  // namespace

result<ingest_result> ingestor::ingest_bytes(std::span<const std::string> raw,
                                             std::span<const store::view_change> views) {
  auto b = prepare(*this, raw);
  b.views.assign(views.begin(), views.end());
  return commit(store_, std::move(b));
}

result<ingest_result> ingestor::ingest_records(std::span<const record> records,
                                               std::span<const store::view_change> views) {
  verified_batch b;
  b.records.assign(records.begin(), records.end());
  b.items.resize(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) b.index.push_back(i);
  b.views.assign(views.begin(), views.end());
  return commit(store_, std::move(b));
}

// ------------------------------------------------------------------------- pipeline

struct ingest_pipeline::state {
  state(store::store& s, ingest_options o, commit_handler h, std::size_t depth)
      : store(s), in(s, o), done(std::move(h)), max_queued(depth < 1 ? 1 : depth) {}

  store::store& store;
  ingestor in;  // its pool verifies on the submitting thread
  commit_handler done;
  const std::size_t max_queued;

  std::mutex mu;
  std::condition_variable changed;
  std::deque<std::pair<std::uint64_t, verified_batch>> queue;  // guarded by mu
  std::uint64_t submitted = 0;                                 // guarded by mu
  std::uint64_t committed = 0;                                 // guarded by mu
  bool stopping = false;                                       // guarded by mu
  std::thread writer;

  void write_loop() {
    for (;;) {
      std::pair<std::uint64_t, verified_batch> next;
      {
        std::unique_lock lock(mu);
        changed.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping and drained
        next = std::move(queue.front());
        queue.pop_front();
        changed.notify_all();  // room for the submitter
      }
      auto r = commit(store, std::move(next.second));
      if (done) done(next.first, std::move(r));
      {
        std::lock_guard lock(mu);
        committed = next.first;
      }
      changed.notify_all();
    }
  }
};

ingest_pipeline::ingest_pipeline(store::store& s, ingest_options opts, commit_handler on_commit,
                                 std::size_t max_queued)
    : state_(std::make_unique<state>(s, opts, std::move(on_commit), max_queued)) {
  state_->writer = std::thread([st = state_.get()] { st->write_loop(); });
}

ingest_pipeline::~ingest_pipeline() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
  }
  state_->changed.notify_all();
  state_->writer.join();
}

std::uint64_t ingest_pipeline::submit(std::span<const std::string> raw,
                                      std::vector<store::view_change> views) {
  auto b = prepare(state_->in, raw);
  b.views = std::move(views);
  std::unique_lock lock(state_->mu);
  state_->changed.wait(lock, [&] { return state_->queue.size() < state_->max_queued; });
  const std::uint64_t no = ++state_->submitted;
  state_->queue.emplace_back(no, std::move(b));
  state_->changed.notify_all();
  return no;
}

void ingest_pipeline::drain() {
  std::unique_lock lock(state_->mu);
  state_->changed.wait(lock, [&] { return state_->committed == state_->submitted; });
}

}  // namespace zwerm::node
