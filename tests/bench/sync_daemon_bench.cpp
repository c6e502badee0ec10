// bench_sync_daemon: catch-up between two zwermd processes over loopback
// (docs/PERFORMANCE.md, "Sync", "Catch-up between two daemons").
//
// Setup, each repetition: two homes made by `zwerm init`; A creates a community, B joins it
// with a token (both daemons running, through the CLI), both stop. Then RECORDS requests of
// ≈ 370 bytes (bench_sync's size, ≈ 300-byte payloads) are appended to A's feed directly in
// A's store (node::feed_writer, store::ingest, community_host::absorb: what zwermd does for
// `zwerm ask`, in batches), so B, already an active member, lacks exactly those. B's home is
// copied aside then, and put back before each variant, so every variant starts from the same
// B.
//
// Variants: B's config `verify_threads` (default: 1 and 2). Each repetition runs every variant
// once, one after the other. Before the first, A is started once and stopped when its CPU time
// stands still: its first start after the fill does extra work (compaction, state restore) that
// would otherwise fall into the first variant only. A's home, like B's, is then copied aside and
// put back before each variant, so every variant starts from the same two homes (A's serving
// changes its store: LevelDB compacts tables that reads search in vain), and the file system
// is synced before the variant starts.
//
// Measured per variant: A starts; the clock runs from B's start (its daemon start-up included)
// until B's status (the `status` RPC, what `zwerm status` shows, asked over one connection to
// B's zwermd.sock every 20 ms: resolution 20 ms) shows A's feed at A's head.
// Records/s = RECORDS / that time. Baseline, same repetition: raw crypto::verify
// (crypto_sign_verify_detached) over the same records, one core, right before the variant and
// right after it (the mean of the two rates). Ratio = catch-up ÷ verify.
// CPU: user + system time of each daemon (/proc/PID/stat) over the same interval (B: since
// its start; A: from B's start), in µs per record: unlike the wall figures it does not depend
// on what else the machine runs. Load: /proc/loadavg's 1-minute figure when the variant ends.
// Sync bytes: B's `bytes_sent` + `bytes_received` (status `sync`, both ways, since its start)
// when it caught up ÷ the bytes of the records caught up. These are sync messages without the
// transport's framing (one 34-byte box-stream header per frame of up to 4096 bytes, ≈ +0.8 %
// at full frames, is not counted).
//
// With --feeds F, the fill adds F members instead (A writes an invite for each, each writes
// its join and RECORDS / F - 1 requests), so B lacks F short feeds and F invites in A's.
// B has caught up when its status shows as many records as A's (`communities[].records`).
// Then the signatures B stored on the word of a later record (authentication by chain,
// PROTOCOL.md §2.11) are checked by its background thread: the bench waits until status shows
// none unchecked and reports when, with B's CPU then (and that thread's, zw-sigcheck). After
// both stop, B's store is compacted in full and its files' bytes are divided by the bytes of
// the records caught up.
//
// Usage: bench_sync_daemon [--records N] [--repetitions R] [--verify-threads 1,2] [--feeds F]
//        (defaults 100000, 3, 1,2 and 0: every record in A's own feed)
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/base64url.hpp"
#include "base/home.hpp"
#include "crypto/identity.hpp"
#include "crypto/sign.hpp"
#include "crypto/sodium.hpp"
#include "node/daemon/community_host.hpp"
#include "node/ingest/ingest.hpp"
#include "node/records/record_writer.hpp"
#include "store/store.hpp"
#include "tests/bench/bench_util.hpp"
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

// One JSON-RPC connection to a daemon's zwermd.sock, kept open for the polls: a `zwerm status`
// process every 20 ms would cost the shared cores more than the daemons' own status call.
class rpc_client {
 public:
  explicit rpc_client(const std::filesystem::path& socket_path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string path = socket_path.string();
    if (fd_ < 0 || path.size() >= sizeof(addr.sun_path)) die("cannot make a socket for " + path);
    std::copy(path.begin(), path.end(), addr.sun_path);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
      die("cannot connect to " + path);
    }
  }
  ~rpc_client() { ::close(fd_); }
  rpc_client(const rpc_client&) = delete;
  rpc_client& operator=(const rpc_client&) = delete;

  // The result of `method`, or dies with the daemon's error.
  json call(const std::string& method, const json& params = json::object()) {
    const std::string line =
        json{{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", method}, {"params", params}}.dump() +
        "\n";
    for (std::size_t sent = 0; sent < line.size();) {
      const ssize_t n = ::write(fd_, line.data() + sent, line.size() - sent);
      if (n <= 0) die("writing to the daemon's socket failed");
      sent += static_cast<std::size_t>(n);
    }
    for (;;) {
      if (auto end = buffer_.find('\n'); end != std::string::npos) {
        json answer = json::parse(buffer_.substr(0, end));
        buffer_.erase(0, end + 1);
        if (!answer.contains("id")) continue;  // a notification
        if (answer.contains("error")) die(method + ": " + answer["error"].dump());
        return answer["result"];
      }
      char chunk[65536];
      const ssize_t n = ::read(fd_, chunk, sizeof(chunk));
      if (n <= 0) die("the daemon closed its socket");
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  int id_ = 0;
  std::string buffer_;
};

// A's head of its own feed as the daemon behind `rpc` sees it (have_seq in status), or 0.
std::uint64_t have_seq(rpc_client& rpc, const std::string& author) {
  json s = rpc.call("status");
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

// A's store, opened while A's daemon is stopped, to append records the way zwermd does for
// `zwerm ask` (store::ingest, then community_host::absorb), in batches.
struct a_store {
  explicit a_store(const testing::node_harness& a) {
    home_paths home{a.home()};
    auto id = crypto::load_identity(home.identity(), std::nullopt);
    if (!id) die(id.error().message());
    me = *id;
    auto opened = store::store::open(home.db());
    if (!opened) die(opened.error().message());
    db = std::move(*opened);
    auto h = node::community_host::open(*db, me, home.root / "communities.json");
    if (!h) die(h.error().message());
    host = std::move(*h);
    const auto ids = host->ids();
    if (ids.size() != 1) die("A should hold one community");
    community = ids.front();
    // A's head, and the largest lamport in the community (a feed's head has its largest).
    auto frontier = db->frontier(community);
    if (!frontier) die(frontier.error().message());
    for (const auto& f : *frontier) {
      max_lamport = std::max(max_lamport, f.lamport);
      if (f.author == me.pk) head = f;
    }
  }

  // Stores and absorbs `batch`, then moves it to the end of `out`.
  void commit(std::vector<node::record>& batch, filled& out) {
    std::vector<store::record_entry> entries;
    for (const auto& r : batch) entries.push_back(node::to_entry(r));
    store::ingest_flags flags;
    flags.ids_checked = true;
    auto report = db->ingest(entries, {}, flags);
    if (!report) die(report.error().message());
    if (report->appended.size() != batch.size()) die("the store did not append every record");
    if (status s = host->absorb(batch); !s.ok()) die(s.message());
    for (auto& r : batch) out.added.push_back(std::move(r));
    batch.clear();
  }

  crypto::key_pair me;
  std::unique_ptr<store::store> db;
  std::unique_ptr<node::community_host> host;
  community_id community;
  std::optional<node::feed_head> head;
  std::uint64_t max_lamport = 0;
};

// Appends `count` requests to A's feed in A's store (A's daemon must be stopped).
filled fill(const testing::node_harness& a, std::size_t count) {
  a_store as(a);
  node::feed_writer writer(as.me, as.community, as.head, as.max_lamport);
  filled out;
  std::vector<node::record> batch;
  const std::string filler(12, 'x');  // ≈ 370-byte records, as bench_sync
  for (std::size_t i = 0; i < count; ++i) {
    json body{{"title", "question " + std::to_string(i)}, {"body", filler}, {"tags", {"bench"}}};
    auto r =
        writer.append("request", body.dump(), 1'700'000'000'000 + static_cast<std::int64_t>(i));
    if (!r) die(r.error().message());
    out.head = r->seq;
    batch.push_back(std::move(*r));
    if (batch.size() == 10'000) as.commit(batch, out);
  }
  if (!batch.empty()) as.commit(batch, out);
  return out;
}

// Adds `feeds` members to A's community in A's store (A's daemon must be stopped): A writes an
// invite for each, each writes its join and then `per_feed - 1` requests of the same size as
// fill()'s. Returns every record added (A's invites included), in commit order.
filled fill_feeds(const testing::node_harness& a, std::size_t feeds, std::size_t per_feed) {
  a_store as(a);
  node::feed_writer inviter(as.me, as.community, as.head, as.max_lamport);
  filled out;
  std::vector<node::record> batch;
  const std::string filler(12, 'x');
  const std::int64_t t0 = 1'700'000'000'000;
  std::uint64_t lamport = as.max_lamport;
  for (std::size_t m = 0; m < feeds; ++m) {
    const auto key = crypto::generate_key_pair();
    inviter.observe(lamport);
    auto inv = inviter.append("member.invite",
                              json{{"invitee", crypto::to_text(key.pk)},
                                   {"note", ""},
                                   {"expires_ts", t0 + 365LL * 24 * 3600 * 1000}}
                                  .dump(),
                              t0 + static_cast<std::int64_t>(m));
    if (!inv) die(inv.error().message());
    lamport = inv->lamport;
    out.head = inv->seq;
    node::feed_writer member(key, as.community, std::nullopt, lamport);
    auto join = member.append("member.join", json{{"invite", crypto::to_text(inv->id)}}.dump(),
                              t0 + static_cast<std::int64_t>(m) + 1);
    if (!join) die(join.error().message());
    lamport = join->lamport;
    batch.push_back(std::move(*inv));
    batch.push_back(std::move(*join));
    for (std::size_t i = 1; i < per_feed; ++i) {
      json body{{"title", "question " + std::to_string(i)}, {"body", filler}, {"tags", {"bench"}}};
      auto r = member.append("request", body.dump(), t0 + static_cast<std::int64_t>(m) + 1);
      if (!r) die(r.error().message());
      lamport = r->lamport;
      batch.push_back(std::move(*r));
    }
    if (batch.size() >= 10'000) as.commit(batch, out);
  }
  if (!batch.empty()) as.commit(batch, out);
  return out;
}

// Records the daemon behind `rpc` holds and applied in its (only) community. Asks for no lag
// rows: the full list reads every member's head, which at 10,000 members and a poll every
// 50 ms took a tenth of B's I/O thread, and even the feeds behind read thousands of heads
// per poll while B catches up.
std::uint64_t records_held(rpc_client& rpc) {
  json s = rpc.call("status", json{{"lag", "none"}});
  for (const auto& c : s.value("communities", json::array())) return c.value("records", 0ull);
  return 0;
}

// Records whose signatures wait for the background check (status `signatures.unchecked`).
std::uint64_t unchecked_signatures(rpc_client& rpc) {
  json s = rpc.call("status", json{{"lag", "none"}});
  return s.value("signatures", json::object()).value("unchecked", 0ull);
}

// Bytes of the regular files under `dir`.
std::uint64_t bytes_under(const std::filesystem::path& dir) {
  std::uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

double thread_cpu_seconds() {
  return bench::cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
}

// Raw verify over `records` on this thread: records per wall second; *cpu_us gets the CPU
// microseconds per record (load-independent, compared with the daemons' CPU per record).
double verify_rate(const std::vector<node::record>& records, double* cpu_us) {
  std::size_t ok = 0;
  const double cpu_start = thread_cpu_seconds();
  const auto start = clock_type::now();
  for (const auto& r : records) {
    crypto::signature sig;
    std::copy_n(r.signature_bytes().begin(), sig.bytes.size(), sig.bytes.begin());
    ok += crypto::verify(sig, r.payload(), r.author);
  }
  const double s = std::chrono::duration<double>(clock_type::now() - start).count();
  *cpu_us = (thread_cpu_seconds() - cpu_start) * 1e6 / static_cast<double>(records.size());
  if (ok != records.size()) die("a record did not verify");
  return static_cast<double>(records.size()) / s;
}

// User + system CPU seconds so far of a running process (/proc/PID/stat fields 14 and 15), or
// of one of its threads (/proc/PID/task/TID/stat).
double cpu_seconds(const std::string& stat_file) {
  auto s = bench::stat_cpu_seconds(stat_file);
  if (!s) die("cannot read " + stat_file);
  return *s;
}

double cpu_seconds(pid_t pid) {
  return cpu_seconds("/proc/" + std::to_string(pid) + "/stat");
}

// CPU seconds of a daemon's live threads by role: the I/O thread (the main one), the ingest
// queue's verify threads (named zw-verify-N) and its writer (zw-commit), and the rest
// (LevelDB's compaction thread, ...).
struct thread_cpu {
  double io = 0, verify = 0, commit = 0, sigcheck = 0, other = 0;
};

thread_cpu cpu_by_thread(pid_t pid) {
  namespace fs = std::filesystem;
  thread_cpu out;
  const fs::path tasks = "/proc/" + std::to_string(pid) + "/task";
  std::error_code ec;
  for (const auto& t : fs::directory_iterator(tasks, ec)) {
    std::ifstream comm_file(t.path() / "comm");
    std::string comm;
    std::getline(comm_file, comm);
    const double s = cpu_seconds((t.path() / "stat").string());
    if (t.path().filename() == std::to_string(pid)) {
      out.io += s;
    } else if (comm.starts_with("zw-verify")) {
      out.verify += s;
    } else if (comm == "zw-commit") {
      out.commit += s;
    } else if (comm == "zw-sigcheck") {
      out.sigcheck += s;
    } else {
      out.other += s;
    }
  }
  return out;
}

double load_average() {
  std::ifstream in("/proc/loadavg");
  double one = 0;
  in >> one;
  return one;
}

// Copies the regular files of `from` into `to` (made empty first), recursively: a stopped
// daemon's home (its socket and lock files are left out).
void copy_home(const std::filesystem::path& from, const std::filesystem::path& to) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(to)) fs::remove_all(entry.path(), ec);
  for (const auto& entry : fs::recursive_directory_iterator(from)) {
    const fs::path target = to / fs::relative(entry.path(), from);
    if (entry.is_directory()) {
      fs::create_directories(target);
    } else if (entry.is_regular_file()) {
      fs::create_directories(target.parent_path());
      fs::copy_file(entry.path(), target, fs::copy_options::overwrite_existing, ec);
      if (ec) die("cannot copy " + entry.path().string() + ": " + ec.message());
    }
  }
}

// Sets `verify_threads` in the home's config.json (written by zwerm init; comments allowed).
void set_verify_threads(const std::filesystem::path& home, std::size_t threads) {
  const auto file = home / "config.json";
  json config = json::object();
  {
    std::ifstream in(file);
    if (in) config = json::parse(in, nullptr, true, /*ignore_comments=*/true);
  }
  config["verify_threads"] = threads;
  std::ofstream out(file, std::ios::trunc);
  out << config.dump(2) << "\n";
  if (!out) die("cannot write " + file.string());
}

struct figures {
  std::vector<double> ratios, rates, baselines, wire_ratios, cpu_a, cpu_b, cpu_verify, loads;
  std::vector<double> b_io, b_verify, b_commit, b_other;  // B's CPU per record by thread
  std::vector<double> background_s, b_cpu_after_background, b_sigcheck, disk_ratios;
};

using bench::median;

}  // namespace

int main(int argc, char** argv) {
  std::size_t records = 100'000;
  int repetitions = 3;
  std::vector<std::size_t> variants = {1, 2};
  std::size_t feeds = 0;  // 0: every record in A's own feed
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--records") {
      records = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (flag == "--repetitions") {
      repetitions = std::atoi(argv[i + 1]);
    } else if (flag == "--feeds") {
      feeds = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (flag == "--verify-threads") {
      variants.clear();
      std::istringstream list(argv[i + 1]);
      std::string item;
      while (std::getline(list, item, ','))
        variants.push_back(std::strtoull(item.c_str(), nullptr, 10));
    } else {
      die("unknown flag " + flag +
          " (--records N, --repetitions R, --verify-threads 1,2, --feeds F)");
    }
  }
  if (records == 0 || repetitions < 1) die("--records and --repetitions must be positive");
  if (variants.empty() || std::count(variants.begin(), variants.end(), 0u) > 0) {
    die("--verify-threads takes a list of positive counts, e.g. 1,2");
  }
  crypto::init();
  std::vector<figures> by_variant(variants.size());
  std::size_t record_bytes = 0;
  std::size_t caught_up = 0;  // records B lacks at the start of each variant
  for (int rep = 0; rep < repetitions; ++rep) {
    testing::node_harness a("a"), b("b");
    std::string why;
    if (!a.start(&why) || !b.start(&why)) die(why);
    must_json(a, {"community", "create", "Catch-up", "--purpose", "bench"});
    json invite = must_json(a, {"invite"});
    must_json(b, {"join", invite.value("code", std::string())});
    if (a.stop() != std::optional<int>(0) || b.stop() != std::optional<int>(0)) die("stop failed");

    filled f = feeds == 0 ? fill(a, records) : fill_feeds(a, feeds, records / feeds);
    caught_up = f.added.size();  // what B lacks
    record_bytes = 0;
    for (const auto& r : f.added) record_bytes += r.bytes.size();
    testing::temp_dir b_saved("zwerm-bench-b");
    copy_home(b.home(), b_saved.path());
    // A's first start after the fill does extra work (LevelDB compacts the freshly written
    // store, the state is restored): done once here, until A's CPU time stands still, so that
    // it falls into no variant.
    if (!a.start(&why)) die(why);
    std::uint64_t target = 0;  // the records A holds: B has caught up when it holds as many
    {
      rpc_client a_rpc(home_paths{a.home()}.socket());
      target = records_held(a_rpc);
      if (target < caught_up) die("A's status shows fewer records than the fill added");
    }
    {
      const pid_t pid = a.daemon()->pid();
      double before = cpu_seconds(pid);
      for (int quiet = 0, i = 0; quiet < 3 && i < 300; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const double now = cpu_seconds(pid);
        quiet = now - before < 0.005 ? quiet + 1 : 0;
        before = now;
      }
    }
    if (a.stop() != std::optional<int>(0)) die("stop failed");
    testing::temp_dir a_saved("zwerm-bench-a");
    copy_home(a.home(), a_saved.path());

    for (std::size_t v = 0; v < variants.size(); ++v) {
      copy_home(a_saved.path(), a.home());
      copy_home(b_saved.path(), b.home());
      set_verify_threads(b.home(), variants[v]);
      // The copies leave ≈ 100 MB of dirty page cache; written back during the variant, they
      // would cost the daemons' cores and syncs (ext4 commits them with the daemons' fsyncs).
      ::sync();
      double verify_cpu_before = 0;
      const double baseline_before = verify_rate(f.added, &verify_cpu_before);

      if (!a.start(&why)) die(why);
      const pid_t a_pid = a.daemon()->pid();
      const double a_cpu_before = cpu_seconds(a_pid);
      const auto start = clock_type::now();
      if (!b.start(&why)) die(why);
      const pid_t b_pid = b.daemon()->pid();
      const auto deadline = start + std::chrono::minutes(10);
      rpc_client b_rpc(home_paths{b.home()}.socket());
      double first_s = 0;  // until B's status first shows records of A's fill
      for (std::uint64_t held = 0; (held = records_held(b_rpc)) < target;) {
        if (clock_type::now() > deadline) die("B did not catch up within 10 minutes");
        if (first_s == 0 && held > target - caught_up) {
          first_s = std::chrono::duration<double>(clock_type::now() - start).count();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (feeds == 0 && have_seq(b_rpc, a.member_id()) != f.head) die("B lacks A's head");
      const double s = std::chrono::duration<double>(clock_type::now() - start).count();
      const double a_cpu = cpu_seconds(a_pid) - a_cpu_before;
      const double b_cpu = cpu_seconds(b_pid);
      const thread_cpu b_threads = cpu_by_thread(b_pid);
      const double load = load_average();
      const double rate = static_cast<double>(caught_up) / s;
      double sync_bytes = 0;
      json status = b_rpc.call("status");
      for (const auto& row : status.value("sync", json::array())) {
        sync_bytes += row.value("bytes_sent", 0.0) + row.value("bytes_received", 0.0);
      }
      // The signatures stored on the word of a later record, checked by B's background thread
      // at the lowest priority: done when status shows none unchecked.
      while (unchecked_signatures(b_rpc) > 0) {
        if (clock_type::now() > deadline) die("B's background checks did not end in 10 minutes");
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      const double background_s = std::chrono::duration<double>(clock_type::now() - start).count();
      const double b_cpu_after = cpu_seconds(b_pid);
      const double b_sigcheck = cpu_by_thread(b_pid).sigcheck;
      if (a.stop() != std::optional<int>(0) || b.stop() != std::optional<int>(0)) {
        die("stop failed");
      }
      // Bytes on disk: B's store after a full compaction ÷ the bytes of the records it holds.
      double disk_ratio = 0;
      {
        auto db = store::store::open(home_paths{b.home()}.db());
        if (!db) die(db.error().message());
        if (zwerm::status st = (*db)->compact(); !st.ok()) die(st.message());
        // What the rows hold before LevelDB's own overhead (layouts: store/keys.hpp): the R
        // row of each record (33-byte key; version, community, author, seq, lamport, prev and
        // the record's bytes), its S and O index rows, and the views table (node/'s rows: the
        // community state's snapshot).
        double rows_r = 0, rows_index = 0, rows_views = 0, held = 0;
        auto communities = (*db)->communities();
        if (!communities) die(communities.error().message());
        for (const auto& c : *communities) {
          auto heads = (*db)->frontier(c.id);
          if (!heads) die(heads.error().message());
          for (const auto& h : *heads) {
            for (auto cur = (*db)->read_feed(c.id, h.author, 1); cur.valid(); cur.next()) {
              const auto& e = cur.entry();
              rows_r += 33 + 1 + 32 + 32 + 8 + 8 + 1 + (e.prev ? 32 : 0) + e.bytes.size();
              rows_index += (73 + 32) + (81 + 32);
              ++held;
            }
          }
        }
        auto views = (*db)->scan_views("");
        if (!views) die(views.error().message());
        for (const auto& [k, v] : *views) rows_views += 1 + k.size() + v.size();
        auto by_table = (*db)->bytes_by_table();
        if (!by_table) die(by_table.error().message());
        db->reset();
        const double on_disk = static_cast<double>(bytes_under(home_paths{b.home()}.db()));
        disk_ratio = on_disk / static_cast<double>(record_bytes);
        std::printf(
            "  B's store: %.0f records; per record on disk %.0f bytes, in rows: record %.0f, "
            "indexes %.0f, views %.0f (LevelDB's overhead and what else %.0f)\n",
            held, on_disk / held, rows_r / held, rows_index / held, rows_views / held,
            (on_disk - rows_r - rows_index - rows_views) / held);
        // LevelDB's estimate by table, and the community state's snapshot file beside them.
        std::printf("  in its files, per record:");
        for (const auto& [table, bytes] : *by_table) {
          std::printf(" %s %.0f", table.c_str(), static_cast<double>(bytes) / held);
        }
        const auto snapshots = node::state_snapshot_dir(home_paths{b.home()}.db());
        std::printf(", state snapshot %.0f\n",
                    std::filesystem::exists(snapshots)
                        ? static_cast<double>(bytes_under(snapshots)) / held
                        : 0.0);
      }
      // The baseline again right after the variant: this VM's core speed drifts by a few
      // percent over seconds, so the variant is compared with the mean of both sides of it.
      double verify_cpu_after = 0;
      const double baseline_after = verify_rate(f.added, &verify_cpu_after);
      const double baseline = (baseline_before + baseline_after) / 2;
      const double verify_cpu = (verify_cpu_before + verify_cpu_after) / 2;
      const double wire_ratio = sync_bytes / static_cast<double>(record_bytes);
      const double per = 1e6 / static_cast<double>(caught_up);
      figures& fig = by_variant[v];
      fig.wire_ratios.push_back(wire_ratio);
      fig.rates.push_back(rate);
      fig.baselines.push_back(baseline);
      fig.ratios.push_back(rate / baseline);
      fig.cpu_a.push_back(a_cpu * per);
      fig.cpu_b.push_back(b_cpu * per);
      fig.cpu_verify.push_back(verify_cpu);
      fig.b_io.push_back(b_threads.io * per);
      fig.b_verify.push_back(b_threads.verify * per);
      fig.b_commit.push_back(b_threads.commit * per);
      fig.b_other.push_back(b_threads.other * per);
      fig.loads.push_back(load);
      fig.background_s.push_back(background_s);
      fig.b_cpu_after_background.push_back(b_cpu_after * per);
      fig.b_sigcheck.push_back(b_sigcheck * per);
      fig.disk_ratios.push_back(disk_ratio);
      std::printf(
          "repetition %d, verify_threads %zu: %zu records in %.2f s (first seen at %.2f s): %.0f "
          "records/s; verify %.0f records/s (%.0f before, %.0f after); ratio %.2f; CPU per "
          "record: B %.1f us (I/O thread %.1f, verify threads %.1f, commit thread %.1f, other "
          "%.1f), A %.1f us, raw verify %.1f us; load %.2f; sync bytes / record bytes %.3f\n",
          rep + 1, variants[v], caught_up, s, first_s, rate, baseline, baseline_before,
          baseline_after, rate / baseline, b_cpu * per, b_threads.io * per, b_threads.verify * per,
          b_threads.commit * per, b_threads.other * per, a_cpu * per, verify_cpu, load, wire_ratio);
      std::printf(
          "  background checks done at %.2f s; B's CPU per record then %.1f us (background "
          "thread %.1f); B's store after compaction / record bytes %.3f\n",
          background_s, b_cpu_after * per, b_sigcheck * per, disk_ratio);
      std::fflush(stdout);
    }
  }
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const figures& fig = by_variant[v];
    std::printf(
        "median of %d, verify_threads %zu: catch-up %.0f records/s, raw verify %.0f records/s, "
        "ratio %.2f; CPU per record: B %.1f us (I/O thread %.1f, verify threads %.1f, commit "
        "thread %.1f, other %.1f), A %.1f us, raw verify %.1f us; load %.2f "
        "(%.0f bytes per record); sync bytes / record bytes %.3f\n",
        repetitions, variants[v], median(fig.rates), median(fig.baselines), median(fig.ratios),
        median(fig.cpu_b), median(fig.b_io), median(fig.b_verify), median(fig.b_commit),
        median(fig.b_other), median(fig.cpu_a), median(fig.cpu_verify), median(fig.loads),
        static_cast<double>(record_bytes) / static_cast<double>(caught_up),
        median(fig.wire_ratios));
    std::printf(
        "  background checks done at %.2f s; B's CPU per record then %.1f us (background thread "
        "%.1f); B's store after compaction / record bytes %.3f\n",
        median(fig.background_s), median(fig.b_cpu_after_background), median(fig.b_sigcheck),
        median(fig.disk_ratios));
  }
  return 0;
}
