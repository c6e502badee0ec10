// Store benchmarks (docs/PERFORMANCE.md, "Store: durable ingest, open, frontier digest").
//
//   BM_durable_ingest/threads:N/mode:M   100,000 signed records (100 feeds × 1,000, 300-byte
//       payloads, round-robin across feeds) ingested from raw bytes (parse, validate, verify,
//       store, index) with N verify threads into a fresh store, batches of 1,000, each one
//       synced WriteBatch. M=0 node::ingestor (all on the calling thread after the
//       verification), M=1 node::ingest_pipeline (commits on its writer thread, overlapping
//       the next batch's verification on the calling thread and the pool), M=2
//       node::ingest_queue, what zwermd's sync uses (N verify threads take chunks of the queued
//       batches continuously, a writer thread commits each batch as it is verified;
//       max_commit_records = 1,000 so each commit is still one batch). Interleaved with it, the
//       baseline: crypto::verify (crypto_sign_verify_detached) over the same payloads on one
//       core. Counter `ratio` = ingest rate / raw verify rate. Goals: >= 0.9 with 1 verify
//       thread, >= 1.6 with 2.
//   BM_open_million   open a store of 1,000,000 records (10,000 feeds × 100, 300-byte
//       payloads, built once in a temp dir) and answer its frontier digest. Goal: < 1 s.
//       Counter `first_open_ms`: the first open after building (it also flushes the log).
//   BM_frontier_digest_10k   after ingesting one record into that community of 10,000 feeds,
//       the frontier digest (from the 256 stored bucket digests). Baseline in the same
//       iteration: the digest computed by scanning all 10,000 heads. Goal: < 1 ms.
//
// Run: build-dir/bench_store --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "crypto/sign.hpp"
#include "node/ingest/ingest.hpp"
#include "node/ingest/ingest_queue.hpp"
#include "node/records/record_parse.hpp"
#include "store/frontier.hpp"
#include "store/store.hpp"
#include "tests/bench/bench_util.hpp"
#include "tests/node/signed_feeds.hpp"
#include "tests/store/synthetic.hpp"

namespace {

using namespace zwerm;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t ingest_records = 100'000;
constexpr std::size_t ingest_batch = 1'000;

class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "zwerm-bench-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) std::abort();
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_store: %s\n", what.c_str());
  std::abort();
}

double seconds(clock_type::duration d) {
  return std::chrono::duration<double>(d).count();
}

struct ingest_corpus {
  std::vector<std::string> raw;
  std::vector<std::string_view> payloads;
  std::vector<crypto::signature> signatures;
  std::vector<crypto::public_key> keys;
};

const ingest_corpus& corpus() {
  static const ingest_corpus c = [] {
    ingest_corpus out;
    auto records = node::test::signed_feeds(
        community_of_genesis(crypto::record_id_of("bench store")), 100, ingest_records / 100, 300);
    for (auto& r : records) {
      if (r.payload().size() != 300) die("a corpus payload is not 300 bytes");
      out.raw.push_back(r.bytes);
      out.keys.push_back(r.author);
    }
    for (const auto& bytes : out.raw) {
      auto payload = std::string_view(bytes).substr(0, bytes.size() - 64);
      crypto::signature sig;
      crypto::signature::from(std::string_view(bytes).substr(payload.size()), &sig);
      out.payloads.push_back(payload);
      out.signatures.push_back(sig);
    }
    return out;
  }();
  return c;
}

using bench::cpu_seconds;

// A job of node::ingest_queue that stores every record that verified and counts what the
// store appended.
class bench_job : public node::ingest_job {
 public:
  bench_job(std::vector<std::string> raw, std::atomic<std::size_t>* appended)
      : ingest_job(std::move(raw)), appended_(appended) {}
  status prepare(std::vector<node::record_result<node::record>> verified,
                 node::commit_batch& batch) override {
    for (auto& v : verified) {
      if (!v) die(v.error().message);
      batch.add(node::to_entry(*v), std::nullopt);
    }
    return {};
  }
  void committed(const status& st, std::span<const store::record_outcome>,
                 std::vector<store::record_entry> appended) override {
    if (!st.ok()) die(st.message());
    *appended_ += appended.size();
  }

 private:
  std::atomic<std::size_t>* appended_;
};

// The baseline and the ingest alternate chunk by chunk (and which goes first alternates too),
// so that other work on a shared machine slows both alike. mode 0: node::ingestor, each batch
// verified then committed on the calling thread; chunk = one batch. mode 1:
// node::ingest_pipeline, verification on the calling thread (+ pool) while the pipeline's
// writer thread commits the previous batch; mode 2: node::ingest_queue, the calling thread
// only submits. Modes 1 and 2: chunk = 25 batches, drained at the chunk's end.
void BM_durable_ingest(benchmark::State& state) {
  const auto& c = corpus();
  const auto threads = static_cast<std::size_t>(state.range(0));
  const int mode = static_cast<int>(state.range(1));
  const std::size_t chunk = mode != 0 ? 25 * ingest_batch : ingest_batch;
  double verify_s = 0, ingest_s = 0, verify_cpu = 0, ingest_cpu = 0, window_cpu = 0;
  for (auto _ : state) {
    temp_dir dir;
    const double process0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
    double verify_thread_cpu = 0;
    auto s = store::store::open(dir.path() / "db");
    if (!s) die(s.error().message());
    std::atomic<std::size_t> appended{0};
    node::ingestor in(**s, {threads});
    std::unique_ptr<node::ingest_pipeline> pipe;
    std::unique_ptr<node::ingest_queue> queue;
    if (mode == 2) {
      queue = std::make_unique<node::ingest_queue>(
          **s, node::ingest_queue_options{.verify_threads = threads,
                                          .max_commit_records = ingest_batch});
    }
    if (mode == 1) {
      pipe = std::make_unique<node::ingest_pipeline>(
          **s, node::ingest_options{threads}, [&](std::uint64_t, result<node::ingest_result> r) {
            if (!r) die(r.error().message());
            appended += r->appended.size();
          });
    }
    double iteration_s = 0;
    for (std::size_t i = 0; i < c.raw.size(); i += chunk) {
      auto verify = [&] {
        const double cpu0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
        const auto t0 = clock_type::now();
        for (std::size_t k = i; k < i + chunk; ++k) {
          if (!crypto::verify(c.signatures[k], c.payloads[k], c.keys[k])) die("a bad signature");
        }
        verify_s += seconds(clock_type::now() - t0);
        verify_thread_cpu += cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
      };
      auto ingest = [&] {
        const double cpu0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
        const auto t0 = clock_type::now();
        for (std::size_t b = i; b < i + chunk; b += ingest_batch) {
          auto raw = std::span(c.raw).subspan(b, ingest_batch);
          if (queue) {
            queue->submit(std::make_unique<bench_job>(
                std::vector<std::string>(raw.begin(), raw.end()), &appended));
          } else if (pipe) {
            pipe->submit(raw);
          } else {
            auto r = in.ingest_bytes(raw);
            if (!r) die(r.error().message());
            appended += r->appended.size();
          }
        }
        if (pipe) pipe->drain();
        if (queue) queue->drain();
        const double dt = seconds(clock_type::now() - t0);
        window_cpu += cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
        ingest_s += dt;
        iteration_s += dt;
      };
      if ((i / chunk) % 2 == 0) {
        verify();
        ingest();
      } else {
        ingest();
        verify();
      }
    }
    pipe.reset();
    queue.reset();
    s->reset();  // closing waits for a running compaction: its CPU belongs to the ingest
    verify_cpu += verify_thread_cpu;
    ingest_cpu += cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - process0 - verify_thread_cpu;
    if (appended != c.raw.size()) die("not every record was appended");
    state.SetIterationTime(iteration_s);
  }
  const double n = static_cast<double>(c.raw.size() * state.iterations());
  state.counters["verify_per_s"] = n / verify_s;
  state.counters["ingest_per_s"] = n / ingest_s;
  state.counters["ratio"] = verify_s / ingest_s;
  // CPU per record: the baseline's thread, and everything else the process spent in the
  // iteration (every ingest thread, LevelDB's flushes and compactions, the store's close).
  state.counters["verify_cpu_us"] = verify_cpu * 1e6 / n;
  state.counters["ingest_cpu_us"] = ingest_cpu * 1e6 / n;
  state.counters["cpu_ratio"] = verify_cpu / ingest_cpu;
  // Cores kept busy while the ingest ran (process CPU during the ingest's wall time ÷ that
  // time): what the threads left idle, waiting on each other or on the disk.
  state.counters["cores_used"] = window_cpu / ingest_s;
}
BENCHMARK(BM_durable_ingest)
    ->ArgNames({"threads", "mode"})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Args({1, 2})
    ->Args({2, 0})
    ->Args({2, 1})
    ->Args({2, 2})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// Where the CPU of durable ingest goes, one thread, batches of 1,000 (no baseline ratio: a
// diagnostic for docs/PERFORMANCE.md's breakdown). Per record: `parse_us` = parse + validate
// (node::parse_record without the signature check), `verify_us` = crypto::verify alone,
// `commit_us` = store::ingest on the calling thread (WriteBatch building, log write, sync,
// memtable), `background_us` = the rest of the process (LevelDB's flushes and compactions and
// the close that waits for them).
void BM_ingest_breakdown(benchmark::State& state) {
  const auto& c = corpus();
  double parse = 0, verify = 0, commit = 0, total = 0;
  for (auto _ : state) {
    temp_dir dir;
    const double p0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
    auto s = store::store::open(dir.path() / "db");
    if (!s) die(s.error().message());
    for (std::size_t i = 0; i < c.raw.size(); i += ingest_batch) {
      double t = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
      for (std::size_t k = i; k < i + ingest_batch; ++k) {
        if (!crypto::verify(c.signatures[k], c.payloads[k], c.keys[k])) die("a bad signature");
      }
      double t2 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
      verify += t2 - t;
      std::vector<store::record_entry> entries;
      entries.reserve(ingest_batch);
      for (std::size_t k = i; k < i + ingest_batch; ++k) {
        auto r = node::parse_record(c.raw[k], node::signature_check::skip);
        if (!r) die(r.error().message);
        entries.push_back(node::to_entry(*r));
      }
      double t3 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
      parse += t3 - t2;
      auto rep = (*s)->ingest(entries, {}, store::ingest_flags{.ids_checked = true});
      if (!rep) die(rep.error().message());
      commit += cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - t3;
    }
    s->reset();
    total += cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - p0;
    state.SetIterationTime(1);
  }
  const double n = static_cast<double>(c.raw.size() * state.iterations());
  state.counters["verify_us"] = verify * 1e6 / n;
  state.counters["parse_us"] = parse * 1e6 / n;
  state.counters["commit_us"] = commit * 1e6 / n;
  state.counters["background_us"] = (total - verify - parse - commit) * 1e6 / n;
}
BENCHMARK(BM_ingest_breakdown)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

// The store's own CPU per record as the log grows: synthetic entries (store/testing's
// make_entry: real ids, no signatures, which the store never checks), 100 feeds written
// round-robin, batches of 1,000, `ids_checked` as node::ingestor passes it. `commit_us` = the
// calling thread in store::ingest; `background_us` = LevelDB's flushes and compactions (the
// rest of the process, the close included). At 100,000 records this is the store part of
// BM_durable_ingest; at 1,000,000 it shows the cost once compactions reach deeper levels.
void BM_store_cpu(benchmark::State& state) {
  const auto total = static_cast<std::size_t>(state.range(0));
  constexpr std::size_t feeds = 100;
  const auto community = store::testing::community_named("bench store cpu");
  std::vector<crypto::public_key> authors;
  for (std::size_t f = 0; f < feeds; ++f) {
    authors.push_back(store::testing::author_named("author " + std::to_string(f)));
  }
  double commit = 0, all = 0;
  for (auto _ : state) {
    temp_dir dir;
    std::vector<std::optional<record_id>> prev(feeds);
    std::uint64_t lamport = 0;
    double making = 0;
    const double p0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
    auto s = store::store::open(dir.path() / "db");
    if (!s) die(s.error().message());
    for (std::size_t i = 0; i < total; i += ingest_batch) {
      double t = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
      std::vector<store::record_entry> batch;
      batch.reserve(ingest_batch);
      for (std::size_t k = i; k < i + ingest_batch; ++k) {
        const std::size_t f = k % feeds;
        batch.push_back(store::testing::make_entry(community, authors[f], k / feeds + 1, prev[f],
                                                   ++lamport, {}, 300));
        prev[f] = batch.back().id;
      }
      const double t2 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
      making += t2 - t;
      auto rep = (*s)->ingest(batch, {}, store::ingest_flags{.ids_checked = true});
      if (!rep) die(rep.error().message());
      if (rep->appended.size() != ingest_batch) die("not every record was appended");
      commit += cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - t2;
    }
    s->reset();
    all += cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - p0 - making;
    state.SetIterationTime(1);
  }
  const double n = static_cast<double>(total * state.iterations());
  state.counters["commit_us"] = commit * 1e6 / n;
  state.counters["background_us"] = (all - commit) * 1e6 / n;
}
BENCHMARK(BM_store_cpu)
    ->ArgName("records")
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// The store of a million records, built once per process.
constexpr std::size_t million_feeds = 10'000;
constexpr std::size_t million_per_feed = 100;

struct million_store {
  temp_dir dir;
  std::filesystem::path db() const { return dir.path() / "db"; }
  community_id community = store::testing::community_named("million");
  std::vector<store::testing::feed_writer> writers;
  double build_s = 0, first_open_ms = 0;
};

million_store& million() {
  static million_store m = [] {
    million_store out;
    for (std::size_t f = 0; f < million_feeds; ++f) {
      out.writers.emplace_back(out.community,
                               store::testing::author_named("member" + std::to_string(f)));
    }
    const auto t0 = clock_type::now();
    {
      auto s = store::store::open(out.db());
      if (!s) die(s.error().message());
      std::vector<store::record_entry> batch;
      for (std::size_t seq = 0; seq < million_per_feed; ++seq) {
        batch.clear();
        for (auto& w : out.writers) batch.push_back(w.next());
        auto r = (*s)->ingest(batch);
        if (!r || r->appended.size() != batch.size()) die("building the million store failed");
      }
    }
    out.build_s = seconds(clock_type::now() - t0);
    const auto t1 = clock_type::now();
    {
      auto s = store::store::open(out.db());
      if (!s) die(s.error().message());
      auto d = (*s)->frontier_digest(out.community);
      if (!d) die(d.error().message());
    }
    out.first_open_ms = seconds(clock_type::now() - t1) * 1e3;
    return out;
  }();
  return m;
}

void BM_open_million(benchmark::State& state) {
  auto& m = million();
  std::uint64_t records = 0;
  for (auto _ : state) {
    const auto t0 = clock_type::now();
    auto s = store::store::open(m.db());
    if (!s) die(s.error().message());
    auto d = (*s)->frontier_digest(m.community);
    if (!d) die(d.error().message());
    benchmark::DoNotOptimize(*d);
    state.SetIterationTime(seconds(clock_type::now() - t0));
    state.PauseTiming();
    records = (*(*s)->communities())[0].records;
    s->reset();  // closing is not part of the figure
    state.ResumeTiming();
  }
  if (records < million_feeds * million_per_feed) die("the million store lost records");
  state.counters["records"] = static_cast<double>(records);
  state.counters["first_open_ms"] = m.first_open_ms;
  state.counters["build_s"] = m.build_s;
}
BENCHMARK(BM_open_million)->Iterations(5)->UseManualTime()->Unit(benchmark::kMillisecond);

void BM_frontier_digest_10k(benchmark::State& state) {
  auto& m = million();
  auto s = store::store::open(m.db());
  if (!s) die(s.error().message());
  std::mt19937 rng(1);
  double digest_s = 0, scan_s = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto& w = m.writers[rng() % m.writers.size()];
    auto r = (*s)->ingest(std::vector{w.next("after")});
    if (!r || r->appended.size() != 1) die("the ingest before the digest failed");
    state.ResumeTiming();

    auto t0 = clock_type::now();
    auto d = (*s)->frontier_digest(m.community);
    const double dt = seconds(clock_type::now() - t0);
    if (!d) die(d.error().message());
    state.SetIterationTime(dt);

    // Baseline: the same digest from a scan of every head.
    state.PauseTiming();
    t0 = clock_type::now();
    auto heads = (*s)->frontier(m.community);
    if (!heads) die(heads.error().message());
    std::array<crypto::digest, 256> buckets{};
    for (const auto& h : *heads) store::xor_into(&buckets[h.author.bytes[0]], store::feed_hash(h));
    const auto scanned = store::frontier_digest_of(buckets);
    scan_s += seconds(clock_type::now() - t0);
    if (scanned != *d) die("the stored digest differs from the scanned one");
    digest_s += dt;
    state.ResumeTiming();
  }
  state.counters["digest_us"] = digest_s * 1e6 / static_cast<double>(state.iterations());
  state.counters["scan_us"] = scan_s * 1e6 / static_cast<double>(state.iterations());
  state.counters["scan_over_digest"] = scan_s / digest_s;
}
BENCHMARK(BM_frontier_digest_10k)->Iterations(200)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
