// bench_crypto: transport cryptography against raw libsodium in the same run
// (docs/PERFORMANCE.md, "Transport").
//
//   handshake        a full SHS v1 handshake in memory: client and server objects with fresh
//                    ephemeral keys, all four messages, both sides' session keys
//   raw_verify       one crypto_sign_verify_detached over a 96-byte message (baseline)
//   box_stream       64 KiB sealed into box-stream frames and opened again
//   raw_secretbox    the same 64 KiB in 4096-byte pieces through crypto_secretbox_easy and
//                    crypto_secretbox_open_easy (baseline: the same boxes without the framing)
//   raw_secretbox_seal_only   the same pieces through crypto_secretbox_easy alone
//
// After the runs it prints the ratios of the medians (or of the single runs without
// --benchmark_repetitions).
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "crypto/box_stream.hpp"
#include "crypto/hash.hpp"
#include "crypto/shs.hpp"
#include "crypto/sodium.hpp"

namespace {

using namespace zwerm::crypto;

constexpr std::size_t payload_size = 64 * 1024;

void BM_handshake(benchmark::State& state) {
  network_key n = random_fixed<network_key>();
  key_pair a = generate_key_pair(), b = generate_key_pair();
  std::vector<network_key> networks{n};
  for (auto _ : state) {
    shs_client c(n, a, b.pk);
    shs_server s(networks, b);
    bool ok = s.read_client_hello(c.hello()) && c.read_server_hello(s.hello()) &&
              s.read_client_auth(c.auth()) && c.read_server_accept(s.accept());
    if (!ok) state.SkipWithError("handshake refused");
    auto ck = c.session_keys();
    auto sk = s.session_keys();
    benchmark::DoNotOptimize(ck);
    benchmark::DoNotOptimize(sk);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_handshake);

void BM_raw_verify(benchmark::State& state) {
  key_pair kp = generate_key_pair();
  std::string msg(96, '\0');
  random_bytes(msg.data(), msg.size());
  signature sig = sign(msg, kp.sk);
  for (auto _ : state) {
    int rc = crypto_sign_verify_detached(
        sig.data(), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), kp.pk.data());
    if (rc != 0) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(rc);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_raw_verify);

void BM_box_stream(benchmark::State& state) {
  box_key key = random_fixed<box_key>();
  box_nonce nonce = random_fixed<box_nonce>();
  box_stream_sealer sealer(key, nonce);
  box_stream_opener opener(key, nonce);
  std::string payload(payload_size, '\0');
  random_bytes(payload.data(), payload.size());
  std::string wire, out;
  wire.reserve(payload_size + 32 * box_header_size);
  out.reserve(payload_size);
  for (auto _ : state) {
    wire.clear();
    out.clear();
    sealer.seal(payload, wire);
    std::string_view w = wire;
    while (!w.empty()) {
      std::size_t len = 0;
      if (opener.open_header(w.substr(0, box_header_size), &len) !=
          box_stream_opener::header_result::body) {
        state.SkipWithError("header refused");
        return;
      }
      w.remove_prefix(box_header_size);
      if (!opener.open_body(w.substr(0, len), out)) {
        state.SkipWithError("body refused");
        return;
      }
      w.remove_prefix(len);
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * payload_size);
}
BENCHMARK(BM_box_stream);

void raw_secretbox(benchmark::State& state, bool open_too) {
  box_key key = random_fixed<box_key>();
  box_nonce nonce = random_fixed<box_nonce>();
  std::string payload(payload_size, '\0');
  random_bytes(payload.data(), payload.size());
  std::vector<unsigned char> boxed(box_max_body + crypto_secretbox_MACBYTES), plain(box_max_body);
  const auto* p = reinterpret_cast<const unsigned char*>(payload.data());
  for (auto _ : state) {
    for (std::size_t at = 0; at < payload_size; at += box_max_body) {
      if (crypto_secretbox_easy(boxed.data(), p + at, box_max_body, nonce.data(), key.data()) !=
          0) {
        state.SkipWithError("secretbox failed");
      }
      if (open_too && crypto_secretbox_open_easy(plain.data(), boxed.data(), boxed.size(),
                                                 nonce.data(), key.data()) != 0) {
        state.SkipWithError("open failed");
      }
      benchmark::DoNotOptimize(plain.data());
      benchmark::DoNotOptimize(boxed.data());
    }
  }
  state.SetBytesProcessed(state.iterations() * payload_size);
}
void BM_raw_secretbox(benchmark::State& state) {
  raw_secretbox(state, true);
}
void BM_raw_secretbox_seal_only(benchmark::State& state) {
  raw_secretbox(state, false);
}
BENCHMARK(BM_raw_secretbox);
BENCHMARK(BM_raw_secretbox_seal_only);

// Prints the usual console output, then the ratios of the medians.
class ratio_reporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      if (r.run_type == Run::RT_Aggregate && r.aggregate_name != "median") continue;
      std::string name = r.run_name.function_name;
      bool median = r.run_type == Run::RT_Aggregate;
      if (has_median_[name] && !median) continue;
      for (const char* c : {"items_per_second", "bytes_per_second"}) {
        auto it = r.counters.find(c);
        if (it != r.counters.end()) rate_[name] = it->second.value;
      }
      if (median) has_median_[name] = true;
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    ratio("handshakes/s ÷ raw verifies/s", "BM_handshake", "BM_raw_verify");
    ratio("box-stream seal+open ÷ raw secretbox seal+open", "BM_box_stream", "BM_raw_secretbox");
    ratio("box-stream seal+open ÷ raw secretbox seal only", "BM_box_stream",
          "BM_raw_secretbox_seal_only");
  }

 private:
  void ratio(const char* what, const std::string& num, const std::string& den) {
    if (!rate_.count(num) || !rate_.count(den) || rate_[den] == 0) return;
    std::printf("ratio %-50s %.3f  (%.1f vs %.1f per second%s)\n", what, rate_[num] / rate_[den],
                rate_[num], rate_[den], has_median_[num] ? ", medians" : "");
  }
  std::map<std::string, double> rate_;
  std::map<std::string, bool> has_median_;
};

}  // namespace

int main(int argc, char** argv) {
  init();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  ratio_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
