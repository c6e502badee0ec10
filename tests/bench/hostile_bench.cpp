// bench_hostile: hostile peers against real zwermd processes on 127.0.0.1
// (docs/PERFORMANCE.md, "Hostile peers"; the issue "Only members read and write").
//
// The victim is a community of two honest daemons, A and B, made with the CLI, whose log A and
// B hold in full (tests/bench/hostile/victim.hpp). A spec-side client (hostile/wire_client.hpp:
// SHS, box-stream and the message layer from PROTOCOL.md §4, sync messages from
// node/sync/messages.hpp) attacks A:
//   1  a removed member keeps its session and keeps dialing (a token invite is open)
//   2  keys admitted by an invite token after someone else used the invite, a second key with
//      the same token, and a token session whose invite expires
//   3  an unsolicited `peers` message naming non-members at an address the attacker listens on
//   4  records of 20,000 fresh keys: one-record feeds, and joins naming invites that do not exist
//   5  500 idle TCP connections from 127.0.0.2-17 while honest nodes reconnect and join
//   6  a JSON-RPC line nested 100,000 deep on A's local socket
//   7  a burst of each sync message type: bytes out per byte in, CPU per message, when banned
// For each: what was sent, how A ended it and after how many messages and how long, A's RSS,
// A's CPU per hostile message, A's bytes out ÷ bytes in, and whether honest sync goes on (a
// record written on A shows on B within 2 s).
//
// Exit status: 0 when every attack was refused or banned as required, honest sync went on and
// memory stayed bounded, or the row is a known open finding (printed KNOWN-OPEN); 1 when any
// other row failed; 2 when the setup failed.
//
// Usage: bench_hostile [--quick] [--json FILE] [--only 1,3,7] [--crowd N] [--burst N]
//        [--runs R] [--flood-seconds S] [--joins N] [--spam N] [--spam-until N]
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>

#include "crypto/sodium.hpp"
#include "tests/bench/hostile/attacks.hpp"

namespace {

using namespace zwerm::bench::hostile;

// Failures this build is known to have, by row id: the row still prints its failures, marked
// KNOWN-OPEN, and does not fail the run (a row listed here that passes prints "PASS (listed as
// known open)": take it off the list). Every entry says why it is open; docs/PERFORMANCE.md,
// "Hostile peers", has the figures.
const std::vector<std::pair<std::string, std::string>> known_open = {};

struct args {
  bench_options opt;
  std::size_t crowd = 5000;
  std::string json_file;
  std::set<int> only;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "bench_hostile: %s\nusage: bench_hostile [--quick] [--json FILE] [--only 1,3,7] "
               "[--crowd N] [--burst N] [--runs R] [--flood-seconds S] [--joins N] [--spam N] "
               "[--spam-until N]\n",
               why.c_str());
  std::exit(2);
}

args parse(int argc, char** argv) {
  args a;
  bool quick = false;
  for (int i = 1; i < argc; ++i) quick = quick || std::string(argv[i]) == "--quick";
  if (quick) {
    a.opt.quick = true;
    a.crowd = 1000;
    a.opt.burst = 10;
    a.opt.runs = 1;
    a.opt.flood_time = std::chrono::seconds(12);
    a.opt.joins = 1;
    a.opt.baseline_joins = 1;
  } else {
    a.opt.spam_until = 110'000;
  }
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--quick") continue;
    if (i + 1 >= argc) usage(flag + " needs a value");
    const std::string value = argv[++i];
    const auto number = [&] { return std::strtoull(value.c_str(), nullptr, 10); };
    if (flag == "--json") {
      a.json_file = value;
    } else if (flag == "--only") {
      std::istringstream list(value);
      for (std::string item; std::getline(list, item, ',');) a.only.insert(std::atoi(item.c_str()));
    } else if (flag == "--crowd") {
      a.crowd = number();
    } else if (flag == "--burst") {
      a.opt.burst = number();
    } else if (flag == "--runs") {
      a.opt.runs = static_cast<int>(number());
    } else if (flag == "--flood-seconds") {
      a.opt.flood_time = std::chrono::seconds(number());
    } else if (flag == "--joins") {
      a.opt.joins = static_cast<int>(number());
    } else if (flag == "--spam") {
      a.opt.spam_feeds = number();
    } else if (flag == "--spam-until") {
      a.opt.spam_until = number();
    } else {
      usage("unknown flag " + flag);
    }
  }
  if (a.opt.burst == 0 || a.opt.runs < 1 || a.opt.runs > 18) usage("--burst > 0, --runs 1..18");
  return a;
}

std::string mib(std::uint64_t kib) {
  return fmt("%.1f", static_cast<double>(kib) / 1024);
}

std::string now_utc() {
  char buf[64];
  const std::time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
  return buf;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five;
  in >> one >> five;
  return one + " " + five;
}

std::string verdict(const attack_result& r) {
  if (r.passed()) return r.known_open.empty() ? "PASS" : "PASS (listed as known open)";
  return r.known_open.empty() ? "FAIL" : "KNOWN-OPEN";
}

void print(const attack_result& r) {
  std::string after =
      r.after_messages ? fmt("%llu msg", static_cast<unsigned long long>(*r.after_messages)) : "";
  if (r.after_ms) after += (after.empty() ? "" : ", ") + fmt("%.0f ms", *r.after_ms);
  if (after.empty()) after = "-";
  const std::string honest = !r.honest_checked ? "-"
                             : r.honest_ms     ? fmt("ok %.0f ms", *r.honest_ms)
                                               : std::string("STOPPED");
  std::printf(
      "%-20s %-34s %-18s %-13s %-10s %-9s %-11s %s\n", r.id.c_str(), r.answer.substr(0, 34).c_str(),
      after.c_str(), (mib(r.rss_before_kib) + "->" + mib(r.rss_after_kib)).c_str(),
      r.cpu_us_per_message ? fmt("%.0f", *r.cpu_us_per_message).c_str() : "-",
      r.out_per_in ? fmt("%.2f", *r.out_per_in).c_str() : "-", honest.c_str(), verdict(r).c_str());
  std::printf("%-20s attack: %s\n", "", r.name.c_str());
  std::printf("%-20s sent:   %s\n", "", r.sent.c_str());
  if (r.answer.size() > 34) std::printf("%-20s answer: %s\n", "", r.answer.c_str());
  if (!r.notes.empty()) std::printf("%-20s notes:  %s\n", "", r.notes.c_str());
  for (const auto& f : r.failures) std::printf("%-20s FAILED: %s\n", "", f.c_str());
  if (!r.known_open.empty()) std::printf("%-20s KNOWN-OPEN: %s\n", "", r.known_open.c_str());
  std::fflush(stdout);
}

json to_json(const attack_result& r) {
  json j{{"id", r.id},
         {"name", r.name},
         {"sent", r.sent},
         {"answer", r.answer},
         {"rss_before_kib", r.rss_before_kib},
         {"rss_after_kib", r.rss_after_kib},
         {"failures", r.failures},
         {"notes", r.notes},
         {"figures", r.figures},
         {"verdict", verdict(r)}};
  j["after_messages"] = r.after_messages ? json(*r.after_messages) : json();
  j["after_ms"] = r.after_ms ? json(*r.after_ms) : json();
  j["cpu_us_per_message"] = r.cpu_us_per_message ? json(*r.cpu_us_per_message) : json();
  j["out_per_in"] = r.out_per_in ? json(*r.out_per_in) : json();
  j["honest_ms"] = r.honest_ms ? json(*r.honest_ms) : json();
  if (!r.known_open.empty()) j["known_open"] = r.known_open;
  return j;
}

int run(const args& a) {
  auto wanted = [&](int n) { return a.only.empty() || a.only.count(n) != 0; };

  victim_options vo;
  vo.crowd = a.crowd;
  // Members for attacks 1-4 and the honest prober of 5, then one per amplification run and
  // two for the row of a new session per round.
  vo.attackers = 16 + 14 * static_cast<std::size_t>(a.opt.runs) + 2;
  const auto setup_start = clock_type::now();
  victim v(vo);
  std::printf("bench_hostile (%s): %s, load average %s, %ld cores\n",
              a.opt.quick ? "quick" : "full", now_utc().c_str(), load_average().c_str(),
              ::sysconf(_SC_NPROCESSORS_ONLN));
  std::printf(
      "victim: A and B in one community; A holds %zu feeds, %zu fill records "
      "(%zu crowd members who joined and left, %zu attacker members); setup %.1f s\n\n",
      v.feeds(), v.fill_records(), vo.crowd, vo.attackers, ms_since(setup_start) / 1000);
  std::printf("%-20s %-34s %-18s %-13s %-10s %-9s %-11s %s\n", "attack", "victim's answer", "after",
              "RSS MiB", "CPU us/msg", "out/in", "honest", "verdict");

  attack_context ctx{v, a.opt, {}};
  using attack_fn = void (*)(attack_context&);
  const std::vector<std::pair<int, attack_fn>> attacks = {
      {1, attack_removed_member}, {2, attack_token_after_use}, {3, attack_peer_exchange},
      {4, attack_spam_feeds},     {6, attack_rpc_nesting},     {7, attack_amplification},
      {5, attack_idle_slots}};
  std::size_t printed = 0;
  for (const auto& [n, fn] : attacks) {
    if (!wanted(n)) continue;
    fn(ctx);
    for (; printed < ctx.results.size(); ++printed) {
      auto& r = ctx.results[printed];
      for (const auto& [id, why] : known_open) {
        if (id == r.id) r.known_open = why;
      }
      print(r);
    }
  }

  int failed = 0, open = 0;
  json out = json::array();
  for (const auto& r : ctx.results) {
    if (!r.passed()) (r.known_open.empty() ? failed : open)++;
    out.push_back(to_json(r));
  }
  std::printf("\n%zu rows: %d failed, %d known open; load average at the end %s\n",
              ctx.results.size(), failed, open, load_average().c_str());
  if (!a.json_file.empty()) {
    std::ofstream f(a.json_file);
    f << json{{"mode", a.opt.quick ? "quick" : "full"},
              {"date", now_utc()},
              {"feeds", v.feeds()},
              {"fill_records", v.fill_records()},
              {"results", out}}
             .dump(2)
      << "\n";
  }
  return failed > 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  const args a = parse(argc, argv);
  zwerm::crypto::init();
  stop_guarded_on_signals();
  try {
    return run(a);
  } catch (const std::exception& e) {
    // The stack has unwound: every daemon's guard stopped it.
    std::fprintf(stderr, "bench_hostile: %s\n", e.what());
    return 2;
  }
}
