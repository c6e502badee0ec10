// Attack 5: idle slots. 500 TCP connections to A from 127.0.0.2-17 that send nothing or only
// msg1 and hang, dialed again whenever A ends them (slot_flood.hpp), while honest nodes on
// 127.0.0.1 reconnect and join.
//
// Two honest measures, each before the flood (baseline) and during it:
//   - reconnect: a member's node dials A and is admitted (A's hello arrives), retrying 100 ms
//     after every refusal; the time from the first try. The goal: p99 under 1 s.
//   - join: a new node runs `zwerm join CODE` with a code of A's that names only A (its own
//     zwermd dials, with its own backoff); the time of the command, which includes catching
//     up A's feed.
#include <algorithm>
#include <cmath>
#include <thread>

#include "base/base64url.hpp"
#include "node/daemon/invite_code.hpp"
#include "tests/bench/hostile/attacks.hpp"
#include "tests/bench/hostile/slot_flood.hpp"

namespace zwerm::bench::hostile {
namespace {

using std::chrono::seconds;

// Nearest-rank percentile (p in 0..100) of `v`, which is not empty.
double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100 * static_cast<double>(v.size())));
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

// One honest reconnect from 127.0.0.1 (see above): milliseconds until A's hello, or nullopt
// when not admitted within `budget`. *tries counts the dials.
std::optional<double> honest_reconnect(victim& v, const crypto::key_pair& key, milliseconds budget,
                                       int* tries) {
  const auto start = clock_type::now();
  while (clock_type::now() - start < budget) {
    ++*tries;
    wire_client c("127.0.0.1");
    // A generous client deadline: giving up half-way would be an abandoned handshake, a light
    // offence of 127.0.0.1, where B and the joiners dial from too.
    if (c.dial("127.0.0.1", v.a_port(), v.network(), key, v.a_key(), seconds(8)) ==
        handshake_outcome::open) {
      c.admit("");
      if (c.next(seconds(5))) {
        const double ms = ms_since(start);
        c.goodbye();
        c.wait_end(milliseconds(500));
        return ms;
      }
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  return std::nullopt;
}

// One honest join: a new node (made and started first, not timed) runs `zwerm join` with a
// code of A's that names only A. Milliseconds of the command, or nullopt when it failed.
std::optional<double> honest_join(victim& v, int n, std::string* why) {
  testing::node_harness j("join" + std::to_string(n));
  if (!j.start(why)) return std::nullopt;
  pid_guard guard(j.daemon()->pid());
  json made = v.rpc_a().must("invite", {{"expires_s", 3600}});
  auto code = node::decode_invite_code(made.value("code", std::string()));
  if (!code) die(code.error().message());
  std::erase_if(code->peers, [&](const node::invite_peer& p) { return p.key != v.a_key(); });
  auto text = node::encode_invite_code(*code);
  if (!text) die(text.error().message());
  testing::temp_dir scratch("zw-join");
  const auto start = clock_type::now();
  auto r =
      testing::run_program({testing::program("zwerm"), "--home", j.home().string(), "join", *text},
                           scratch.path(), {}, seconds(40));
  const double ms = ms_since(start);
  if (r.exit_code != 0) {
    *why = r.timed_out ? "timed out after 40 s" : r.err;
    return std::nullopt;
  }
  j.stop();
  return ms;
}

std::string describe(const std::vector<double>& ms) {
  if (ms.empty()) return "none";
  return fmt("p50 %.0f ms, p99 %.0f ms (n=%zu, max %.0f)", percentile(ms, 50), percentile(ms, 99),
             ms.size(), *std::max_element(ms.begin(), ms.end()));
}

}  // namespace

void attack_idle_slots(attack_context& ctx) {
  victim& v = ctx.v;
  attack_result r;
  r.id = "5";
  r.name = "idle slots: 500 connections from 16 addresses";
  r.rss_before_kib = v.rss_kib();
  const crypto::key_pair& prober = v.member(4);
  std::string why;

  // Baseline: the same honest measures without the flood.
  std::vector<double> base_reconnect, base_join;
  for (int i = 0; i < 5; ++i) {
    int tries = 0;
    if (auto ms = honest_reconnect(v, prober, seconds(10), &tries)) base_reconnect.push_back(*ms);
  }
  for (int i = 0; i < ctx.opt.baseline_joins; ++i) {
    if (auto ms = honest_join(v, i, &why))
      base_join.push_back(*ms);
    else
      die("a join without any attack failed: " + why);
  }

  flood_options fo;
  slot_flood flood(fo, v.a_port(), v.network(), v.a_key());
  const double cpu0 = v.cpu_s();
  const auto flood_start = clock_type::now();
  flood.start();
  std::this_thread::sleep_for(milliseconds(500));  // the flood takes the slots first
  std::vector<double> reconnect, joins;
  int tries = 0, failed_reconnects = 0, failed_joins = 0;
  std::string join_problems;
  const auto flood_end = flood_start + ctx.opt.flood_time;
  const auto join_every = ctx.opt.flood_time / (ctx.opt.joins + 1);
  int joins_done = 0;
  std::uint64_t rss_peak = 0;
  const auto patience = ctx.opt.quick ? seconds(15) : seconds(30);
  while (clock_type::now() < flood_end) {
    if (joins_done < ctx.opt.joins &&
        clock_type::now() >= flood_start + join_every * (joins_done + 1)) {
      ++joins_done;
      if (auto ms = honest_join(v, 100 + joins_done, &why)) {
        joins.push_back(*ms);
      } else {
        ++failed_joins;
        join_problems += (join_problems.empty() ? "" : "; ") + why;
      }
      continue;
    }
    if (auto ms = honest_reconnect(v, prober, patience, &tries))
      reconnect.push_back(*ms);
    else
      ++failed_reconnects;
    rss_peak = std::max(rss_peak, v.rss_kib());
    std::this_thread::sleep_for(milliseconds(200));
  }
  const auto honest_during = v.honest_sync(seconds(2));
  flood.stop();
  const double flood_s = std::chrono::duration<double>(clock_type::now() - flood_start).count();
  const double cpu = v.cpu_s() - cpu0;
  const flood_stats fs = flood.stats();

  std::vector<double> holds = fs.hold_s;
  std::sort(holds.begin(), holds.end());
  r.sent =
      fmt("%zu TCP connections from 127.0.0.2-17, half silent, half sending msg1 and "
          "hanging, each dialed again 200 ms after it ends; %.0f s",
          fo.connections, flood_s);
  r.cpu_us_per_message = cpu * 1e6 / static_cast<double>(std::max<std::uint64_t>(1, fs.connects));
  r.answer =
      fmt("%llu of %llu connects reset at accept, %llu held until A closed them",
          static_cast<unsigned long long>(fs.refused_at_once),
          static_cast<unsigned long long>(fs.connects), static_cast<unsigned long long>(fs.held));
  r.notes = "honest reconnect during the flood: " + describe(reconnect) +
            fmt(" (%d dials, %d not admitted within %lld s); before it: ", tries, failed_reconnects,
                static_cast<long long>(patience.count())) +
            describe(base_reconnect) + "; `zwerm join` during the flood: " + describe(joins) +
            fmt(" (%d failed); before it: ", failed_joins) + describe(base_join) +
            fmt("; held connections lasted %s; %llu got msg2 (A's crypto); A's CPU %.0f%% of one "
                "core during the flood; RSS peak %.1f MiB",
                holds.empty() ? "-"
                              : fmt("%.1f-%.1f s (median %.1f)", holds.front(), holds.back(),
                                    holds[holds.size() / 2])
                                    .c_str(),
                static_cast<unsigned long long>(fs.answered), 100 * cpu / flood_s,
                static_cast<double>(rss_peak) / 1024);
  // "After": how long A let a held connection hold its slot (median).
  if (!holds.empty()) r.after_ms = holds[holds.size() / 2] * 1000;
  r.figures = {{"reconnect_ms", reconnect},
               {"reconnect_baseline_ms", base_reconnect},
               {"join_ms", joins},
               {"join_baseline_ms", base_join},
               {"failed_reconnects", failed_reconnects},
               {"failed_joins", failed_joins},
               {"connects", fs.connects},
               {"refused_at_once", fs.refused_at_once},
               {"held", fs.held},
               {"answered", fs.answered},
               {"hold_s", holds},
               {"cpu_share", cpu / flood_s}};
  if (reconnect.empty() || failed_reconnects > 0) {
    r.failures.push_back(fmt("%d honest reconnects were not admitted within %lld s",
                             failed_reconnects, static_cast<long long>(patience.count())));
  }
  if (!reconnect.empty() && percentile(reconnect, 99) >= 1000) {
    r.failures.push_back(fmt("honest reconnect p99 %.0f ms during the flood (goal < 1 s)",
                             percentile(reconnect, 99)));
  }
  if (failed_joins > 0) {
    r.failures.push_back(fmt("%d honest joins failed: ", failed_joins) + join_problems);
  }
  if (!honest_during) r.failures.push_back("honest sync A->B stopped during the flood");
  finish(v, r);
  ctx.results.push_back(std::move(r));
}

}  // namespace zwerm::bench::hostile
