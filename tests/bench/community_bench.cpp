// bench_community: the community views at scale (docs/PERFORMANCE.md, "Community views").
//
// A community of 10,000 members and 1,000,000 records is generated in memory and absorbed by a
// replayer before any benchmark runs (the build is timed and printed, not counted). Each view
// is measured as the RPC would run it: the view function plus dump() to JSON text. Baselines in
// the same run: serialising 10,000 plain member objects of the same shape to JSON text (views),
// and a full replay of every record (snapshot restore).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "base/base64url.hpp"
#include "crypto/hash.hpp"
#include "crypto/sign.hpp"
#include "node/community/replayer.hpp"
#include "node/community/snapshot.hpp"
#include "node/community/views.hpp"

namespace {

using namespace zwerm;
using namespace zwerm::node::community;
using nlohmann::json;
using node::record;

constexpr std::size_t member_count = 10'000;
constexpr std::size_t record_count = 1'000'000;
constexpr std::size_t late_records = 200;  // held back, absorbed one per iteration
constexpr std::size_t rewind_distance = 10'000;
constexpr std::int64_t t0 = 1'650'000'000'000;
constexpr std::int64_t span_ms = 2LL * 365 * 86'400'000;  // two years of activity

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The generated world: every record in total order (lamport = rank), plus the replayer.
struct world {
  community_id community;
  std::vector<crypto::public_key> keys;
  std::vector<std::uint64_t> seqs;
  std::vector<record> records;    // total order
  std::vector<char> held;         // records not yet absorbed (the late ones)
  std::vector<std::size_t> late;  // indexes of held-back records, absorbed in this order
  std::size_t next_late = 0;
  std::unique_ptr<replayer> rep;
  std::string snapshot;
  double build_seconds = 0;
  double replay_seconds = 0;
  double encode_seconds = 0;

  record& write(std::size_t author, std::string_view type, const json& body) {
    record r;
    r.author = keys[author];
    r.seq = ++seqs[author];
    r.lamport = records.size() + 1;
    r.ts = t0 + static_cast<std::int64_t>(records.size()) * (span_ms / record_count);
    r.type = std::string(type);
    r.body = body.dump();
    std::string id_input = r.body;
    id_input.append(reinterpret_cast<const char*>(&r.lamport), sizeof r.lamport);
    r.id = crypto::record_id_of(id_input);
    r.community = community;
    if (type == "community.create") r.community = community = community_of_genesis(r.id);
    records.push_back(std::move(r));
    return records.back();
  }

  record_source source() {
    return [this](const std::optional<position>& after, const position_filter&,
                  const record_visitor& visit) -> status {
      auto it = records.begin();
      if (after) {
        it =
            std::upper_bound(records.begin(), records.end(), *after,
                             [](const position& p, const record& r) { return p < position_of(r); });
      }
      for (; it != records.end(); ++it) {
        if (held[static_cast<std::size_t>(it - records.begin())]) continue;
        if (!visit(*it)) break;
      }
      return {};
    };
  }
};

void generate(world& w) {
  std::mt19937_64 rng(42);
  auto pick = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  w.records.reserve(record_count);
  for (std::size_t i = 0; i < member_count; ++i) {
    crypto::seed s;
    std::memcpy(s.bytes.data(), &i, sizeof i);
    s.bytes[31] = 7;
    w.keys.push_back(crypto::key_pair_from_seed(s).pk);
  }
  w.seqs.assign(member_count, 0);
  std::vector<std::string> topics;
  for (int i = 0; i < 300; ++i) topics.push_back("topic" + std::to_string(i));
  auto some_tags = [&] {
    json t = json::array();
    std::size_t n = 1 + pick(3);
    std::size_t first = pick(topics.size());
    for (std::size_t k = 0; k < n; ++k) t.push_back(topics[(first + k * 7) % topics.size()]);
    return t;
  };
  w.write(0, "community.create",
          {{"name", "Big"},
           {"purpose", "scale"},
           {"policy", {{"invite_by", "member"}, {"quorum_pct", 50}}}});
  for (std::size_t m = 1; m < member_count; ++m) {
    std::size_t inviter = pick(m);
    record& inv = w.write(
        inviter, "member.invite",
        {{"invitee", crypto::to_text(w.keys[m])}, {"note", ""}, {"expires_ts", t0 + span_ms}});
    std::string inv_id = crypto::to_text(inv.id);
    w.write(m, "member.join", {{"invite", inv_id}});
  }
  for (std::size_t m = 0; m < member_count; ++m) {
    w.write(m, "profile",
            {{"name", "member " + std::to_string(m)},
             {"about", "hello"},
             {"skills", some_tags()},
             {"address", nullptr}});
  }
  std::vector<std::string> contributions, requests, circles, proposals;
  while (w.records.size() < record_count) {
    std::size_t a = pick(member_count);
    double r = std::uniform_real_distribution<double>(0, 1)(rng);
    if (r < 0.33 || contributions.empty()) {
      json answers = nullptr;
      if (!requests.empty() && pick(4) == 0)
        answers =
            requests[requests.size() - 1 - pick(std::min<std::size_t>(requests.size(), 1000))];
      contributions.push_back(crypto::to_text(w.write(a, "contribution",
                                                      {{"kind", "knowledge"},
                                                       {"title", "a useful thing"},
                                                       {"body", "what I know about it"},
                                                       {"tags", some_tags()},
                                                       {"answers", answers},
                                                       {"circle", nullptr}})
                                                  .id));
    } else if (r < 0.70) {
      const std::string& c =
          contributions[contributions.size() - 1 -
                        pick(std::min<std::size_t>(contributions.size(), 20'000))];
      w.write(a, "thanks", {{"contribution", c}, {"note", "thank you"}});
    } else if (r < 0.82) {
      requests.push_back(crypto::to_text(
          w.write(a, "request",
                  {{"title", "who can help"}, {"body", "details"}, {"tags", some_tags()}})
              .id));
    } else if (r < 0.84) {
      circles.push_back(
          crypto::to_text(w.write(a, "circle.open", {{"name", "circle"}, {"purpose", "work"}}).id));
    } else if (r < 0.88 && !circles.empty()) {
      w.write(a, "circle.join",
              {{"circle",
                circles[circles.size() - 1 - pick(std::min<std::size_t>(circles.size(), 100))]}});
    } else if (r < 0.885) {
      proposals.push_back(crypto::to_text(w.write(a, "proposal",
                                                  {{"action", "agreement"},
                                                   {"text", "we agree"},
                                                   {"supersedes", nullptr},
                                                   {"reason", ""}})
                                              .id));
    } else if (r < 0.93 && !proposals.empty()) {
      w.write(
          a, "endorse",
          {{"proposal",
            proposals[proposals.size() - 1 - pick(std::min<std::size_t>(proposals.size(), 50))]}});
    } else {
      w.write(a, "profile",
              {{"name", "member " + std::to_string(a)},
               {"about", "still here"},
               {"skills", some_tags()},
               {"address", nullptr}});
    }
  }
  // Late records: rewind_distance + k positions before the end, absorbed from the latest one
  // backwards, so each absorbs with ~rewind_distance applied records after it.
  w.held.assign(w.records.size(), 0);
  for (std::size_t k = 0; k < late_records; ++k) {
    std::size_t at = w.records.size() - rewind_distance - 1 - k;
    w.held[at] = 1;
    w.late.push_back(at);
  }
}

world& the_world() {
  static world w = [] {
    world w;
    auto start = std::chrono::steady_clock::now();
    generate(w);
    w.build_seconds = seconds_since(start);
    start = std::chrono::steady_clock::now();
    w.rep = std::make_unique<replayer>(w.community);
    std::vector<record> batch;
    for (std::size_t i = 0; i < w.records.size(); ++i) {
      if (w.held[i]) continue;
      batch.push_back(w.records[i]);
      if (batch.size() == 100'000) {
        if (!w.rep->absorb(batch, w.source()).ok()) std::abort();
        batch.clear();
      }
    }
    if (!w.rep->absorb(batch, w.source()).ok()) std::abort();
    w.replay_seconds = seconds_since(start);
    start = std::chrono::steady_clock::now();
    w.snapshot = encode_snapshot(w.rep->current());
    w.encode_seconds = seconds_since(start);
    const state& s = w.rep->current();
    std::fprintf(stderr,
                 "community: %zu members (%llu active), %zu records (%zu took effect), %zu topics\n"
                 "generated in %.2f s; full replay %.2f s (%.0f records/s); snapshot %.1f MiB "
                 "encoded in %.3f s\n",
                 s.members.size(), static_cast<unsigned long long>(s.active_count),
                 w.records.size(), s.feed.size(), s.topics.size(), w.build_seconds,
                 w.replay_seconds, static_cast<double>(w.records.size()) / w.replay_seconds,
                 static_cast<double>(w.snapshot.size()) / (1 << 20), w.encode_seconds);
    return w;
  }();
  return w;
}

// A view's answer as RPC text: the view's own text when it writes one, else dump().
std::string dump(std::string text) {
  return text;
}
std::string dump(const json& j) {
  return j.dump();
}

template <class F>
void run_view(benchmark::State& st, F view) {
  const state& s = the_world().rep->current();
  std::size_t bytes = 0;
  for (auto _ : st) {
    std::string text = dump(view(s));
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  st.counters["json_bytes"] = static_cast<double>(bytes);
}

// Baseline: 10,000 plain member objects with the fields the members view shows, to JSON text.
void baseline_members_json(benchmark::State& st) {
  const state& s = the_world().rep->current();
  struct plain {
    std::string id, name, status;
    std::vector<std::string> skills;
    std::int64_t joined, last;
    std::uint64_t records, given, taken;
  };
  std::vector<plain> rows;
  for (const auto& m : s.members) {
    rows.push_back({crypto::to_text(m.id), m.name, "active", m.skills, m.joined_ts,
                    m.last_active_ts, m.records, m.given, m.taken});
  }
  for (auto _ : st) {
    json list = json::array();
    for (const auto& r : rows) {
      list.push_back({{"id", r.id},
                      {"name", r.name},
                      {"status", r.status},
                      {"skills", r.skills},
                      {"address", nullptr},
                      {"joined_ts", r.joined},
                      {"last_active_ts", r.last},
                      {"records", r.records},
                      {"given", r.given},
                      {"taken", r.taken}});
    }
    std::string text = json{{"members", std::move(list)}}.dump();
    benchmark::DoNotOptimize(text.data());
  }
}
BENCHMARK(baseline_members_json)->Unit(benchmark::kMillisecond);

void view_members(benchmark::State& st) {
  run_view(st, [](const state& s) { return members_view_text(s); });
}
void view_balance(benchmark::State& st) {
  run_view(st, [](const state& s) { return balance_view_text(s); });
}
// The nlohmann::json forms of the same two views, for comparison.
void view_members_json(benchmark::State& st) {
  run_view(st, [](const state& s) { return members_view(s); });
}
void view_who_knows(benchmark::State& st) {
  run_view(st, [](const state& s) { return who_knows_view(s, "topic42"); });
}
void view_ties(benchmark::State& st) {
  run_view(st, [](const state& s) { return ties_view(s); });
}
void view_pulse(benchmark::State& st) {
  run_view(st, [](const state& s) { return pulse_view(s, t0 + span_ms); });
}
void view_feed_page(benchmark::State& st) {
  run_view(st, [](const state& s) {
    feed_query q;
    q.tag = "topic42";
    q.limit = 50;
    return feed_view(s, q);
  });
}
BENCHMARK(view_members)->Unit(benchmark::kMillisecond);
BENCHMARK(view_balance)->Unit(benchmark::kMillisecond);
BENCHMARK(view_members_json)->Unit(benchmark::kMillisecond);
BENCHMARK(view_who_knows)->Unit(benchmark::kMillisecond);
BENCHMARK(view_ties)->Unit(benchmark::kMillisecond);
BENCHMARK(view_pulse)->Unit(benchmark::kMillisecond);
BENCHMARK(view_feed_page)->Unit(benchmark::kMillisecond);

// Node start: decode the persisted snapshot and answer the members view.
void restore_and_answer(benchmark::State& st) {
  world& w = the_world();
  std::vector<std::unique_ptr<state>> started;  // freed after timing: a starting node keeps it
  for (auto _ : st) {
    auto decoded = decode_snapshot(w.snapshot);
    if (!decoded.ok()) {
      st.SkipWithError(decoded.error().message().c_str());
      break;
    }
    std::string text = members_view_text(*decoded.value());
    benchmark::DoNotOptimize(text.data());
    started.push_back(std::move(decoded.value()));
  }
  st.counters["full_replay_s"] = w.replay_seconds;
}
BENCHMARK(restore_and_answer)->Unit(benchmark::kMillisecond)->Iterations(3);

// A late record ~10,000 positions before the head: rewind through the journal and replay.
void late_record_rewind(benchmark::State& st) {
  world& w = the_world();
  std::uint64_t replayed = 0;
  for (auto _ : st) {
    if (w.next_late == w.late.size()) {
      st.SkipWithError("out of held-back records");
      break;
    }
    std::size_t at = w.late[w.next_late++];
    std::vector<record> batch{w.records[at]};
    auto r = w.rep->absorb(batch, w.source());
    if (!r.ok() || !r->rewound) {
      st.SkipWithError("the late record did not rewind");
      break;
    }
    replayed = r->replayed;
    st.PauseTiming();
    w.held[at] = 0;  // the daemon stores it in the same write batch
    st.ResumeTiming();
  }
  st.counters["replayed"] = static_cast<double>(replayed);
}
BENCHMARK(late_record_rewind)->Unit(benchmark::kMillisecond)->Iterations(20);

}  // namespace

BENCHMARK_MAIN();
