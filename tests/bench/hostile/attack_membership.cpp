// Attacks 1 and 2: standing that ends. A removed member (1), and keys admitted by an invite
// token that someone else then uses or that expires (2).
#include <cstdlib>
#include <fstream>
#include <map>
#include <thread>

#include "base/base64url.hpp"
#include "crypto/hash.hpp"
#include "net/message_codec.hpp"
#include "node/daemon/invite_code.hpp"
#include "node/sync/messages.hpp"
#include "tests/bench/hostile/attacks.hpp"

namespace zwerm::bench::hostile {
namespace {

namespace sync = node::sync;
using std::chrono::seconds;

// Ids (text form) of the records in the `records` messages among `messages`.
std::vector<std::string> record_ids(const std::vector<std::string>& messages) {
  std::vector<std::string> ids;
  for (const auto& m : messages) {
    auto d = sync::decode(m);
    if (!d || !std::holds_alternative<sync::records>(*d)) continue;
    for (const auto& item : std::get<sync::records>(*d).items) {
      if (item.size() <= 64) continue;
      ids.push_back(
          crypto::to_text(crypto::blake2b256(std::string_view(item).substr(0, item.size() - 64))));
    }
  }
  return ids;
}

// What a dial with `key` and `token` from `source` came to: "admitted" or how it was refused.
// A refusal notice (PROTOCOL.md §4.3.2) counts as a refusal: "notice naming the removal" when
// it names `removal`, else "notice naming another record" / "notice of another reason".
std::string try_dial(victim& v, const std::string& source, const crypto::key_pair& key,
                     std::string_view token, std::vector<std::string>* received = nullptr,
                     const std::string& removal = {}) {
  wire_client c(source);
  const auto o = c.dial("127.0.0.1", v.a_port(), v.network(), key, v.a_key(), seconds(2));
  if (o != handshake_outcome::open) return to_string(o);
  c.admit(token);
  auto first = c.next(milliseconds(700));
  if (!first) {
    return c.is_ended() ? "msg4, then closed at admission" : "msg4, then silence";
  }
  std::uint8_t reason = 0;
  std::string_view detail;
  if (net::decode_refusal(*first, &reason, &detail)) {
    c.drain(milliseconds(100), milliseconds(300), received);
    if (reason != static_cast<std::uint8_t>(net::refusal_reason::removed))
      return "notice of another reason";
    return detail == removal ? "notice naming the removal" : "notice naming another record";
  }
  c.drain(milliseconds(200), milliseconds(500), received);
  c.goodbye();
  return "admitted";
}

std::string summary(const std::map<std::string, int>& outcomes) {
  std::string out;
  for (const auto& [what, n] : outcomes) {
    if (!out.empty()) out += ", ";
    out += std::to_string(n) + "× " + what;
  }
  return out;
}

node::invite_code decode_code(const std::string& text) {
  auto code = node::decode_invite_code(text);
  if (!code) die("cannot decode an invite code: " + code.error().message());
  return *code;
}

// The time point of `t` (steady clock) on the wall clock, in unix milliseconds.
std::int64_t unix_ms_at(clock_type::time_point t) {
  return unix_ms() - static_cast<std::int64_t>(ms_since(t));
}

}  // namespace

void attack_removed_member(attack_context& ctx) {
  victim& v = ctx.v;
  attack_result r;
  r.id = "1";
  r.name = "removed member keeps its session, keeps dialing";
  r.rss_before_kib = v.rss_kib();
  const std::string source = "127.0.0.20";
  const crypto::key_pair& m = v.member(0);
  std::string why;
  auto s = open_session(v, source, m, "", &why);
  if (!s) {
    r.failures.push_back("setup: the member was not admitted: " + why);
    finish(v, r);
    ctx.results.push_back(std::move(r));
    return;
  }
  // A token invite is open while the member is removed (it must not keep the session alive).
  // A pushes the invite record to the member; it arrives before the removal.
  v.rpc_a().must("invite", {{"expires_s", 3600}});
  s->client->drain(milliseconds(200), milliseconds(1000), nullptr);
  const double cpu0 = v.cpu_s();
  json proposal = v.rpc_a().must(
      "propose", {{"action", {{"kind", "remove"}, {"member", crypto::to_text(m.pk)}}},
                  {"reason", "bench: removal"}});
  const auto removed = clock_type::now();
  const std::string proposal_id = proposal.value("record_id", std::string());
  record_id removal_id;
  const std::string removal_raw =
      crypto::from_text(proposal_id, &removal_id) ? std::string(removal_id.view()) : std::string();
  std::vector<std::string> got;
  const bool closed = s->client->wait_end(seconds(3), &got);
  std::size_t other_records = 0;
  for (const auto& id : record_ids(got)) other_records += id != proposal_id;
  if (closed) {
    r.after_ms = std::chrono::duration<double, std::milli>(s->client->ended_at() - removed).count();
    r.answer = std::string("closed (") + to_string(s->client->ended()) + ")";
    if (*r.after_ms > 1000)
      r.failures.push_back(fmt("closed %.0f ms after the removal", *r.after_ms));
  } else {
    r.answer = "not closed";
    r.failures.push_back("the removed member's session is still open 3 s after its removal");
  }
  s.reset();

  // It keeps dialing, while A writes a new record: every dial must be refused.
  v.rpc_a().must("ask", {{"title", "after the removal"}, {"body", ""}, {"tags", json::array()}});
  std::map<std::string, int> outcomes;
  std::vector<std::string> later;
  const auto until = clock_type::now() + (ctx.opt.quick ? seconds(2) : seconds(5));
  int dials = 0;
  while (clock_type::now() < until) {
    ++dials;
    ++outcomes[try_dial(v, source, m, "", &later, removal_raw)];
    std::this_thread::sleep_for(milliseconds(200));
  }
  other_records += record_ids(later).size();
  if (outcomes.count("admitted")) {
    r.failures.push_back(
        fmt("%d of %d dials after the removal were admitted", outcomes["admitted"], dials));
  }
  if (other_records > 0) {
    r.failures.push_back(
        fmt("the removed member received %zu records after its removal", other_records));
  }
  r.after_messages = 0;
  r.cpu_us_per_message = (v.cpu_s() - cpu0) * 1e6 / std::max(1, dials);
  r.sent =
      "a member's session held open; A removes it (token invite open); it redials every "
      "200 ms";
  r.notes =
      fmt("%d redials: ", dials) + summary(outcomes) +
      fmt("; records received after the removal other than the removal itself: %zu", other_records);
  r.figures = {
      {"dials", dials}, {"records_after_removal", other_records}, {"redial_outcomes", outcomes}};
  finish(v, r);
  ctx.results.push_back(std::move(r));
}

void attack_token_after_use(attack_context& ctx) {
  victim& v = ctx.v;
  const std::string b_id = v.b().member_id();

  // --- 2a, 2b: a token bound to the first key; someone else uses the invite -----------------
  attack_result used, second;
  used.id = "2a";
  used.name = "token session after someone else used the invite";
  second.id = "2b";
  second.name = "second key presents a bound or used token";
  used.rss_before_kib = second.rss_before_kib = v.rss_kib();
  // A makes the invite (so the invite record sits in A's feed, which every node admits first);
  // the honest newcomer gets a code that names B only and redeems it there.
  json made = v.rpc_a().must("invite", {{"expires_s", 3600}});
  node::invite_code code = decode_code(made.value("code", std::string()));
  const std::string token(code.token->view());
  const std::string invite_id = crypto::to_text(code.invite_id);
  if (!testing::eventually(
          [&] {
            json f = v.rpc_b().call(
                "feed",
                {{"author", crypto::to_text(v.a_key())}, {"type", "member.invite"}, {"limit", 5}});
            return f.dump().find(invite_id) != std::string::npos;
          },
          seconds(5))) {
    die("A's invite did not reach B");
  }
  std::string why;
  const crypto::key_pair x = crypto::generate_key_pair();
  auto sx = open_session(v, "127.0.0.21", x, token, &why);
  if (!sx) {
    used.failures.push_back("setup: the first key was not admitted with the token: " + why);
  }
  // A second key with the same token, while the first holds it.
  std::map<std::string, int> outcomes;
  const crypto::key_pair y = crypto::generate_key_pair();
  ++outcomes["while bound: " + try_dial(v, "127.0.0.22", y, token)];

  // An honest newcomer redeems the invite at B.
  testing::node_harness j("j");
  if (std::getenv("ZWERM_BENCH_DEBUG")) {
    // The newcomer's zwermd logs at debug level (to diagnose a join that does not complete).
    std::ifstream in(j.home() / "config.json");
    json config = json::parse(in, nullptr, true, /*ignore_comments=*/true);
    config["log_level"] = "debug";
    std::ofstream(j.home() / "config.json") << config.dump(2) << "\n";
  }
  if (!j.start(&why)) die(why);
  pid_guard guard_j(j.daemon()->pid());
  node::invite_code only_b = code;
  only_b.peers.clear();
  crypto::public_key b_key;
  crypto::from_text(b_id, &b_key);
  const std::string b_listen = v.b().listen();
  only_b.peers.push_back({b_key, node::host_port{b_listen.substr(0, b_listen.rfind(':')),
                                                 static_cast<std::uint16_t>(std::stoi(
                                                     b_listen.substr(b_listen.rfind(':') + 1)))}});
  auto text = node::encode_invite_code(only_b);
  if (!text) die(text.error().message());
  const auto join_start = clock_type::now();
  auto joined = j.zwerm({"join", *text});
  const auto join_done = clock_type::now();
  if (joined.exit_code != 0) {
    die(fmt("the honest newcomer could not join at B (exit %d%s): ", joined.exit_code,
            joined.timed_out ? ", timed out" : "") +
        joined.out + joined.err + "\nits zwermd's log:\n" + j.daemon_log() + "\nB's log:\n" +
        v.b().daemon_log());
  }
  if (sx) {
    const bool closed = sx->client->wait_end(seconds(3));
    if (closed) {
      used.after_ms =
          std::chrono::duration<double, std::milli>(sx->client->ended_at() - join_done).count();
      used.answer = std::string("closed (") + to_string(sx->client->ended()) + ")";
      if (*used.after_ms > 1000) {
        used.failures.push_back(
            fmt("closed %.0f ms after the join that used the invite", *used.after_ms));
      }
    } else {
      used.answer = "not closed";
      used.failures.push_back("the token session is still open 3 s after the invite was used");
    }
    sx.reset();
  }
  used.notes = fmt("`zwerm join` at B took %.0f ms; the time is from its return",
                   std::chrono::duration<double, std::milli>(join_done - join_start).count());
  if (used.after_ms && *used.after_ms < 0) {
    used.notes += " (negative: A closed the session before the command had returned)";
  }
  used.sent =
      "a fresh key admitted at A with an invite token; an honest node then joins with "
      "that invite's code at B";
  // While joining, the newcomer dials every member it learns of (A's profile names A's
  // address), with its token. At A the token is bound to the attacker's key: A refuses the
  // admission message, which bans the address, 127.0.0.1, where B dials from too.
  const std::string log = j.daemon_log();
  const std::string dial_a = "dial 127.0.0.1:" + std::to_string(v.a_port()) + " failed";
  std::size_t resets = 0;
  for (std::size_t at = 0; (at = log.find(dial_a, at)) != std::string::npos; ++at) {
    const auto eol = log.find('\n', at);
    if (log.substr(at, eol - at).find("reset") != std::string::npos) ++resets;
  }
  used.figures["newcomer_dials_to_a_reset"] = resets;
  if (resets > 0) {
    used.notes +=
        fmt("; the newcomer dialed A too with its token, A refused it and banned "
            "127.0.0.1 (%zu later dials from there reset at accept)",
            resets);
  }
  used.after_messages = 0;
  // A third key after the invite was used.
  ++outcomes["after use: " + try_dial(v, "127.0.0.28", crypto::generate_key_pair(), token)];
  for (const auto& [what, n] : outcomes) {
    if (what.find("admitted") != std::string::npos) {
      second.failures.push_back("a second key was admitted with the token (" + what + ")");
    }
  }
  second.sent =
      "two other fresh keys present the same token: one while it is bound, one after "
      "the invite was used";
  second.answer = "refused";
  second.after_messages = 1;
  second.notes = summary(outcomes);
  second.figures = {{"outcomes", outcomes}};
  finish(v, used);
  finish(v, second);
  ctx.results.push_back(std::move(used));
  ctx.results.push_back(std::move(second));
  j.stop();

  // --- 2c: the invite expires -----------------------------------------------------------------
  attack_result expired;
  expired.id = "2c";
  expired.name = "token session after the invite expired";
  expired.rss_before_kib = v.rss_kib();
  json short_lived = v.rpc_a().must("invite", {{"expires_s", 3}});
  const std::int64_t expires_ts = short_lived.value("expires_ts", std::int64_t{0});
  node::invite_code c2 = decode_code(short_lived.value("code", std::string()));
  auto sz = open_session(v, "127.0.0.23", crypto::generate_key_pair(), c2.token->view(), &why);
  expired.sent = "a fresh key admitted with the token of an invite that expires 3 s later";
  if (!sz) {
    expired.failures.push_back("setup: the key was not admitted with the token: " + why);
  } else if (sz->client->wait_end(seconds(7))) {
    expired.after_ms = static_cast<double>(unix_ms_at(sz->client->ended_at()) - expires_ts);
    expired.answer = std::string("closed (") + to_string(sz->client->ended()) + ")";
    expired.notes = "time from the invite's expires_ts (A's wall clock)";
    if (*expired.after_ms > 1500) {
      expired.failures.push_back(fmt("closed %.0f ms after the expiry", *expired.after_ms));
    }
    if (*expired.after_ms < -200) {
      expired.failures.push_back(fmt("closed %.0f ms before the expiry", -*expired.after_ms));
    }
  } else {
    expired.answer = "not closed";
    expired.failures.push_back("the token session is still open 4 s after the invite expired");
  }
  expired.after_messages = 0;
  finish(v, expired);
  ctx.results.push_back(std::move(expired));
}

}  // namespace zwerm::bench::hostile
