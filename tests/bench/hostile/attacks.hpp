// The attacks of bench_hostile (docs/PERFORMANCE.md, "Hostile peers"). Each one runs against
// the victim community (victim.hpp), appends one or more result rows, and checks that the
// honest sync between A and B goes on (a record written on A shows on B within 2 s).
//
// Source addresses: every attack dials from loopback addresses of its own (127.0.0.2-17 for
// the idle-slot flood, 127.0.0.20-28 for attacks 1-4, 127.0.2.x for each session of attack 7),
// so that a ban of one attack's address never decides another attack, and 127.0.0.1, where B
// and the honest newcomers dial from, is never used by an attacker.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/bench/hostile/victim.hpp"
#include "tests/bench/hostile/wire_client.hpp"

namespace zwerm::bench::hostile {

struct bench_options {
  bool quick = false;
  // Feeds of fresh keys sent by the spam attack (one-record feeds, and joins naming invites
  // that do not exist). Default 20,000.
  std::size_t spam_feeds = 20'000;
  // Full mode goes on with bogus joins up to this many feeds when 20,000 did not get the
  // sender banned, to find where the ban comes. 0: no. Default 0 (full mode: 110,000).
  std::size_t spam_until = 0;
  // Hostile messages per amplification row, and how many times each row runs (medians).
  std::size_t burst = 40;
  int runs = 3;
  // How long the idle-slot flood runs, and the honest joins measured during it (and before it,
  // as the baseline).
  std::chrono::seconds flood_time{40};
  int joins = 5;
  int baseline_joins = 3;
};

struct attack_result {
  std::string id;    // "1", "2a", "7.buckets", ...
  std::string name;  // the attack in a few words
  std::string sent;  // what the attacker sent
  // How the victim ended it: "closed", "banned", "refused at the handshake", "dropped", ...
  std::string answer;
  std::optional<std::uint64_t> after_messages;  // hostile messages until the end
  std::optional<double> after_ms;               // time until the end
  std::uint64_t rss_before_kib = 0, rss_after_kib = 0;
  std::optional<double> cpu_us_per_message;  // victim CPU per hostile message sent
  std::optional<double> out_per_in;          // victim wire bytes out ÷ attacker wire bytes in
  bool honest_checked = false;
  std::optional<double> honest_ms;    // write on A seen on B after this long; none: not in 2 s
  std::vector<std::string> failures;  // criteria not met, one sentence each
  std::string notes;                  // further figures, in words
  nlohmann::json figures = nlohmann::json::object();  // the same, for the JSON output
  std::string known_open;  // set by the report: the failure is a known open finding
  bool passed() const { return failures.empty(); }
};

struct attack_context {
  victim& v;
  bench_options opt;
  std::vector<attack_result> results;
};

void attack_removed_member(attack_context& ctx);   // 1
void attack_token_after_use(attack_context& ctx);  // 2
void attack_peer_exchange(attack_context& ctx);    // 3
void attack_spam_feeds(attack_context& ctx);       // 4
void attack_idle_slots(attack_context& ctx);       // 5
void attack_rpc_nesting(attack_context& ctx);      // 6
void attack_amplification(attack_context& ctx);    // 7

// --- shared by the attacks (attack_util.cpp) -------------------------------------------------

// A member's session on A from `source`: dialed, admitted with `token` (empty for members),
// A's hello read and ours sent (A's own frontier: in sync, so A starts no round). nullptr,
// with the reason in *why, when A did not admit it.
struct member_session {
  std::unique_ptr<wire_client> client;
  crypto::digest frontier;            // A's frontier digest from its hello
  bool peers_requested = false;       // A asked us for addresses right after the hello
  std::vector<std::string> greeting;  // what A sent after its hello, before we did anything
};
std::optional<member_session> open_session(victim& v, const std::string& source,
                                           const crypto::key_pair& key, std::string_view token,
                                           std::string* why);

// The result's RSS after, the honest-sync check, and the memory bound (64 MiB of growth).
void finish(victim& v, attack_result& r);

double ms_since(clock_type::time_point t);
std::int64_t unix_ms();
std::string fmt(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace zwerm::bench::hostile
