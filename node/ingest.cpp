#include "node/ingest.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "node/record_parse.hpp"

namespace zwerm::node {

store::record_entry to_entry(const record& r) {
  store::record_entry e;
  e.id = r.id;
  e.community = r.community;
  e.author = r.author;
  e.seq = r.seq;
  e.prev = r.prev;
  e.lamport = r.lamport;
  e.bytes = r.bytes;
  return e;
}

// Runs parse_record over a span with the calling thread and n-1 workers. Work is handed out
// in small chunks through an atomic cursor so a slow record does not idle the other threads.
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
    {
      std::lock_guard lock(mu_);
      job_raw_ = raw;
      job_out_ = out;
      next_.store(0);
      busy_ = workers_.size();
      ++generation_;
    }
    wake_.notify_all();
    drain();
    std::unique_lock lock(mu_);
    done_.wait(lock, [this] { return busy_ == 0; });
    job_out_ = nullptr;
  }

 private:
  static constexpr std::size_t chunk = 16;

  void drain() {
    for (;;) {
      const std::size_t start = next_.fetch_add(chunk);
      if (start >= job_raw_.size()) return;
      const std::size_t end = std::min(start + chunk, job_raw_.size());
      for (std::size_t i = start; i < end; ++i) (*job_out_)[i].emplace(parse_record(job_raw_[i]));
    }
  }

  void work() {
    std::uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
      }
      drain();
      {
        std::lock_guard lock(mu_);
        if (--busy_ == 0) done_.notify_one();
      }
    }
  }

  const std::size_t threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  bool stopping_ = false;
  std::uint64_t generation_ = 0;
  std::size_t busy_ = 0;
  std::span<const std::string> job_raw_;
  std::vector<std::optional<record_result<record>>>* job_out_ = nullptr;
  std::atomic<std::size_t> next_{0};
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

namespace {

// Commits parsed records; `index[i]` is the input position of records[i].
result<ingest_result> commit(store::store& s, std::vector<const record*> records,
                             const std::vector<std::size_t>& index, std::size_t inputs,
                             std::span<const store::view_change> views,
                             std::vector<ingest_item> items) {
  std::vector<store::record_entry> entries;
  entries.reserve(records.size());
  for (const record* r : records) entries.push_back(to_entry(*r));
  auto report = s.ingest(entries, views);
  if (!report) return report.error();
  items.resize(inputs);
  for (std::size_t i = 0; i < records.size(); ++i) {
    items[index[i]].stored = std::move(report->outcomes[i]);
  }
  ingest_result out;
  out.items = std::move(items);
  out.appended.reserve(report->appended.size());
  // Records of this call are reused; pending ones from earlier calls are parsed again from the
  // store's bytes without the signature check (they were verified before they were held).
  std::unordered_map<crypto::digest, const record*> by_id;
  by_id.reserve(records.size());
  for (const record* r : records) by_id.emplace(r->id, r);
  for (const auto& e : report->appended) {
    if (auto it = by_id.find(e.id); it != by_id.end()) {
      out.appended.push_back(*it->second);
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
  auto parsed = verify(raw);
  std::vector<ingest_item> items(raw.size());
  std::vector<const record*> good;
  std::vector<std::size_t> index;
  good.reserve(raw.size());
  index.reserve(raw.size());
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    if (parsed[i].ok()) {
      good.push_back(&parsed[i].value());
      index.push_back(i);
    } else {
      items[i].rejected = parsed[i].error();
      items[i].stored = {store::outcome::dropped, parsed[i].error().message};
    }
  }
  return commit(store_, std::move(good), index, raw.size(), views, std::move(items));
}

result<ingest_result> ingestor::ingest_records(std::span<const record> records,
                                               std::span<const store::view_change> views) {
  std::vector<const record*> all;
  std::vector<std::size_t> index;
  all.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    all.push_back(&records[i]);
    index.push_back(i);
  }
  return commit(store_, std::move(all), index, records.size(), views, {});
}

}  // namespace zwerm::node
