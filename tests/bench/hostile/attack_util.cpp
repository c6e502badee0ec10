#include <cstdarg>
#include <cstdio>

#include "node/sync/messages.hpp"
#include "tests/bench/hostile/attacks.hpp"

namespace zwerm::bench::hostile {

namespace sync = node::sync;

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

std::int64_t unix_ms() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string fmt(const char* format, ...) {
  char buf[1024];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

std::optional<member_session> open_session(victim& v, const std::string& source,
                                           const crypto::key_pair& key, std::string_view token,
                                           std::string* why) {
  member_session s;
  s.client = std::make_unique<wire_client>(source);
  wire_client& c = *s.client;
  const auto o =
      c.dial("127.0.0.1", v.a_port(), v.network(), key, v.a_key(), std::chrono::seconds(3));
  if (o != handshake_outcome::open) {
    *why = to_string(o);
    return std::nullopt;
  }
  if (!c.admit(token)) {
    *why = "the admission message could not be sent";
    return std::nullopt;
  }
  auto first = c.next(std::chrono::seconds(3));
  if (!first) {
    *why = c.is_ended()
               ? std::string("msg4, then closed at admission (") + to_string(c.ended()) + ")"
               : "no hello within 3 s";
    return std::nullopt;
  }
  auto hello = sync::decode(*first);
  if (!hello || !std::holds_alternative<sync::hello>(*hello)) {
    *why = "A's first message is not a hello";
    return std::nullopt;
  }
  const auto& h = std::get<sync::hello>(*hello);
  s.frontier = h.frontier;
  c.send(sync::encode(sync::hello{.community = h.community, .frontier = h.frontier}));
  c.drain(milliseconds(100), milliseconds(300), &s.greeting);
  for (const auto& m : s.greeting) {
    if (!m.empty() && m[0] == static_cast<char>(sync::message_type::peers_request)) {
      s.peers_requested = true;
    }
  }
  return s;
}

void finish(victim& v, attack_result& r) {
  r.rss_after_kib = v.rss_kib();
  r.honest_checked = true;
  r.honest_ms = v.honest_sync(std::chrono::seconds(2));
  if (!r.honest_ms) r.failures.push_back("honest sync A->B did not show a new record within 2 s");
  if (!v.a_running()) r.failures.push_back("A is not running any more");
  if (r.rss_after_kib > r.rss_before_kib + 64 * 1024) {
    r.failures.push_back(fmt("A's memory grew by %.1f MiB",
                             static_cast<double>(r.rss_after_kib - r.rss_before_kib) / 1024));
  }
}

}  // namespace zwerm::bench::hostile
