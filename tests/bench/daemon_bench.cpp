// bench_daemon: how fast zwermd starts and answers with a million records
// (docs/PERFORMANCE.md, "Community views", "Start with a million records").
//
// The store: one community of 10,000 members and 1,000,000 real records (signed by
// node::feed_writer, the same mix of types as bench_community), committed in batches of 10,000
// through store::ingest and absorbed by community_host, whose close writes the state snapshot
// as zwermd's stop does. Filling skips the signature verification of node::ingestor (the
// records were signed here a moment before; ids are still computed by the writer) so that it
// takes minutes, not tens of minutes. It is built once and cached in
// <build>/bench-data/daemon-1m (delete it to rebuild; --data DIR to put it elsewhere). The
// directory is a complete zwerm home of member 0 (the genesis author): identity.key (no
// passphrase), config.json (listen 127.0.0.1:0, no peer discovery), communities.json and db/;
// a directory cached by an older build gets the missing files added.
//
// Measured, --repetitions times (median reported), each from a cold process state:
//   start = open the store + community_host::open (restore the state from the snapshot and
//           replay the records after it) + answer `members` (members_view_text);
//   baseline = open the store + read the community's frontier digest (the least a node does
//           to take part in sync).
//   crash case = the same start when the persisted snapshot lies --tail records (default: the
//           default persist_interval) before the end, as after a crash just before the next
//           snapshot; then the cost of writing that next snapshot.
// Once per run, unless --skip-rpc: a real zwermd on the home (a child process, stopped by pid
// with SIGTERM): the time from spawning it to the first `members` answer through the socket,
// then each view as a JSON-RPC call through <home>/zwermd.sock (from writing the request line
// to reading the whole response line; median of --calls calls, the methods taken in turn),
// against the trivial `methods` call and `status` in the same run. The daemon's CPU time per
// call is read from /proc/PID/schedstat (its I/O thread, which runs every method).
// Once per run, unless --skip-replay: the start of the previous build, which replayed every
// record from the log (replayer::open without a snapshot).
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/base64url.hpp"
#include "crypto/hash.hpp"
#include "crypto/identity.hpp"
#include "crypto/sign.hpp"
#include "crypto/sodium.hpp"
#include "node/community/snapshot.hpp"
#include "node/community/views.hpp"
#include "node/daemon/community_host.hpp"
#include "node/daemon/state_store.hpp"
#include "node/ingest/ingest.hpp"
#include "node/records/record_writer.hpp"
#include "store/store.hpp"
#include "tests/bench/bench_util.hpp"
#include "tests/support/process.hpp"

namespace {

using namespace zwerm;
using nlohmann::json;
using node::record;

constexpr std::size_t member_count = 10'000;
constexpr std::size_t record_count = 1'000'000;
constexpr std::size_t batch_size = 10'000;
constexpr std::int64_t t0 = 1'650'000'000'000;
constexpr std::int64_t span_ms = 2LL * 365 * 86'400'000;
constexpr std::size_t kept_tail = 50'000;  // records after the snapshot kept aside by fill()
constexpr const char* complete_marker = "complete-v2";
constexpr const char* tail_snapshot_file = "snapshot-before-tail.bin";

struct clocks {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  double cpu = cpu_now();
  static double cpu_now() { return bench::cpu_seconds(CLOCK_PROCESS_CPUTIME_ID); }
  double wall_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  }
  double cpu_s() const { return cpu_now() - cpu; }
};

crypto::key_pair key_of(std::size_t i) {
  crypto::seed s;
  std::memset(s.bytes.data(), 0, s.bytes.size());
  std::memcpy(s.bytes.data(), &i, sizeof i);
  s.bytes[31] = 9;
  return crypto::key_pair_from_seed(s);
}

void die(const std::string& what) {
  std::fprintf(stderr, "bench_daemon: %s\n", what.c_str());
  std::exit(1);
}

// Fills `dir` with the store described in the header comment.
void fill(const std::filesystem::path& dir) {
  clocks started;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto db = store::store::open(dir / "db");
  if (!db) die(db.error().message());
  const crypto::key_pair me = key_of(0);
  node::state_store_options during_fill;
  during_fill.replayer.persist_interval = record_count * 2;  // one snapshot, at close
  auto host = node::community_host::open(**db, me, dir / "communities.json", during_fill);
  if (!host) die(host.error().message());

  std::vector<crypto::key_pair> keys;
  for (std::size_t i = 0; i < member_count; ++i) keys.push_back(key_of(i));
  std::mt19937_64 rng(42);
  auto pick = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  std::vector<std::string> topics;
  for (int i = 0; i < 300; ++i) topics.push_back("topic" + std::to_string(i));
  auto some_tags = [&] {
    json t = json::array();
    std::size_t n = 1 + pick(3);
    std::size_t first = pick(topics.size());
    for (std::size_t k = 0; k < n; ++k) t.push_back(topics[(first + k * 7) % topics.size()]);
    return t;
  };

  std::vector<record> batch;
  batch.reserve(batch_size);
  std::uint64_t written = 0;
  auto commit = [&] {
    std::vector<store::record_entry> entries;
    entries.reserve(batch.size());
    for (const auto& r : batch) entries.push_back(node::to_entry(r));
    store::ingest_flags flags;
    flags.ids_checked = true;
    auto report = (*db)->ingest(entries, {}, flags);
    if (!report) die(report.error().message());
    if (report->appended.size() != batch.size()) die("the store did not append every record");
    if (status s = (*host)->absorb(batch); !s.ok()) die(s.message());
    batch.clear();
  };

  auto genesis = node::write_genesis(json{{"name", "Big"},
                                          {"purpose", "scale"},
                                          {"policy", {{"invite_by", "member"}, {"quorum_pct", 50}}}}
                                         .dump(),
                                     t0, me);
  if (!genesis) die(genesis.error().message());
  const community_id c = community_of_genesis(genesis->id);
  std::vector<node::feed_writer> writers;
  writers.reserve(member_count);
  writers.push_back(node::feed_writer::after_genesis(me, *genesis));
  for (std::size_t i = 1; i < member_count; ++i) writers.emplace_back(keys[i], c, std::nullopt, 0);
  batch.push_back(*genesis);
  written = 1;

  auto write = [&](std::size_t author, const char* type, const json& body) -> const record& {
    auto& w = writers[author];
    w.observe(written);  // lamport = rank in generation order
    const std::int64_t ts = t0 + static_cast<std::int64_t>(written) *
                                     (span_ms / static_cast<std::int64_t>(record_count));
    auto r = w.append(type, body.dump(), ts);
    if (!r) die(r.error().message());
    batch.push_back(std::move(*r));
    ++written;
    const record& last = batch.back();
    if (batch.size() == batch_size) {
      static record kept;
      kept = last;
      commit();
      return kept;
    }
    return last;
  };

  for (std::size_t m = 1; m < member_count; ++m) {
    const record& inv = write(
        pick(m), "member.invite",
        {{"invitee", crypto::to_text(keys[m].pk)}, {"note", ""}, {"expires_ts", t0 + span_ms}});
    const std::string inv_id = crypto::to_text(inv.id);
    write(m, "member.join", {{"invite", inv_id}});
  }
  for (std::size_t m = 0; m < member_count; ++m) {
    write(m, "profile",
          {{"name", "member " + std::to_string(m)},
           {"about", "hello"},
           {"skills", some_tags()},
           {"address", nullptr}});
  }
  std::vector<std::string> contributions, requests, circles, proposals;
  auto recent = [&](const std::vector<std::string>& v, std::size_t window) -> const std::string& {
    return v[v.size() - 1 - pick(std::min(v.size(), window))];
  };
  while (written < record_count) {
    const std::size_t a = pick(member_count);
    const double r = std::uniform_real_distribution<double>(0, 1)(rng);
    if (r < 0.33 || contributions.empty()) {
      json answers = nullptr;
      if (!requests.empty() && pick(4) == 0) answers = recent(requests, 1000);
      contributions.push_back(crypto::to_text(write(a, "contribution",
                                                    {{"kind", "knowledge"},
                                                     {"title", "a useful thing"},
                                                     {"body", "what I know about it"},
                                                     {"tags", some_tags()},
                                                     {"answers", answers},
                                                     {"circle", nullptr}})
                                                  .id));
    } else if (r < 0.70) {
      write(a, "thanks", {{"contribution", recent(contributions, 20'000)}, {"note", "thank you"}});
    } else if (r < 0.82) {
      requests.push_back(crypto::to_text(
          write(a, "request",
                {{"title", "who can help"}, {"body", "details"}, {"tags", some_tags()}})
              .id));
    } else if (r < 0.84) {
      circles.push_back(
          crypto::to_text(write(a, "circle.open", {{"name", "circle"}, {"purpose", "work"}}).id));
    } else if (r < 0.88 && !circles.empty()) {
      write(a, "circle.join", {{"circle", recent(circles, 100)}});
    } else if (r < 0.885) {
      proposals.push_back(crypto::to_text(write(a, "proposal",
                                                {{"action", "agreement"},
                                                 {"text", "we agree"},
                                                 {"supersedes", nullptr},
                                                 {"reason", ""}})
                                              .id));
    } else if (r < 0.93 && !proposals.empty()) {
      write(a, "endorse", {{"proposal", recent(proposals, 50)}});
    } else {
      write(a, "profile",
            {{"name", "member " + std::to_string(a)},
             {"about", "still here"},
             {"skills", some_tags()},
             {"address", nullptr}});
    }
    if (written == record_count - kept_tail && batch.empty()) {
      // The state 50,000 records before the end, kept aside for the crash-case start.
      const auto* st = (*host)->state_of(c);
      std::ofstream(dir / tail_snapshot_file, std::ios::binary)
          << node::community::encode_snapshot(*st);
    }
    if (written % 100'000 == 0) {
      std::fprintf(stderr, "bench_daemon: filling, %llu records (%.0f s)\n",
                   static_cast<unsigned long long>(written), started.wall_s());
    }
  }
  if (!batch.empty()) commit();
  host->reset();  // the clean close writes the snapshot
  db->reset();
  std::ofstream(dir / complete_marker) << "records " << record_count << "\n";
  std::fprintf(stderr, "bench_daemon: filled in %.0f s\n", started.wall_s());
}

using bench::median;

// What a zwerm home needs besides the store (a directory cached by an older build holds only
// db/): member 0's identity without a passphrase, a config that listens on loopback and dials
// nobody, and the community's network key.
void ensure_home(const std::filesystem::path& dir) {
  if (!std::filesystem::exists(dir / "identity.key")) {
    if (status s = crypto::save_identity(dir / "identity.key", key_of(0), std::nullopt); !s.ok()) {
      die("cannot write the bench home's identity: " + s.message());
    }
  }
  if (!std::filesystem::exists(dir / "config.json")) {
    std::ofstream(dir / "config.json")
        << R"({"name": "bench", "listen": "127.0.0.1:0", "peer_discovery": false})"
        << "\n";
  }
  if (!std::filesystem::exists(dir / "communities.json")) {
    auto db = store::store::open(dir / "db");
    if (!db) die(db.error().message());
    auto host = node::community_host::open(**db, key_of(0), dir / "communities.json");
    if (!host) die(host.error().message());
    auto ids = (*host)->ids();
    if (ids.size() != 1) die("the bench store should hold one community");
    if (status s = (*host)->adopt(ids[0], crypto::random_fixed<crypto::network_key>()); !s.ok()) {
      die(s.message());
    }
  }
}

// The snapshot `tail` records before the end: the one fill() kept aside (kept_tail records
// before the end), brought forward by replaying kept_tail - tail records from the store.
std::string snapshot_before_tail(store::store& db, const community_id& c,
                                 const std::filesystem::path& data, std::size_t tail) {
  std::ifstream in(data / tail_snapshot_file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (tail == kept_tail) return bytes;
  std::size_t left = kept_tail - tail;
  const auto base = node::store_record_source(db, c);
  const node::community::record_source limited =
      [&](const std::optional<node::community::position>& after,
          const node::community::position_filter& needed,
          const node::community::record_visitor& visit) -> status {
    return base(after, needed, [&](const record& r) {
      if (left == 0) return false;
      --left;
      return visit(r);
    });
  };
  auto rep = node::community::replayer::open(c, bytes, limited);
  if (!rep) die("the kept snapshot does not decode: " + rep.error().message());
  return (*rep)->persist_snapshot();
}

// The I/O thread's CPU time in seconds (/proc/PID/schedstat, nanoseconds on the CPU).
double thread_cpu_s(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/schedstat");
  unsigned long long ns = 0;
  in >> ns;
  return static_cast<double>(ns) * 1e-9;
}

// All threads of the process (/proc/PID/stat utime + stime, in clock ticks).
double process_cpu_s(pid_t pid) {
  return bench::stat_cpu_seconds("/proc/" + std::to_string(pid) + "/stat").value_or(0);
}

// A JSON-RPC client on zwermd's unix socket: one request line out, one response line in.
class rpc_client {
 public:
  ~rpc_client() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connect(const std::filesystem::path& socket_path) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string p = socket_path.string();
    if (fd_ < 0 || p.size() >= sizeof addr.sun_path) die("cannot make a unix socket");
    std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
    return ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  // Writes `line` and a newline, returns the next response line (without the newline).
  std::string call(const std::string& line) {
    const std::string out = line + "\n";
    for (std::size_t at = 0; at < out.size();) {
      const ssize_t n = ::write(fd_, out.data() + at, out.size() - at);
      if (n <= 0) die("writing to zwermd's socket failed");
      at += static_cast<std::size_t>(n);
    }
    for (;;) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string response = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return response;
      }
      char chunk[1 << 16];
      const ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n <= 0) die("zwermd closed the socket before answering");
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  std::string buffer_;
};

std::string request(int id, const std::string& method, const json& params) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump();
}

void check_answer(const std::string& method, const std::string& response) {
  const json parsed = json::parse(response, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("result")) {
    die(method + " did not answer with a result: " + response.substr(0, 300));
  }
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

// zwermd on the home: start to the first `members` answer, then every view through the socket.
void bench_rpc(const std::filesystem::path& data, int calls) {
  const std::filesystem::path sock = data / "zwermd.sock";
  const std::string zwermd = std::string(ZWERM_BINARY_DIR) + "/bin/zwermd";
  std::printf("load average before zwermd starts: %s\n", load_average().c_str());
  clocks t;
  zwerm::testing::child_process daemon({zwermd, "--home", data.string()}, data / "zwermd.log");
  rpc_client client;
  while (!client.connect(sock)) {
    if (!daemon.running()) die("zwermd exited; see " + (data / "zwermd.log").string());
    if (t.wall_s() > 120) die("zwermd did not open its socket within 120 s");
    ::usleep(2000);
  }
  const std::string first = client.call(request(1, "members", json::object()));
  const double start_wall = t.wall_s();
  const double start_cpu = process_cpu_s(daemon.pid());
  check_answer("members", first);
  std::printf(
      "zwermd start to the first members answer through the socket (%zu bytes): wall %.3f s, "
      "zwermd cpu %.3f s (all threads, 10 ms ticks)\n",
      first.size(), start_wall, start_cpu);

  struct call_kind {
    std::string method;
    json params;
    std::vector<double> wall_ms, cpu_ms;
    std::size_t bytes = 0;
  };
  std::vector<call_kind> kinds = {
      {"methods", json::object(), {}, {}, 0},
      {"status", json::object(), {}, {}, 0},
      {"members", json::object(), {}, {}, 0},
      {"balance", json::object(), {}, {}, 0},
      {"who_knows", json{{"topic", "topic42"}}, {}, {}, 0},
      {"ties", json::object(), {}, {}, 0},
      {"pulse", json::object(), {}, {}, 0},
  };
  int id = 2;
  for (int round = 0; round <= calls; ++round) {  // round 0 warms up and checks the answers
    for (auto& k : kinds) {
      const std::string line = request(id++, k.method, k.params);
      const double cpu0 = thread_cpu_s(daemon.pid());
      const auto w0 = std::chrono::steady_clock::now();
      const std::string response = client.call(line);
      const double wall =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - w0).count();
      const double cpu = (thread_cpu_s(daemon.pid()) - cpu0) * 1e3;
      if (round == 0) {
        check_answer(k.method, response);
        k.bytes = response.size();
        continue;
      }
      k.wall_ms.push_back(wall);
      k.cpu_ms.push_back(cpu);
    }
  }
  const double base_wall = median(kinds[0].wall_ms), base_cpu = median(kinds[0].cpu_ms);
  std::printf("through the socket, median of %d calls each (load average now %s):\n", calls,
              load_average().c_str());
  std::printf("  %-10s %10s %10s %10s %12s\n", "method", "bytes", "wall ms", "zwermd cpu ms",
              "wall/methods");
  for (const auto& k : kinds) {
    std::printf("  %-10s %10zu %10.2f %10.2f %12.1f\n", k.method.c_str(), k.bytes,
                median(k.wall_ms), median(k.cpu_ms), median(k.wall_ms) / base_wall);
  }
  std::printf("  baseline: methods %.3f ms wall, %.3f ms cpu\n", base_wall, base_cpu);
  daemon.signal(SIGTERM);
  if (!daemon.wait_exit(std::chrono::seconds(60))) die("zwermd did not stop within 60 s");
}

}  // namespace

int main(int argc, char** argv) {
  crypto::init();
  std::filesystem::path data = std::filesystem::path(ZWERM_BENCH_DATA_DIR) / "daemon-1m";
  int repetitions = 5;
  int calls = 9;
  std::size_t tail = node::community::replayer_options{}.persist_interval;
  bool skip_replay = false, skip_rpc = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--data" && i + 1 < argc) {
      data = argv[++i];
    } else if (a == "--repetitions" && i + 1 < argc) {
      repetitions = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--calls" && i + 1 < argc) {
      calls = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--tail" && i + 1 < argc) {
      tail = static_cast<std::size_t>(std::max(1, std::atoi(argv[++i])));
    } else if (a == "--skip-replay") {
      skip_replay = true;
    } else if (a == "--skip-rpc") {
      skip_rpc = true;
    } else {
      std::fprintf(stderr,
                   "usage: bench_daemon [--data DIR] [--repetitions N] [--calls N] [--tail N] "
                   "[--skip-replay] [--skip-rpc]\n");
      return 2;
    }
  }
  if (tail > kept_tail) die("--tail is at most " + std::to_string(kept_tail));
  if (!std::filesystem::exists(data / complete_marker)) fill(data);
  ensure_home(data);
  std::printf("load average at the start: %s\n", load_average().c_str());

  std::vector<double> start_wall, start_cpu, base_wall, base_cpu, restore_wall, members_wall;
  std::vector<double> fork_check_wall;
  std::size_t members_bytes = 0;
  std::uint64_t replayed = 0;
  for (int rep = 0; rep < repetitions; ++rep) {
    {  // baseline: open + frontier digest
      clocks t;
      auto db = store::store::open(data / "db");
      if (!db) die(db.error().message());
      auto listed = (*db)->communities();
      if (!listed || listed->size() != 1) die("the bench store should hold one community");
      auto digest = (*db)->frontier_digest(listed->front().id);
      if (!digest) die(digest.error().message());
      base_wall.push_back(t.wall_s());
      base_cpu.push_back(t.cpu_s());
    }
    {  // start and answer
      clocks t;
      auto db = store::store::open(data / "db");
      if (!db) die(db.error().message());
      const auto opened_at = t.wall_s();
      auto host = node::community_host::open(**db, key_of(0), data / "communities.json");
      if (!host) die(host.error().message());
      const auto restored_at = t.wall_s();
      auto ids = (*host)->ids();
      if (ids.size() != 1) die("the community did not come back");
      const std::string members = node::community::members_view_text(*(*host)->state_of(ids[0]));
      start_wall.push_back(t.wall_s());
      start_cpu.push_back(t.cpu_s());
      restore_wall.push_back(restored_at - opened_at);
      members_wall.push_back(t.wall_s() - restored_at);
      members_bytes = members.size();
      if ((*host)->state_of(ids[0])->applied() != record_count) die("the state lacks records");
      // The fork check every restore runs (here: none to mark), timed again on its own.
      clocks f;
      auto marked = (*host)->mark_forks(ids[0]);
      if (!marked || *marked != 0) die("the bench community should have no forks");
      fork_check_wall.push_back(f.wall_s());
    }
  }
  // After a crash: the persisted snapshot is the one `tail` records before the end (the most
  // a crash can leave behind with that persist_interval). restore() replays the tail and
  // writes a new snapshot, which puts the store back as it was.
  std::string tail_bytes;
  {
    auto db = store::store::open(data / "db");
    if (!db) die(db.error().message());
    const community_id c = (*(*db)->communities()).front().id;
    tail_bytes = snapshot_before_tail(**db, c, data, tail);
  }
  // Reading the tail alone from a freshly opened store: record by record through the total
  // order index, each a lookup by id in the records table.
  double read_tail_wall = 0, read_tail_cpu = 0;
  {
    auto decoded = node::community::decode_snapshot(tail_bytes);
    if (!decoded) die(decoded.error().message());
    const auto head = (*decoded)->head();
    clocks t;
    auto db = store::store::open(data / "db");
    if (!db) die(db.error().message());
    const community_id c = (*(*db)->communities()).front().id;
    std::size_t n = 0;
    status st = node::store_record_source(**db, c)(head, nullptr, [&](const record&) {
      ++n;
      return true;
    });
    if (!st.ok() || n != tail) die("reading the tail found " + std::to_string(n) + " records");
    read_tail_wall = t.wall_s();
    read_tail_cpu = t.cpu_s();
  }
  std::vector<double> tail_wall, tail_cpu, tail_open_wall, tail_open_cpu;
  std::vector<double> write_wall, write_cpu, encode_wall, encode_cpu;
  for (int rep = 0; rep < std::max(1, (repetitions + 1) / 2); ++rep) {
    {
      auto db = store::store::open(data / "db");
      if (!db) die(db.error().message());
      const community_id c = (*(*db)->communities()).front().id;
      // Persisted the way zwermd persists it (state_store's write), from a replayer holding
      // exactly that snapshot.
      node::state_store states(**db);
      if (status s = states.discard(c); !s.ok()) die(s.message());
      const node::community::record_source nothing =
          [](const std::optional<node::community::position>&,
             const node::community::position_filter&,
             const node::community::record_visitor&) { return status{}; };
      auto at_tail = node::community::replayer::open(c, tail_bytes, nothing);
      if (!at_tail) die("the tail snapshot does not decode: " + at_tail.error().message());
      if (status s = states.persist(c, **at_tail); !s.ok()) die(s.message());
    }
    clocks t;
    auto db = store::store::open(data / "db");
    if (!db) die(db.error().message());
    tail_open_wall.push_back(t.wall_s());
    tail_open_cpu.push_back(t.cpu_s());
    const community_id c = (*(*db)->communities()).front().id;
    // restore() leaves the new snapshot to the next absorb (persist_due) or the close; here
    // checkpoint() writes it, timed apart.
    node::state_store_options no_write;
    no_write.replayer.persist_interval = record_count * 2;
    node::state_store states(**db, no_write);
    node::restore_report report;
    auto restored = states.restore(c, &report);
    if (!restored) die(restored.error().message());
    const std::string members = node::community::members_view_text((*restored)->current());
    tail_wall.push_back(t.wall_s());
    tail_cpu.push_back(t.cpu_s());
    {  // the encoding alone, for the split of the write's cost
      clocks e;
      const std::string encoded = node::community::encode_snapshot((*restored)->current());
      encode_wall.push_back(e.wall_s());
      encode_cpu.push_back(e.cpu_s());
    }
    clocks w;
    if (status s = states.checkpoint(c, **restored); !s.ok()) die(s.message());
    write_wall.push_back(w.wall_s());
    write_cpu.push_back(w.cpu_s());
    if (!report.from_snapshot || report.replayed != tail) {
      die("the crash case did not restore from the kept snapshot plus the tail (" +
          report.discarded + ")");
    }
  }

  std::printf("records %zu, members %zu, members answer %zu bytes\n", record_count, member_count,
              members_bytes);
  std::printf("start (open + restore + members): wall %.3f s, cpu %.3f s (median of %d)\n",
              median(start_wall), median(start_cpu), repetitions);
  std::printf("  of which restore %.3f s, members %.3f s (wall)\n", median(restore_wall),
              median(members_wall));
  std::printf("  the fork check alone (mark_forks: one frontier read of %zu heads): %.4f s wall\n",
              member_count, median(fork_check_wall));
  std::printf("baseline (open + frontier digest): wall %.3f s, cpu %.3f s\n", median(base_wall),
              median(base_cpu));
  std::printf("ratio start / baseline: wall %.1f, cpu %.1f\n",
              median(start_wall) / median(base_wall),
              median(start_cpu) / std::max(median(base_cpu), 1e-6));
  std::printf(
      "start after a crash, %zu records after the snapshot (open + restore + members): "
      "wall %.3f s, cpu %.3f s (median of %zu)\n",
      tail, median(tail_wall), median(tail_cpu), tail_wall.size());
  std::printf(
      "  of which opening the store (right after the snapshot's write, as after a crash): "
      "wall %.3f s, cpu %.3f s\n",
      median(tail_open_wall), median(tail_open_cpu));
  std::printf(
      "  then writing the new snapshot (encode, the synced file, the meta): wall %.3f s, "
      "cpu %.3f s\n",
      median(write_wall), median(write_cpu));
  std::printf("    of which encoding the snapshot: wall %.3f s, cpu %.3f s\n", median(encode_wall),
              median(encode_cpu));
  std::printf(
      "  reading those %zu records alone from a freshly opened store: wall %.3f s, cpu %.3f s\n",
      tail, read_tail_wall, read_tail_cpu);
  if (!skip_rpc) bench_rpc(data, calls);
  if (!skip_replay) {
    clocks t;
    auto db = store::store::open(data / "db");
    if (!db) die(db.error().message());
    auto listed = (*db)->communities();
    if (!listed) die(listed.error().message());
    const community_id c = listed->front().id;
    auto rep = node::community::replayer::open(c, std::nullopt, node::store_record_source(**db, c));
    if (!rep) die(rep.error().message());
    const std::string members = node::community::members_view_text((*rep)->current());
    replayed = (*rep)->current().applied();
    std::printf(
        "previous start (open + replay all %llu records + members): wall %.3f s, cpu %.3f s "
        "(once)\n",
        static_cast<unsigned long long>(replayed), t.wall_s(), t.cpu_s());
  }
  return 0;
}
