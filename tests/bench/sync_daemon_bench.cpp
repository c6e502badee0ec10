// bench_sync_daemon: catch-up between two zwermd processes over loopback
// (docs/PERFORMANCE.md, "Sync", "Catch-up between two daemons").
//
// Setup, each repetition: two homes made by `zwerm init`; A creates a community, B joins it
// with a token (both daemons running, through the CLI), both stop. Then RECORDS requests of
// ≈ 370 bytes (bench_sync's size, ≈ 300-byte payloads) are appended to A's feed directly in
// A's store (node::feed_writer, store::ingest, community_host::absorb: what zwermd does for
// `zwerm ask`, in batches), so B, already an active member, lacks exactly those.
//
// Measured: A starts; the clock runs from B's start (its daemon start-up included) until B's
// `zwerm status` shows A's feed at A's head (polled every 20 ms: resolution 20 ms).
// Records/s = RECORDS / that time. Baseline, same repetition: raw crypto::verify
// (crypto_sign_verify_detached) over the same records, one core. Ratio = catch-up ÷ verify.
// Sync bytes: B's `bytes_sent` + `bytes_received` (status `sync`, both ways, since its start)
// when it caught up ÷ the bytes of the records caught up. These are sync messages without the
// transport's framing (one 34-byte box-stream header per frame of up to 4096 bytes, ≈ +0.8 %
// at full frames, is not counted).
//
// Usage: bench_sync_daemon [--records N] [--repetitions R]   (defaults 100000 and 3)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/base64url.hpp"
#include "crypto/home.hpp"
#include "crypto/identity.hpp"
#include "crypto/sign.hpp"
#include "crypto/sodium.hpp"
#include "node/daemon/community_host.hpp"
#include "node/ingest.hpp"
#include "node/record_writer.hpp"
#include "store/store.hpp"
#include "tests/e2e/node_harness.hpp"

namespace {

using namespace zwerm;
using nlohmann::json;
using clock_type = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "bench_sync_daemon: %s\n", why.c_str());
  std::exit(1);
}

json must_json(const testing::node_harness& n, const std::vector<std::string>& args) {
  json j = n.zwerm_json(args);
  if (j.is_null()) die(n.name() + ": zwerm " + args[0] + " failed");
  return j;
}

// A's head of its own feed as `node` sees it (have_seq in status), or 0.
std::uint64_t have_seq(const testing::node_harness& node, const std::string& author) {
  json s = node.zwerm_json({"status"});
  if (!s.is_object() || !s.contains("lag")) return 0;
  for (const auto& row : s["lag"]) {
    if (row.value("member", std::string()) == author) return row.value("have_seq", 0ull);
  }
  return 0;
}

struct filled {
  std::uint64_t head = 0;           // A's last seq
  std::vector<node::record> added;  // the records appended
};

// Appends `count` requests to A's feed in A's store (A's daemon must be stopped).
filled fill(const testing::node_harness& a, std::size_t count) {
  home_paths home{a.home()};
  auto me = crypto::load_identity(home.identity(), std::nullopt);
  if (!me) die(me.error().message());
  auto db = store::store::open(home.db());
  if (!db) die(db.error().message());
  auto host = node::community_host::open(**db, *me, home.root / "communities.json");
  if (!host) die(host.error().message());
  const auto ids = (*host)->ids();
  if (ids.size() != 1) die("A should hold one community");
  const node::community_id c = ids.front();

  // A's head and the largest lamport in the community.
  std::optional<node::feed_head> head;
  std::uint64_t max_lamport = 0;
  auto frontier = (*db)->frontier(c);
  if (!frontier) die(frontier.error().message());
  for (const auto& f : *frontier) {
    auto cursor = (*db)->read_feed(c, f.author, 1);
    for (; cursor.valid(); cursor.next()) {
      const auto& e = cursor.entry();
      max_lamport = std::max(max_lamport, e.lamport);
      if (e.author == me->pk) head = node::feed_head{e.seq, e.id, e.lamport};
    }
  }
  node::feed_writer writer(*me, c, head, max_lamport);
  filled out;
  std::vector<node::record> batch;
  const std::string filler(12, 'x');  // ≈ 370-byte records, as bench_sync
  auto commit = [&] {
    std::vector<store::record_entry> entries;
    for (const auto& r : batch) entries.push_back(node::to_entry(r));
    store::ingest_flags flags;
    flags.ids_checked = true;
    auto report = (*db)->ingest(entries, {}, flags);
    if (!report) die(report.error().message());
    if (report->appended.size() != batch.size()) die("the store did not append every record");
    if (status s = (*host)->absorb(batch); !s.ok()) die(s.message());
    for (auto& r : batch) out.added.push_back(std::move(r));
    batch.clear();
  };
  for (std::size_t i = 0; i < count; ++i) {
    json body{{"title", "question " + std::to_string(i)}, {"body", filler}, {"tags", {"bench"}}};
    auto r =
        writer.append("request", body.dump(), 1'700'000'000'000 + static_cast<std::int64_t>(i));
    if (!r) die(r.error().message());
    out.head = r->seq;
    batch.push_back(std::move(*r));
    if (batch.size() == 10'000) commit();
  }
  if (!batch.empty()) commit();
  return out;
}

double verify_rate(const std::vector<node::record>& records) {
  std::size_t ok = 0;
  const auto start = clock_type::now();
  for (const auto& r : records) {
    crypto::signature sig;
    std::copy_n(r.signature_bytes().begin(), sig.bytes.size(), sig.bytes.begin());
    ok += crypto::verify(sig, r.payload(), r.author);
  }
  const double s = std::chrono::duration<double>(clock_type::now() - start).count();
  if (ok != records.size()) die("a record did not verify");
  return static_cast<double>(records.size()) / s;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t records = 100'000;
  int repetitions = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--records") {
      records = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (flag == "--repetitions") {
      repetitions = std::atoi(argv[i + 1]);
    } else {
      die("unknown flag " + flag + " (--records N, --repetitions R)");
    }
  }
  if (records == 0 || repetitions < 1) die("--records and --repetitions must be positive");
  crypto::init();
  std::vector<double> ratios, rates, baselines, wire_ratios;
  std::size_t record_bytes = 0;
  for (int rep = 0; rep < repetitions; ++rep) {
    testing::node_harness a("a"), b("b");
    std::string why;
    if (!a.start(&why) || !b.start(&why)) die(why);
    must_json(a, {"community", "create", "Catch-up", "--purpose", "bench"});
    json invite = must_json(a, {"invite"});
    must_json(b, {"join", invite.value("code", std::string())});
    if (a.stop() != std::optional<int>(0) || b.stop() != std::optional<int>(0)) die("stop failed");

    filled f = fill(a, records);
    record_bytes = 0;
    for (const auto& r : f.added) record_bytes += r.bytes.size();
    const double baseline = verify_rate(f.added);

    if (!a.start(&why)) die(why);
    const auto start = clock_type::now();
    if (!b.start(&why)) die(why);
    const auto deadline = start + std::chrono::minutes(10);
    while (have_seq(b, a.member_id()) < f.head) {
      if (clock_type::now() > deadline) die("B did not catch up within 10 minutes");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const double s = std::chrono::duration<double>(clock_type::now() - start).count();
    const double rate = static_cast<double>(records) / s;
    double sync_bytes = 0;
    json status = must_json(b, {"status"});
    for (const auto& row : status.value("sync", json::array())) {
      sync_bytes += row.value("bytes_sent", 0.0) + row.value("bytes_received", 0.0);
    }
    std::size_t added_bytes = 0;
    for (const auto& r : f.added) added_bytes += r.bytes.size();
    const double wire_ratio = sync_bytes / static_cast<double>(added_bytes);
    wire_ratios.push_back(wire_ratio);
    std::printf(
        "repetition %d: %zu records in %.2f s: %.0f records/s; verify %.0f records/s; "
        "ratio %.2f; sync bytes / record bytes %.3f\n",
        rep + 1, records, s, rate, baseline, rate / baseline, wire_ratio);
    std::fflush(stdout);
    rates.push_back(rate);
    baselines.push_back(baseline);
    ratios.push_back(rate / baseline);
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::printf(
      "median of %d: catch-up %.0f records/s, raw verify %.0f records/s, ratio %.2f "
      "(%.0f bytes per record); sync bytes / record bytes %.3f\n",
      repetitions, median(rates), median(baselines), median(ratios),
      static_cast<double>(record_bytes) / static_cast<double>(records), median(wire_ratios));
  return 0;
}
