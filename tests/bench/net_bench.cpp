// bench_net: what the transport costs, each figure against a baseline from the same run.
//
//   throughput/plain_tcp     64 KiB writes over a loopback TCP socket, blocking, one thread
//                            per side (the baseline)
//   throughput/session       the same bytes as 64 KiB messages through a zwerm session
//                            (message layer + box-stream, SHS-established), one io_context
//                            thread per side
//   handshake/full           TCP connect + SHS (4 messages) + admission, until both sides
//                            report the session connected; then the session is closed
//   reference/verify         crypto::verify (crypto_sign_verify_detached) of a 300-byte message
//   reference/box_seal_open  box-stream sealing and opening of 64 KiB in memory on one thread:
//                            the crypto ceiling of one direction, without sockets
//
// Throughput and handshakes are reported per wall-clock second (how fast, given the machine's
// load) and per process CPU-second (cpu_* counters: what they cost, all threads, user and
// system). At the end the medians are printed as ratios: session / plain_tcp, session /
// box_seal_open (per CPU-second), handshakes / verifies.
// Run: bench_net --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "crypto/box_stream.hpp"
#include "crypto/sign.hpp"
#include "net/dialer.hpp"
#include "net/listener.hpp"
#include "tests/bench/bench_util.hpp"
#include "tests/net/io_thread.hpp"

namespace zwerm::net {
namespace {

using testing::io_thread;

constexpr std::size_t chunk = 64 * 1024;
constexpr std::size_t transfer = std::size_t{128} << 20;  // bytes per iteration

// Bytes per CPU second of the whole process (every thread, user and system): on a shared
// machine a rate per CPU-second says what the code costs whatever else runs, where a rate per
// wall-clock second also says how much of the machine we got.
void set_cpu_rate(benchmark::State& state, double cpu_seconds, std::size_t bytes) {
  state.counters["cpu_bytes_per_second"] =
      benchmark::Counter(static_cast<double>(bytes) / cpu_seconds);
}

// Counts received bytes and connected sessions; wakes the benchmark thread.
class counting_handler final : public session_handler {
 public:
  void on_connected(const session_ptr& s) override {
    std::lock_guard lock(m_);
    ++connected_;
    last_ = s;
    cv_.notify_all();
  }
  void on_message(const session_ptr&, std::string_view message) override {
    bytes_ += message.size();
    if (bytes_ >= target_) {
      std::lock_guard lock(m_);
      cv_.notify_all();
    }
  }
  void on_closed(const session_ptr&, const disconnect_info&) override {}

  void expect_bytes(std::size_t n) {
    std::lock_guard lock(m_);
    bytes_ = 0;
    target_ = n;
  }
  void wait_bytes() {
    std::unique_lock lock(m_);
    cv_.wait(lock, [&] { return bytes_ >= target_; });
  }
  void wait_connected(std::size_t n) {
    std::unique_lock lock(m_);
    cv_.wait(lock, [&] { return connected_ >= n; });
  }
  session_ptr last() {
    std::lock_guard lock(m_);
    return last_;
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::atomic<std::size_t> bytes_{0};
  std::size_t target_ = 0;
  std::size_t connected_ = 0;
  session_ptr last_;
};

class accept_all final : public authorizer {
 public:
  admission authorize(const crypto::network_key&, const crypto::public_key&) override {
    return admission::accept;
  }
  bool check_token(const crypto::network_key&, const crypto::public_key&,
                   std::string_view) override {
    return false;
  }
};

crypto::network_key bench_network() {
  crypto::network_key k;
  k.bytes.fill(0x5a);
  return k;
}

// A listener on one io thread and a dialer on another.
struct session_pair {
  io_thread server_io, client_io;
  crypto::key_pair server_keys = crypto::generate_key_pair();
  crypto::key_pair client_keys = crypto::generate_key_pair();
  counting_handler server_handler, client_handler;
  accept_all auth;
  std::shared_ptr<listener> server;
  std::optional<dialer> dial;
  std::uint16_t port = 0;

  session_pair() {
    listener_options o;
    o.max_inbound = 100000;
    o.max_inbound_per_address = 100000;
    auto r = asio::post(server_io.executor(), asio::use_future([&] {
                          return listener::start(
                              server_io.executor(),
                              tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), server_keys,
                              {bench_network()}, auth, server_handler, o);
                        }))
                 .get();
    if (!r.ok()) throw std::runtime_error(r.error().message());
    server = r.value();
    port = asio::post(server_io.executor(),
                      asio::use_future([&] { return server->local_endpoint().port(); }))
               .get();
    dial.emplace(client_io.executor(), client_keys, client_handler);
  }
  ~session_pair() {
    asio::post(client_io.executor(), asio::use_future([&] { dial->stop(); })).get();
    asio::post(server_io.executor(), asio::use_future([&] { server->stop(); })).get();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    asio::post(client_io.executor(), asio::use_future([&] { dial.reset(); })).get();
    asio::post(server_io.executor(), asio::use_future([&] { server.reset(); })).get();
  }

  static awaitable<std::optional<result<session_ptr>>> dial_once(dialer* d, dial_target t) {
    co_return co_await d->dial(std::move(t));
  }
  session_ptr connect() {
    dial_target t{"127.0.0.1", port, server_keys.pk, bench_network(), {}};
    auto r = asio::co_spawn(client_io.executor(), dial_once(&*dial, t), asio::use_future).get();
    if (!r->ok()) throw std::runtime_error(r->error().message());
    return r->value();
  }
};

static awaitable<void> send_all(session_ptr s, std::size_t total) {
  const std::string block(chunk, 'z');
  for (std::size_t sent = 0; sent < total; sent += chunk) {
    status st = co_await s->async_send(block);
    if (!st.ok()) throw std::runtime_error(st.message());
  }
}

void session_throughput(benchmark::State& state) {
  session_pair p;
  session_ptr s = p.connect();
  const double cpu0 = bench::cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
  for (auto _ : state) {
    p.server_handler.expect_bytes(transfer);
    auto done = asio::co_spawn(p.client_io.executor(), send_all(s, transfer), asio::use_future);
    p.server_handler.wait_bytes();
    done.get();
  }
  set_cpu_rate(state, bench::cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0,
               state.iterations() * transfer);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * transfer));
}

void plain_tcp_throughput(benchmark::State& state) {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket client(ioc);
  client.connect(acceptor.local_endpoint());
  tcp::socket server = acceptor.accept();
  client.set_option(tcp::no_delay(true));
  const std::string block(chunk, 'z');
  const double cpu0 = bench::cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
  for (auto _ : state) {
    std::thread reader([&] {
      std::vector<char> buf(chunk);
      std::size_t got = 0;
      while (got < transfer) got += server.read_some(asio::buffer(buf));
    });
    for (std::size_t sent = 0; sent < transfer; sent += chunk)
      asio::write(client, asio::buffer(block));
    reader.join();
  }
  set_cpu_rate(state, bench::cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0,
               state.iterations() * transfer);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * transfer));
}

void full_handshake(benchmark::State& state) {
  session_pair p;
  std::size_t n = 0;
  const double cpu0 = bench::cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
  for (auto _ : state) {
    session_ptr s = p.connect();
    p.server_handler.wait_connected(++n);  // both sides done
    asio::post(p.client_io.executor(), asio::use_future([s] { s->close(); })).get();
  }
  state.counters["cpu_items_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()) /
                         (bench::cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void verify_reference(benchmark::State& state) {
  const auto keys = crypto::generate_key_pair();
  const std::string message(300, 'r');
  const auto sig = crypto::sign(message, keys.sk);
  for (auto _ : state) {
    benchmark::DoNotOptimize(crypto::verify(sig, message, keys.pk));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void box_seal_open_reference(benchmark::State& state) {
  crypto::box_key key;
  key.bytes.fill(7);
  crypto::box_nonce nonce;
  crypto::box_stream_sealer sealer(key, nonce);
  crypto::box_stream_opener opener(key, nonce);
  const std::string block(chunk, 'z');
  std::string wire, plain;
  for (auto _ : state) {
    wire.clear();
    plain.clear();
    sealer.seal(block, wire);
    for (std::size_t at = 0; at < wire.size();) {
      std::size_t len = 0;
      if (opener.open_header(std::string_view(wire).substr(at, crypto::box_header_size), &len) !=
          crypto::box_stream_opener::header_result::body)
        throw std::runtime_error("box header did not open");
      at += crypto::box_header_size;
      if (!opener.open_body(std::string_view(wire).substr(at, len), plain))
        throw std::runtime_error("box body did not open");
      at += len;
    }
    benchmark::DoNotOptimize(plain.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * chunk));
}

BENCHMARK(plain_tcp_throughput)
    ->Name("throughput/plain_tcp")
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(session_throughput)
    ->Name("throughput/session")
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(full_handshake)->Name("handshake/full")->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(verify_reference)->Name("reference/verify")->Unit(benchmark::kMicrosecond);
BENCHMARK(box_seal_open_reference)->Name("reference/box_seal_open")->Unit(benchmark::kMicrosecond);

// Prints as usual and remembers each benchmark's rate (the median when repeated).
class ratio_reporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      const bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      const bool single = r.run_type == Run::RT_Iteration && r.repetitions <= 1;
      if (!median && !single) continue;
      for (const std::string counter : {"bytes_per_second", "items_per_second",
                                        "cpu_bytes_per_second", "cpu_items_per_second"}) {
        auto it = r.counters.find(counter);
        if (it == r.counters.end()) continue;
        const std::string suffix = counter.starts_with("cpu_") ? "#cpu" : "";
        rates_[r.run_name.function_name + suffix] = it->second.value;
      }
    }
  }
  void print_ratios() const {
    auto rate = [&](const char* name) {
      auto it = rates_.find(name);
      return it == rates_.end() ? 0.0 : it->second;
    };
    const double plain = rate("throughput/plain_tcp"), session = rate("throughput/session");
    const double hs = rate("handshake/full"), verify = rate("reference/verify");
    std::printf("\n");
    if (plain > 0 && session > 0)
      std::printf("session throughput %.0f MiB/s, plain TCP %.0f MiB/s: ratio %.3f\n",
                  session / (1 << 20), plain / (1 << 20), session / plain);
    const double plain_cpu = rate("throughput/plain_tcp#cpu");
    const double session_cpu = rate("throughput/session#cpu");
    if (plain_cpu > 0 && session_cpu > 0)
      std::printf("per process CPU-second: session %.0f MiB, plain TCP %.0f MiB: ratio %.3f\n",
                  session_cpu / (1 << 20), plain_cpu / (1 << 20), session_cpu / plain_cpu);
    const double box = rate("reference/box_seal_open");
    if (session_cpu > 0 && box > 0)
      std::printf("box-stream seal+open in memory %.0f MiB per CPU-second: session / that %.3f\n",
                  box / (1 << 20), session_cpu / box);
    if (hs > 0 && verify > 0)
      std::printf("full handshakes %.0f/s, Ed25519 verifies %.0f per CPU-second: ratio %.4f\n", hs,
                  verify, hs / verify);
    const double hs_cpu = rate("handshake/full#cpu");
    if (hs_cpu > 0 && verify > 0)
      std::printf(
          "full handshakes %.0f per process CPU-second: ratio to verifies %.4f "
          "(one handshake, both sides, costs %.1f verifies)\n",
          hs_cpu, hs_cpu / verify, verify / hs_cpu);
  }

 private:
  std::map<std::string, double> rates_;
};

}  // namespace
}  // namespace zwerm::net

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  zwerm::net::ratio_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  benchmark::Shutdown();
  return 0;
}
