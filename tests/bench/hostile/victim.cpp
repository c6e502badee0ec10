#include "tests/bench/hostile/victim.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "base/base64url.hpp"
#include "base/home.hpp"
#include "crypto/identity.hpp"
#include "node/daemon/community_host.hpp"
#include "node/ingest/ingest.hpp"
#include "node/records/record_writer.hpp"
#include "store/store.hpp"
#include "tests/bench/bench_util.hpp"

namespace zwerm::bench::hostile {
namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::int64_t unix_ms() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json must_cli(const testing::node_harness& n, const std::vector<std::string>& args) {
  json j = n.zwerm_json(args);
  if (j.is_null()) die(n.name() + ": zwerm " + args[0] + " failed");
  return j;
}

// The stores of A and B take the same records in the same batches: one member's invite, join
// (and leave) always in one batch, so each batch applies on its own.
struct fill_batches {
  std::vector<std::vector<node::record>> batches;
};

void commit(store::store& db, node::community_host& host, const std::vector<node::record>& batch,
            const std::string& who) {
  std::vector<store::record_entry> entries;
  entries.reserve(batch.size());
  for (const auto& r : batch) entries.push_back(node::to_entry(r));
  store::ingest_flags flags;
  flags.ids_checked = true;
  auto report = db.ingest(entries, {}, flags);
  if (!report) die(who + ": " + report.error().message());
  if (report->appended.size() != batch.size()) {
    die(who + "'s store did not append every record of the fill (" +
        std::to_string(report->appended.size()) + " of " + std::to_string(batch.size()) +
        "): B was not in sync with A before the fill");
  }
  if (status s = host.absorb(batch); !s.ok()) die(who + ": " + s.message());
}

}  // namespace

void die(const std::string& why) {
  throw setup_error(why);
}

namespace {
// Guarded pids, read by the signal handler: plain atomics, no locks, no allocation.
constexpr int max_guarded = 64;
std::atomic<pid_t> guarded[max_guarded];

extern "C" void stop_guarded(int signo) {
  for (auto& g : guarded) {
    const pid_t pid = g.load();
    if (pid > 0) ::kill(pid, SIGTERM);
  }
  ::_exit(128 + signo);
}
}  // namespace

pid_guard::pid_guard(pid_t pid) {
  for (int i = 0; i < max_guarded; ++i) {
    pid_t empty = 0;
    if (guarded[i].compare_exchange_strong(empty, pid)) {
      slot_ = i;
      return;
    }
  }
}

pid_guard::~pid_guard() {
  if (slot_ >= 0) guarded[slot_] = 0;
}

void stop_guarded_on_signals() {
  struct sigaction sa {};
  sa.sa_handler = stop_guarded;
  sigemptyset(&sa.sa_mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(s, &sa, nullptr);
}

// --- rpc_client -----------------------------------------------------------------------------

rpc_client::rpc_client(std::filesystem::path socket_path) : path_(std::move(socket_path)) {}

rpc_client::~rpc_client() {
  close();
}

bool rpc_client::open() {
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string path = path_.string();
  if (fd_ < 0 || path.size() >= sizeof(addr.sun_path)) return false;
  std::copy(path.begin(), path.end(), addr.sun_path);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    close();
    return false;
  }
  buffer_.clear();
  return true;
}

void rpc_client::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

json rpc_client::call(const std::string& method, const json& params, milliseconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd_ < 0 && !open()) return nullptr;
    const int id = ++id_;
    const std::string line =
        json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump() + "\n";
    bool broken = false;
    for (std::size_t sent = 0; sent < line.size() && !broken;) {
      const ssize_t n = ::send(fd_, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
      if (n <= 0)
        broken = true;
      else
        sent += static_cast<std::size_t>(n);
    }
    while (!broken) {
      if (auto end = buffer_.find('\n'); end != std::string::npos) {
        json answer = json::parse(buffer_.substr(0, end), nullptr, false);
        buffer_.erase(0, end + 1);
        if (!answer.is_object() || !answer.contains("id")) continue;  // a notification
        if (answer["id"] != id) continue;
        return answer;
      }
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - clock_type::now());
      if (left.count() <= 0) return nullptr;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return nullptr;
      char chunk[65536];
      const ssize_t n = ::read(fd_, chunk, sizeof(chunk));
      if (n <= 0)
        broken = true;
      else
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    close();  // the daemon closed an idle connection: once more on a new one
  }
  return nullptr;
}

json rpc_client::must(const std::string& method, const json& params) {
  json answer = call(method, params);
  if (!answer.is_object() || !answer.contains("result")) {
    die("rpc " + method + " failed: " + (answer.is_null() ? "no answer" : answer.dump()));
  }
  return answer["result"];
}

// --- process figures -----------------------------------------------------------------------

std::uint64_t rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

double cpu_seconds(pid_t pid) {
  namespace fs = std::filesystem;
  const fs::path tasks = "/proc/" + std::to_string(pid) + "/task";
  std::error_code ec;
  std::uint64_t ns = 0;
  bool any = false;
  for (const auto& t : fs::directory_iterator(tasks, ec)) {
    std::ifstream in(t.path() / "schedstat");
    std::uint64_t on_cpu = 0;
    if (in >> on_cpu) {
      ns += on_cpu;
      any = true;
    }
  }
  if (any) return static_cast<double>(ns) * 1e-9;
  return bench::stat_cpu_seconds("/proc/" + std::to_string(pid) + "/stat").value_or(0);
}

// --- victim ----------------------------------------------------------------------------------

victim::victim(victim_options options) : options_(options) {
  a_ = std::make_unique<testing::node_harness>("a");
  b_ = std::make_unique<testing::node_harness>("b");
  a_port_ = static_cast<std::uint16_t>(std::stoi(a_->listen().substr(a_->listen().rfind(':') + 1)));
  std::string why;
  if (!a_->start(&why)) die(why);
  pid_guard ga(a_->daemon()->pid());
  must_cli(*a_, {"community", "create", "Hostile", "--purpose", "bench", "--quorum", "1"});
  if (!b_->start(&why)) die(why);
  pid_guard gb(b_->daemon()->pid());
  json invite = must_cli(*a_, {"invite"});
  must_cli(*b_, {"join", invite.value("code", std::string())});
  // B holds everything A holds before both stop: the fill goes on from the same heads.
  if (!testing::eventually([&] {
        const auto ra = testing::records_of(*a_);
        return ra > 0 && ra == testing::records_of(*b_);
      })) {
    die("B did not catch up with A after joining");
  }
  if (a_->stop() != std::optional<int>(0) || b_->stop() != std::optional<int>(0)) {
    die("stopping A or B failed");
  }
  fill();
  if (!a_->start(&why) || !b_->start(&why)) die(why);
  a_guard_ = std::make_unique<pid_guard>(a_->daemon()->pid());
  b_guard_ = std::make_unique<pid_guard>(b_->daemon()->pid());
  rpc_a_ = std::make_unique<rpc_client>(home_paths{a_->home()}.socket());
  rpc_b_ = std::make_unique<rpc_client>(home_paths{b_->home()}.socket());
  // B reconnects to A (from the invite address in its peer book): wait until sync runs.
  bool synced = false;
  for (int i = 0; i < 10 && !synced; ++i) synced = honest_sync(std::chrono::seconds(3)).has_value();
  if (!synced) die("A and B do not sync after the fill");
}

victim::~victim() {
  rpc_a_.reset();
  rpc_b_.reset();
  if (b_) b_->stop();
  if (a_) a_->stop();
  a_guard_.reset();
  b_guard_.reset();
}

const crypto::key_pair& victim::member(std::size_t i) const {
  if (i >= attackers_.size()) die("not enough attacker members: raise victim_options::attackers");
  return attackers_[i];
}

void victim::fill() {
  const home_paths home_a{a_->home()}, home_b{b_->home()};
  auto me = crypto::load_identity(home_a.identity(), std::nullopt);
  if (!me) die(me.error().message());
  a_key_ = me->pk;
  fill_batches fb;
  {
    auto db = store::store::open(home_a.db());
    if (!db) die(db.error().message());
    auto host = node::community_host::open(**db, *me, home_a.root / "communities.json");
    if (!host) die(host.error().message());
    const auto ids = (*host)->ids();
    if (ids.size() != 1) die("A should hold one community");
    community_ = ids.front();
    auto key = (*host)->network_key(community_);
    if (!key) die("A holds no network key");
    network_ = *key;

    std::optional<node::feed_head> head;
    std::uint64_t max_lamport = 0;
    auto frontier = (*db)->frontier(community_);
    if (!frontier) die(frontier.error().message());
    for (const auto& f : *frontier) {
      for (auto cursor = (*db)->read_feed(community_, f.author, 1); cursor.valid(); cursor.next()) {
        const auto& e = cursor.entry();
        max_lamport = std::max(max_lamport, e.lamport);
        if (e.author == me->pk)
          head =
              node::feed_head{.author = e.author, .seq = e.seq, .id = e.id, .lamport = e.lamport};
      }
    }
    node::feed_writer writer(*me, community_, head, max_lamport);
    const std::int64_t now = unix_ms();
    const std::int64_t expires = now + 7 * 86'400'000LL;
    std::vector<node::record> batch;
    auto must = [](result<node::record> r) {
      if (!r) die(r.error().message());
      return std::move(*r);
    };
    auto add_member = [&](const crypto::key_pair& k, bool leave) {
      json invite{{"note", ""}, {"expires_ts", expires}, {"invitee", crypto::to_text(k.pk)}};
      node::record inv = must(writer.append("member.invite", invite.dump(), now));
      node::feed_writer w(k, community_, std::nullopt, inv.lamport);
      node::record join =
          must(w.append("member.join", json{{"invite", crypto::to_text(inv.id)}}.dump(), now));
      writer.observe(join.lamport);
      a_records_.push_back(inv);
      batch.push_back(std::move(inv));
      batch.push_back(std::move(join));
      if (leave) {
        node::record left = must(w.append("member.leave", json{{"reason", ""}}.dump(), now));
        writer.observe(left.lamport);
        batch.push_back(std::move(left));
      }
      if (batch.size() >= 3000) {
        fb.batches.push_back(std::move(batch));
        batch.clear();
      }
    };
    for (std::size_t i = 0; i < options_.attackers; ++i) {
      attackers_.push_back(crypto::generate_key_pair());
      add_member(attackers_.back(), false);
    }
    for (std::size_t i = 0; i < options_.crowd; ++i) {
      const crypto::key_pair k = crypto::generate_key_pair();
      if (i == 0) former_ = k.pk;
      add_member(k, true);
    }
    if (!batch.empty()) fb.batches.push_back(std::move(batch));
    for (const auto& b : fb.batches) {
      commit(**db, **host, b, "A");
      fill_records_ += b.size();
    }
    auto after = (*db)->frontier(community_);
    if (!after) die(after.error().message());
    feeds_ = after->size();
  }
  auto me_b = crypto::load_identity(home_b.identity(), std::nullopt);
  if (!me_b) die(me_b.error().message());
  auto db = store::store::open(home_b.db());
  if (!db) die(db.error().message());
  auto host = node::community_host::open(**db, *me_b, home_b.root / "communities.json");
  if (!host) die(host.error().message());
  for (const auto& b : fb.batches) commit(**db, **host, b, "B");
}

std::optional<double> victim::honest_sync(milliseconds within) {
  const std::string title = "honest check " + std::to_string(++honest_count_);
  json asked = rpc_a_->call("ask", {{"title", title}, {"body", ""}, {"tags", json::array()}});
  if (!asked.is_object() || !asked.contains("result")) return std::nullopt;
  const std::string id = asked["result"].value("record_id", std::string());
  if (id.empty()) return std::nullopt;
  const auto start = clock_type::now();
  const json query{{"author", crypto::to_text(a_key_)}, {"type", "request"}, {"limit", 5}};
  do {
    json feed = rpc_b_->call("feed", query, within);
    if (feed.is_object() && feed.dump().find(id) != std::string::npos) {
      return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
    }
    std::this_thread::sleep_for(milliseconds(10));
  } while (clock_type::now() - start < within);
  return std::nullopt;
}

std::int64_t victim::records_on_a() {
  json s = rpc_a_->call("status");
  if (!s.is_object() || !s.contains("result")) return -1;
  const json& r = s["result"];
  if (!r.contains("communities") || r["communities"].empty()) return -1;
  return r["communities"][0].value("records", std::int64_t{-1});
}

std::uint64_t victim::rss_kib() {
  return hostile::rss_kib(a_pid());
}

double victim::cpu_s() {
  return cpu_seconds(a_pid());
}

}  // namespace zwerm::bench::hostile
