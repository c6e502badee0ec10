// Records: parse + validate + verify rate against raw Ed25519 verification (the baseline).
//
// The corpus: 1024 distinct records of exactly 300-byte payloads, each by its own key, made by
// the real writer. The baseline is crypto::verify (= crypto_sign_verify_detached) over the
// same payloads, signatures and keys. Benchmarks:
//   BM_raw_verify                 baseline rate
//   BM_parse_validate_verify      parse_record(): size, scan, field rules, BLAKE2b id, verify
//   BM_parse_validate_no_verify   the same without the signature (the scanner's own cost)
//   BM_ratio_interleaved          both measured in alternating batches in one loop, so that
//                                 machine noise hits both alike, timed in thread CPU time;
//                                 counter `ratio` = parse rate / verify rate. With
//                                 --benchmark_repetitions=5 the `_median` row carries the
//                                 median ratio. Goal: >= 0.9.
#include <benchmark/benchmark.h>

#include <time.h>

#include <cstdio>
#include <string>
#include <vector>

#include "crypto/hash.hpp"
#include "crypto/sign.hpp"
#include "crypto/sodium.hpp"
#include "node/records/record_parse.hpp"
#include "node/records/record_writer.hpp"

namespace {

using namespace zwerm;

constexpr std::size_t corpus_size = 1024;
constexpr std::size_t payload_size = 300;

struct corpus {
  std::vector<std::string> records;
  std::vector<std::string_view> payloads;
  std::vector<crypto::signature> signatures;
  std::vector<crypto::public_key> keys;
};

// A contribution record whose body text is padded so the payload is exactly 300 bytes.
node::record make_record(std::size_t i) {
  crypto::seed seed{};
  for (std::size_t b = 0; b < seed.size(); ++b)
    seed.bytes[b] = static_cast<std::uint8_t>(i * 31 + b);
  seed.bytes[0] = static_cast<std::uint8_t>(i);
  seed.bytes[1] = static_cast<std::uint8_t>(i >> 8);
  crypto::key_pair key = crypto::key_pair_from_seed(seed);
  node::record_fields f;
  f.community = community_of_genesis(crypto::record_id_of("bench community"));
  f.seq = 2 + i % 500;
  f.prev = crypto::record_id_of("prev " + std::to_string(i));
  f.lamport = 1000 + i;
  f.ts = 1764240000000 + static_cast<std::int64_t>(i) * 1000;
  f.type = "contribution";
  std::string head = R"({"kind":"help","title":"Tip )" + std::to_string(i) + R"(","body":")";
  std::string tail = R"("})";
  for (std::size_t pad = 0;; ++pad) {
    f.body = head + std::string(pad, 'x') + tail;
    auto r = node::write_record(f, key);
    if (!r.ok()) {
      std::fprintf(stderr, "writer refused the bench record: %s\n", r.error().message().c_str());
      std::abort();
    }
    if (r->payload().size() == payload_size) return std::move(r).value();
    if (r->payload().size() > payload_size) break;
  }
  std::fprintf(stderr, "cannot pad a bench record to %zu bytes\n", payload_size);
  std::abort();
}

const corpus& the_corpus() {
  static const corpus c = [] {
    crypto::init();
    corpus out;
    for (std::size_t i = 0; i < corpus_size; ++i) {
      node::record r = make_record(i);
      out.records.push_back(r.bytes);
      out.keys.push_back(r.author);
    }
    for (const std::string& bytes : out.records) {
      std::string_view payload =
          std::string_view(bytes).substr(0, bytes.size() - node::signature_size);
      crypto::signature sig;
      (void)crypto::signature::from(std::string_view(bytes).substr(payload.size()), &sig);
      out.payloads.push_back(payload);
      out.signatures.push_back(sig);
    }
    return out;
  }();
  return c;
}

void BM_raw_verify(benchmark::State& state) {
  const corpus& c = the_corpus();
  std::size_t i = 0;
  for (auto _ : state) {
    bool ok = crypto::verify(c.signatures[i], c.payloads[i], c.keys[i]);
    if (!ok) state.SkipWithError("a corpus signature did not verify");
    benchmark::DoNotOptimize(ok);
    i = (i + 1) % corpus_size;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * payload_size));
}
BENCHMARK(BM_raw_verify);

void parse_loop(benchmark::State& state, node::signature_check check) {
  const corpus& c = the_corpus();
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = node::parse_record(c.records[i], check);
    if (!r.ok()) state.SkipWithError(r.error().message.c_str());
    benchmark::DoNotOptimize(r);
    i = (i + 1) % corpus_size;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * payload_size));
}

void BM_parse_validate_verify(benchmark::State& state) {
  parse_loop(state, node::signature_check::verify);
}
BENCHMARK(BM_parse_validate_verify);

void BM_parse_validate_no_verify(benchmark::State& state) {
  parse_loop(state, node::signature_check::skip);
}
BENCHMARK(BM_parse_validate_no_verify);

// CPU time of this thread: on a shared machine, time spent descheduled would otherwise land on
// whichever side happened to be running.
std::int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void BM_ratio_interleaved(benchmark::State& state) {
  constexpr std::size_t batch = 64;
  const corpus& c = the_corpus();
  std::int64_t parse_time = 0, verify_time = 0;  // thread CPU nanoseconds
  std::size_t next = 0, done = 0;
  bool parse_first = true;
  for (auto _ : state) {
    auto run_parse = [&] {
      std::int64_t t0 = thread_cpu_ns();
      for (std::size_t k = 0; k < batch; ++k) {
        auto r = node::parse_record(c.records[(next + k) % corpus_size]);
        if (!r.ok()) state.SkipWithError(r.error().message.c_str());
        benchmark::DoNotOptimize(r);
      }
      parse_time += thread_cpu_ns() - t0;
    };
    auto run_verify = [&] {
      std::int64_t t0 = thread_cpu_ns();
      for (std::size_t k = 0; k < batch; ++k) {
        std::size_t j = (next + k) % corpus_size;
        bool ok = crypto::verify(c.signatures[j], c.payloads[j], c.keys[j]);
        if (!ok) state.SkipWithError("a corpus signature did not verify");
        benchmark::DoNotOptimize(ok);
      }
      verify_time += thread_cpu_ns() - t0;
    };
    // Alternate the order so neither side always runs with warm caches.
    if (parse_first) {
      run_parse();
      run_verify();
    } else {
      run_verify();
      run_parse();
    }
    parse_first = !parse_first;
    next = (next + batch) % corpus_size;
    done += batch;
  }
  double parse_s = static_cast<double>(parse_time) * 1e-9;
  double verify_s = static_cast<double>(verify_time) * 1e-9;
  state.counters["parse_per_s"] = benchmark::Counter(static_cast<double>(done) / parse_s);
  state.counters["verify_per_s"] = benchmark::Counter(static_cast<double>(done) / verify_s);
  state.counters["ratio"] = benchmark::Counter(verify_s / parse_s);  // parse rate / verify rate
  state.counters["parse_us"] = benchmark::Counter(parse_s * 1e6 / static_cast<double>(done));
  state.counters["verify_us"] = benchmark::Counter(verify_s * 1e6 / static_cast<double>(done));
}
BENCHMARK(BM_ratio_interleaved)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
