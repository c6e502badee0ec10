// Attacks 3 and 4: an admitted member abuses sync. A `peers` message nobody asked for, naming
// non-member keys at an address the attacker listens on (3); records of 20,000 fresh keys, as
// one-record feeds and as joins naming invites that do not exist (4).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "base/base64url.hpp"
#include "crypto/hash.hpp"
#include "node/records/record_writer.hpp"
#include "node/sync/messages.hpp"
#include "tests/bench/hostile/attacks.hpp"

namespace zwerm::bench::hostile {
namespace {

namespace sync = node::sync;
using std::chrono::seconds;

// A TCP listener on `host`, port chosen by the system; counts the connections made to it.
class bait_listener {
 public:
  explicit bait_listener(const std::string& host) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    ::inet_pton(AF_INET, host.c_str(), &a.sin_addr);
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(fd_, 64) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      die("cannot listen on " + host);
    }
    port_ = ntohs(a.sin_port);
  }
  ~bait_listener() {
    for (int c : accepted_) ::close(c);
    ::close(fd_);
  }
  std::uint16_t port() const { return port_; }
  // Connections that arrived so far (the kernel completes them without accept()).
  std::size_t connections() {
    for (int c; (c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC)) >= 0;) accepted_.push_back(c);
    return accepted_.size();
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::vector<int> accepted_;
};

// Sends `messages` one at a time, each time waiting for A's ack (or the end of the session).
// Returns how many were sent before the session ended (all of them when it did not).
std::size_t send_until_end(wire_client& c, const std::vector<std::string>& messages) {
  std::size_t sent = 0;
  for (const auto& m : messages) {
    if (c.is_ended() || !c.send(m)) break;
    ++sent;
    const auto deadline = clock_type::now() + seconds(5);
    while (!c.is_ended() && clock_type::now() < deadline) {
      auto reply = c.next(milliseconds(100));
      if (reply && !reply->empty() && (*reply)[0] == static_cast<char>(sync::message_type::ack))
        break;
    }
  }
  c.wait_end(milliseconds(300));
  return sent;
}

// Records packed into `records` messages of at most 60 KiB each (what zwerm sends), with the
// number of records in each.
struct packed {
  std::vector<std::string> messages;
  std::vector<std::size_t> counts;
  std::size_t records_in_first(std::size_t k) const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < k && i < counts.size(); ++i) n += counts[i];
    return n;
  }
};

packed pack(const std::vector<std::string>& items) {
  packed out;
  sync::records m;
  std::size_t bytes = 0;
  auto flush = [&] {
    out.messages.push_back(sync::encode(m));
    out.counts.push_back(m.items.size());
    m.items.clear();
    bytes = 0;
  };
  for (const auto& item : items) {
    if (!m.items.empty() && bytes + item.size() > 60 * 1024) flush();
    bytes += item.size();
    m.items.push_back(item);
  }
  if (!m.items.empty()) flush();
  return out;
}

// One record by each of `n` fresh keys, made by `make` (key) -> (type, body).
template <class Make>
std::vector<std::string> fresh_feeds(const community_id& community, std::size_t n, Make make) {
  std::vector<std::string> items;
  items.reserve(n);
  const std::int64_t now = unix_ms();
  for (std::size_t i = 0; i < n; ++i) {
    const crypto::key_pair k = crypto::generate_key_pair();
    node::feed_writer w(k, community, std::nullopt, 1);
    auto [type, body] = make(i);
    auto r = w.append(type, body, now);
    if (!r) die(r.error().message());
    items.push_back(std::move(r->bytes));
  }
  return items;
}

}  // namespace

void attack_peer_exchange(attack_context& ctx) {
  victim& v = ctx.v;
  attack_result r;
  r.id = "3";
  r.name = "peer-exchange backdoor";
  r.rss_before_kib = v.rss_kib();
  const std::string source = "127.0.0.24";
  bait_listener bait("127.0.0.25");
  const std::string address = "127.0.0.25:" + std::to_string(bait.port());
  std::string why;
  auto s = open_session(v, source, v.member(1), "", &why);
  if (!s) {
    r.failures.push_back("setup: the member was not admitted: " + why);
    finish(v, r);
    ctx.results.push_back(std::move(r));
    return;
  }
  wire_client& c = *s->client;
  // Two non-members at the attacker's address: a fresh key, and a member who left.
  sync::peers list;
  list.entries.push_back({crypto::generate_key_pair().pk, address});
  list.entries.push_back({v.former_member(), address});
  const std::string message = sync::encode(list);
  const double cpu0 = v.cpu_s();
  const std::uint64_t in0 = c.wire_out(), out0 = c.wire_in();
  std::size_t sent = 0;
  std::string solicited = "A did not ask for addresses";
  if (s->peers_requested) {
    // A asked (it is below its target of peers): the first list is an answer, not a fault.
    c.send(message);
    ++sent;
    c.drain(milliseconds(200), milliseconds(500), nullptr);
    solicited = c.is_ended() ? "A asked for addresses and closed on the answer"
                             : "A asked for addresses; the answer was taken as hints";
  }
  const auto t0 = clock_type::now();
  if (!c.is_ended()) {
    c.send(message);
    ++sent;
  }
  const bool closed = c.wait_end(seconds(2));
  if (closed) {
    r.after_ms = std::chrono::duration<double, std::milli>(c.ended_at() - t0).count();
  }
  r.after_messages = sent;
  r.cpu_us_per_message =
      (v.cpu_s() - cpu0) * 1e6 / static_cast<double>(std::max<std::size_t>(1, sent));
  r.out_per_in = static_cast<double>(c.wire_in() - out0) /
                 static_cast<double>(std::max<std::uint64_t>(1, c.wire_out() - in0));
  // Would A dial the address? Give its peer manager time to try.
  std::this_thread::sleep_for(ctx.opt.quick ? seconds(2) : seconds(5));
  const std::size_t dials = bait.connections();
  const bool banned =
      closed && looks_banned(source, "127.0.0.1", v.a_port(), v.network(), v.a_key());
  json peers = v.rpc_a().call("peers");
  const bool in_book = peers.dump().find(address) != std::string::npos;
  r.answer = !closed ? "not closed" : banned ? "closed + banned" : "closed, not banned";
  if (!closed) r.failures.push_back("an unsolicited peers message did not end the session");
  if (closed && !banned) r.failures.push_back("the sender of unsolicited peers was not banned");
  if (dials > 0) r.failures.push_back(fmt("A dialed the attacker's address %zu times", dials));
  r.sent = "peers naming a fresh key and a former member at " + address +
           " (a port the attacker listens on), unsolicited";
  r.notes = solicited + fmt("; dials to the attacker's address: %zu; ", dials) +
            (in_book ? "the address is in A's peer list" : "the address is not in A's peer list");
  r.figures = {
      {"dials", dials}, {"in_peer_list", in_book}, {"peers_requested", s->peers_requested}};
  s.reset();
  finish(v, r);
  ctx.results.push_back(std::move(r));
}

void attack_spam_feeds(attack_context& ctx) {
  victim& v = ctx.v;
  const std::size_t n = ctx.opt.spam_feeds;

  struct variant {
    const char* id;
    const char* name;
    const char* source;
    std::size_t member;
    std::string sent;
  };
  const std::vector<variant> variants = {
      {"4a", "spam feeds: one-record feeds of fresh keys", "127.0.0.26", 2,
       fmt("%zu one-record feeds (a request each) of fresh keys, in records messages of 60 KiB",
           n)},
      {"4b", "spam feeds: joins naming invites that do not exist", "127.0.0.27", 3,
       fmt("%zu feeds of fresh keys, each a member.join naming a random invite id and token, "
           "in records messages of 60 KiB",
           n)},
  };
  for (const auto& var : variants) {
    attack_result r;
    r.id = var.id;
    r.name = var.name;
    r.sent = var.sent;
    const bool joins = std::string(var.id) == "4b";
    auto make = [&](std::size_t i) -> std::pair<std::string, std::string> {
      if (!joins) {
        return {"request",
                json{{"title", "spam " + std::to_string(i)}, {"body", ""}, {"tags", json::array()}}
                    .dump()};
      }
      return {"member.join",
              json{{"invite", crypto::to_text(crypto::random_fixed<record_id>())},
                   {"token", crypto::to_text(crypto::random_fixed<crypto::digest>())}}
                  .dump()};
    };
    const packed spam = pack(fresh_feeds(v.community(), n, make));
    const std::vector<std::string>& messages = spam.messages;
    const std::int64_t records_before = v.records_on_a();
    r.rss_before_kib = v.rss_kib();
    std::string why;
    auto s = open_session(v, var.source, v.member(var.member), "", &why);
    if (!s) {
      r.failures.push_back("setup: the member was not admitted: " + why);
      finish(v, r);
      ctx.results.push_back(std::move(r));
      continue;
    }
    wire_client& c = *s->client;
    const double cpu0 = v.cpu_s();
    const std::uint64_t in0 = c.wire_out(), out0 = c.wire_in();
    const auto t0 = clock_type::now();
    std::size_t sent = send_until_end(c, messages);
    const std::size_t feeds_sent = spam.records_in_first(sent);
    double cpu = v.cpu_s() - cpu0;
    std::uint64_t bytes_in = c.wire_out() - in0, bytes_out = c.wire_in() - out0;
    std::size_t total_messages = sent;
    const std::uint64_t rss_at_n = v.rss_kib();
    // The verdict is taken at n feeds: closed and banned by then, or not.
    const bool closed = c.is_ended();
    if (closed) {
      r.after_ms = std::chrono::duration<double, std::milli>(c.ended_at() - t0).count();
      r.after_messages = sent;
    }
    const bool banned =
        closed && looks_banned(var.source, "127.0.0.1", v.a_port(), v.network(), v.a_key());
    std::string beyond;
    // Full mode: bogus joins beyond n, to find where the ban comes.
    if (!c.is_ended() && joins && ctx.opt.spam_until > n) {
      std::size_t more = 0;
      while (!c.is_ended() && n + more < ctx.opt.spam_until) {
        const std::size_t chunk = std::min<std::size_t>(10'000, ctx.opt.spam_until - n - more);
        const packed extra = pack(fresh_feeds(v.community(), chunk, make));
        const std::size_t k = send_until_end(c, extra.messages);
        total_messages += k;
        more += extra.records_in_first(k);
      }
      const bool later_ban =
          c.is_ended() && looks_banned(var.source, "127.0.0.1", v.a_port(), v.network(), v.a_key());
      beyond = c.is_ended()
                   ? fmt("going on: %s after about %zu feeds (%zu messages, %.0f s), RSS %.1f MiB",
                         later_ban ? "closed and banned" : "closed", n + more, total_messages,
                         ms_since(t0) / 1000, static_cast<double>(v.rss_kib()) / 1024)
                   : fmt("going on: still open after %zu feeds", n + more);
    }
    r.cpu_us_per_message = cpu * 1e6 / static_cast<double>(std::max<std::size_t>(1, sent));
    r.out_per_in =
        static_cast<double>(bytes_out) / static_cast<double>(std::max<std::uint64_t>(1, bytes_in));
    const std::int64_t records_after = v.records_on_a();
    r.answer = !closed  ? fmt("dropped quietly, open after %zu", n)
               : banned ? "closed + banned"
                        : "closed";
    if (records_after != records_before) {
      r.failures.push_back(fmt("A stored %lld records of the spam",
                               static_cast<long long>(records_after - records_before)));
    }
    if (!closed || !banned) {
      r.failures.push_back(
          closed ? "the sender was not banned"
                 : fmt("the sender was neither closed nor banned after %zu feeds", feeds_sent));
    }
    r.notes =
        fmt("%zu of %zu messages sent before the end (≈%zu feeds); records on A %lld -> %lld; "
            "RSS after those messages %.1f MiB",
            sent, messages.size(), feeds_sent, static_cast<long long>(records_before),
            static_cast<long long>(records_after), static_cast<double>(rss_at_n) / 1024);
    if (!beyond.empty()) r.notes += "; " + beyond;
    r.figures = {{"messages", messages.size()},
                 {"messages_sent", sent},
                 {"records_before", records_before},
                 {"records_after", records_after},
                 {"rss_at_n_kib", rss_at_n}};
    if (!beyond.empty()) r.figures["beyond"] = beyond;
    s.reset();
    finish(v, r);
    ctx.results.push_back(std::move(r));
  }
}

}  // namespace zwerm::bench::hostile
