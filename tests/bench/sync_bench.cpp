// Sync: catch-up of 100,000 records through the sync engine, against raw signature
// verification of the same records in the same run (docs/PERFORMANCE.md, "Sync").
//
// Two engines are wired back to back by in-memory queues (no sockets): node A holds 100 feeds
// of 1,000 records (payload 300 bytes, record 364 bytes), node B starts empty and catches up
// by the protocol of PROTOCOL.md §5 (hello, buckets, heads, want, records/ack with the
// 512 KiB window). B parses, verifies and ingests every record.
//
//   BM_catch_up_memory  B's replica is memory_replica. Timed in thread CPU time, each
//                       iteration also times crypto::verify over the same 100,000 records
//                       (the baseline); counters: rate (records/s), verify_rate, ratio =
//                       rate / verify_rate, wire_ratio = wire bytes both ways (framing as
//                       net/ puts it on the wire, sealed per message) / record bytes.
//   BM_catch_up_store   B's replica is store_replica over a fresh LevelDB store in a temp
//                       dir (one synced WriteBatch per records message); verify_threads:1
//                       verifies inline, verify_threads:2 on node::ingestor's pool. Wall time,
//                       because LevelDB and fsync work outside the calling thread; the baseline is
//                       timed in wall time too. cpu_ratio: the same ratio in process CPU
//                       time (LevelDB's threads included), free of disk and scheduler waits.
// Reproduce: build-dir/tests/bench/bench_sync --benchmark_repetitions=3
//            (the _median rows carry the figures).
#include <benchmark/benchmark.h>

#include <time.h>

#include <chrono>
#include <deque>
#include <functional>
#include <optional>

#include "crypto/sodium.hpp"
#include "node/daemon/store_replica.hpp"
#include "node/ingest/ingest.hpp"
#include "node/records/record_parse.hpp"
#include "node/sync/engine.hpp"
#include "node/sync/memory_replica.hpp"
#include "tests/node/sync/sim.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace zwerm;
namespace sync = node::sync;

constexpr std::size_t feeds = 100;
constexpr std::size_t per_feed = 1000;
constexpr std::size_t record_size = 364;  // 300-byte payload + 64-byte signature

struct corpus {
  sim::community_maker c = sim::community_maker::make();
  std::vector<std::string> records;
  std::vector<crypto::public_key> authors;
  std::size_t bytes = 0;
  corpus() {
    records.push_back(c.genesis.bytes);
    authors.push_back(c.founder.pk);
    for (std::size_t i = 0; i < feeds; ++i) {
      auto k = crypto::generate_key_pair();
      auto f = c.feed(per_feed, record_size, k);
      for (auto& r : f) {
        records.push_back(std::move(r));
        authors.push_back(k.pk);
      }
    }
    for (const auto& r : records) bytes += r.size();
  }
};

const corpus& the_corpus() {
  static corpus c;
  return c;
}

double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double process_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Raw Ed25519 verification of every record (payload ‖ signature split by hand).
void verify_all(const corpus& c) {
  for (std::size_t i = 0; i < c.records.size(); ++i) {
    std::string_view r = c.records[i];
    crypto::signature sig;
    (void)crypto::signature::from(r.substr(r.size() - 64), &sig);
    if (!crypto::verify(sig, r.substr(0, r.size() - 64), c.authors[i])) std::abort();
  }
}

struct queue_sink final : sync::message_sink {
  std::deque<std::string> out;
  std::uint64_t wire = 0;
  void send(std::string m) override {
    wire += sim::wire_bytes(m.size());
    out.push_back(std::move(m));
  }
};

// Runs the protocol between a (holding everything) and b (empty) to the end.
std::uint64_t catch_up(sync::replica& a, sync::replica& b) {
  sync::engine_callbacks cbs;
  cbs.on_misbehaviour = [](sync::session_id, const crypto::public_key&,
                           const sync::misbehaviour& m) {
    std::fprintf(stderr, "misbehaviour: %s\n", m.reason.c_str());
    std::abort();
  };
  cbs.on_local_error = [](sync::session_id, const status& st) {
    std::fprintf(stderr, "local error: %s\n", st.message().c_str());
    std::abort();
  };
  sync::engine ea(a, {}, cbs), eb(b, {}, cbs);
  queue_sink qa, qb;
  auto ia = ea.attach(crypto::generate_key_pair().pk, false, qa);
  auto ib = eb.attach(crypto::generate_key_pair().pk, true, qb);
  while (!qa.out.empty() || !qb.out.empty()) {
    while (!qa.out.empty()) {
      auto m = std::move(qa.out.front());
      qa.out.pop_front();
      eb.on_message(ib, m);
    }
    while (!qb.out.empty()) {
      auto m = std::move(qb.out.front());
      qb.out.pop_front();
      ea.on_message(ia, m);
    }
  }
  return qa.wire + qb.wire;
}

void report(benchmark::State& state, const corpus& c, double run_s, double verify_s,
            std::uint64_t wire) {
  const double n = static_cast<double>(c.records.size());
  state.counters["rate"] = n / run_s;
  state.counters["verify_rate"] = n / verify_s;
  state.counters["ratio"] = verify_s / run_s;
  state.counters["wire_ratio"] = static_cast<double>(wire) / static_cast<double>(c.bytes);
  state.counters["record_bytes"] = static_cast<double>(c.bytes) / n;
}

void BM_catch_up_memory(benchmark::State& state) {
  const auto& c = the_corpus();
  sync::memory_replica a(c.c.genesis.community);
  if (!a.ingest(c.records).ok()) std::abort();
  for (auto _ : state) {
    double t0 = thread_seconds();
    verify_all(c);
    double t1 = thread_seconds();
    sync::memory_replica b(c.c.genesis.community);
    auto wire = catch_up(a, b);
    double t2 = thread_seconds();
    if (b.record_count() != c.records.size()) std::abort();
    state.SetIterationTime(t2 - t1);
    report(state, c, t2 - t1, t1 - t0, wire);
  }
}
BENCHMARK(BM_catch_up_memory)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

void BM_catch_up_store(benchmark::State& state) {
  const auto& c = the_corpus();
  const auto threads = static_cast<std::size_t>(state.range(0));
  sync::memory_replica a(c.c.genesis.community);
  if (!a.ingest(c.records).ok()) std::abort();
  for (auto _ : state) {
    testing::temp_dir dir("zwerm-bench-sync");
    auto s = store::store::open(dir / "db");
    if (!s) std::abort();
    std::optional<node::ingestor> pool;
    if (threads > 1) pool.emplace(**s, node::ingest_options{.verify_threads = threads});
    sync::store_replica b(**s, c.c.genesis.community, pool ? &*pool : nullptr);
    double c0 = process_seconds();
    double t0 = wall_seconds();
    verify_all(c);
    double t1 = wall_seconds();
    double c1 = process_seconds();
    auto wire = catch_up(a, b);
    double t2 = wall_seconds();
    double c2 = process_seconds();
    if (*b.frontier_digest() != *a.frontier_digest()) std::abort();
    state.SetIterationTime(t2 - t1);
    report(state, c, t2 - t1, t1 - t0, wire);
    // CPU of the whole process (LevelDB's background thread included) per CPU of the baseline:
    // what the catch-up costs in work, free of waits for the disk and for other processes.
    state.counters["cpu_ratio"] = (c1 - c0) / (c2 - c1);
  }
}
BENCHMARK(BM_catch_up_store)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("verify_threads")
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  crypto::init();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
