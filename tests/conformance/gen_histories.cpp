// zwerm-gen-histories OUT_DIR: writes the community-history vectors (kind "histories",
// tests/vectors/README.md, "Community histories") into OUT_DIR as histories-*.json.
//
// Deterministic: fixed key seeds, fixed ts, fixed tokens, fixed shuffles; Ed25519 signatures
// are deterministic, so running it again gives byte-identical files. Records are signed with
// node::write_genesis / node::write_record; the expected values come from the community
// replayer and views (tests/conformance/histories.hpp). Not run by ctest:
//
//   cmake --build build --target zwerm-gen-histories
//   ./build/tests/conformance/zwerm-gen-histories tests/vectors
//
// While writing, it checks what each scenario claims (every record takes effect or not, as
// its note says), that the replayer's state equals the state computed from scratch after
// every step, and that every delivery order of a history ends in the same values; it stops
// with an error when one fails.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/base64url.hpp"
#include "crypto/hash.hpp"
#include "crypto/sign.hpp"
#include "crypto/sodium.hpp"
#include "node/records/record_chain.hpp"
#include "node/records/record_writer.hpp"
#include "tests/conformance/histories.hpp"

namespace zwerm::conformance::histories {
namespace {

using nlohmann::json;
using node::record;

constexpr std::int64_t t0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
constexpr std::int64_t hour = 3'600'000;
constexpr std::int64_t day = 24 * hour;

std::int64_t at(std::int64_t d, std::int64_t h = 0) {
  return t0 + d * day + h * hour;
}

[[noreturn]] void die(const std::string& why) {
  std::cerr << "zwerm-gen-histories: " << why << "\n";
  std::exit(1);
}

std::string to_hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string text(const record_id& d) {
  return crypto::to_text(d);
}

// A fixed 32-byte invite token and its text and hash.
struct token {
  std::string raw;
  explicit token(char fill) : raw(32, fill) {}
  std::string text() const { return crypto::base64url_encode(raw); }
  std::string hash() const { return crypto::to_text(crypto::blake2b256(raw)); }
};

struct person {
  std::string label;
  crypto::key_pair keys;
  std::optional<node::feed_head> head;
  std::string id() const { return crypto::to_text(keys.pk); }
};

struct written {
  record r;
  std::string note;
};

struct run_spec {
  std::string name;
  std::vector<std::vector<std::size_t>> batches;
};

class scenario {
 public:
  scenario(std::string name, std::string about, std::int64_t now)
      : name_(std::move(name)), about_(std::move(about)), now_(now) {}

  // Member n's key comes from a fixed seed; n 1..8 are labelled A..H.
  person make(int n) {
    crypto::seed s;
    const std::string tag = "zwerm conformance history member";
    for (std::size_t i = 0; i < 32; ++i) s.bytes[i] = static_cast<std::uint8_t>(tag[i]);
    s.bytes[31] = static_cast<std::uint8_t>(n);
    person p;
    p.label = std::string(1, static_cast<char>('A' + n - 1));
    p.keys = crypto::key_pair_from_seed(s);
    if (!crypto::can_handshake(p.keys.pk)) die("member key " + p.label + " has no X25519 form");
    members_[p.label] = p.id();
    return p;
  }

  record genesis(person& p, const std::string& name, const std::string& invite_by, int quorum,
                 std::int64_t ts, const std::string& note) {
    json body = {{"name", name},
                 {"purpose", "Learn together and help each other"},
                 {"policy", {{"invite_by", invite_by}, {"quorum_pct", quorum}}}};
    auto r = node::write_genesis(body.dump(), ts, p.keys);
    if (!r.ok()) die("genesis: " + r.error().message());
    community_ = r->community;
    holder_ = std::make_shared<holder>(community_);
    p.head = node::head_after(*r);
    return take(*r, note, true);
  }

  struct options {
    std::optional<std::uint64_t> lamport;  // default: 1 + the largest lamport written so far
    // Write on top of this head instead of the author's current one (a fork side); the
    // author's head then stays where it was.
    std::optional<std::optional<node::feed_head>> base;
  };

  record write(person& p, const std::string& type, const json& body, std::int64_t ts, bool effect,
               const std::string& note, options o = {}) {
    const std::optional<node::feed_head>& base = o.base ? *o.base : p.head;
    node::record_fields f;
    f.community = community_;
    f.seq = base ? base->seq + 1 : 1;
    if (base) f.prev = base->id;
    f.lamport = o.lamport ? *o.lamport : max_lamport_ + 1;
    if (base && f.lamport <= base->lamport) die(note + ": lamport not above the prev's");
    f.ts = ts;
    f.type = type;
    f.body = body.dump();
    auto r = node::write_record(f, p.keys);
    if (!r.ok()) die(note + ": " + r.error().message());
    if (!o.base) p.head = node::head_after(*r);
    return take(*r, note, effect);
  }

  // Convenience bodies.
  record invite_id(person& by, const person& who, std::int64_t ts, std::int64_t expires,
                   bool effect, const std::string& note) {
    return write(by, "member.invite",
                 {{"invitee", who.id()}, {"note", "welcome"}, {"expires_ts", expires}}, ts, effect,
                 note);
  }
  record invite_token(person& by, const token& t, std::int64_t ts, std::int64_t expires,
                      bool effect, const std::string& note) {
    return write(by, "member.invite",
                 {{"token_hash", t.hash()}, {"note", "join us"}, {"expires_ts", expires}}, ts,
                 effect, note);
  }
  record join(person& who, const record& invite, std::int64_t ts, bool effect,
              const std::string& note, const token* t = nullptr, options o = {}) {
    json body = {{"invite", text(invite.id)}};
    if (t) body["token"] = t->text();
    return write(who, "member.join", body, ts, effect, note, o);
  }
  record profile(person& p, const std::string& name, json skills, std::int64_t ts,
                 const std::string& note) {
    return write(
        p, "profile",
        {{"name", name}, {"about", ""}, {"skills", std::move(skills)}, {"address", nullptr}}, ts,
        true, note);
  }
  record contribution(person& p, const std::string& title, json tags, std::int64_t ts, bool effect,
                      const std::string& note, const record* answers = nullptr,
                      const record* circle = nullptr, options o = {}) {
    return write(p, "contribution",
                 {{"kind", "knowledge"},
                  {"title", title},
                  {"body", ""},
                  {"tags", std::move(tags)},
                  {"answers", answers ? json(text(answers->id)) : json(nullptr)},
                  {"circle", circle ? json(text(circle->id)) : json(nullptr)}},
                 ts, effect, note, o);
  }
  record request(person& p, const std::string& title, json tags, std::int64_t ts, bool effect,
                 const std::string& note, options o = {}) {
    return write(p, "request", {{"title", title}, {"body", ""}, {"tags", std::move(tags)}}, ts,
                 effect, note, o);
  }
  record thanks(person& p, const record_id& contribution, std::int64_t ts, bool effect,
                const std::string& note) {
    return write(p, "thanks", {{"contribution", text(contribution)}, {"note", "thank you"}}, ts,
                 effect, note);
  }
  record propose(person& p, json body, std::int64_t ts, bool effect, const std::string& note) {
    if (!body.contains("reason")) body["reason"] = "";
    return write(p, "proposal", body, ts, effect, note);
  }
  record endorse(person& p, const record& proposal, std::int64_t ts, bool effect,
                 const std::string& note) {
    return write(p, "endorse", {{"proposal", text(proposal.id)}}, ts, effect, note);
  }
  record leave(person& p, std::int64_t ts, bool effect, const std::string& note) {
    return write(p, "member.leave", {{"reason", "moving away"}}, ts, effect, note);
  }
  record handover(person& p, const person& to, std::int64_t ts, bool effect,
                  const std::string& note) {
    return write(p, "steward.handover", {{"to", to.id()}}, ts, effect, note);
  }
  record circle(person& p, const std::string& type, const record& c, std::int64_t ts, bool effect,
                const std::string& note) {
    return write(p, type, {{"circle", text(c.id)}}, ts, effect, note);
  }

  // Genesis by `founder` ("Ada"), then each other member invited by the founder and joined.
  void found(person& founder, std::vector<person*> others, const std::string& invite_by = "member",
             int quorum = 50) {
    genesis(founder, "Tuinkring", invite_by, quorum, at(0), "genesis: A founds and is steward");
    int h = 1;
    for (person* p : others) {
      auto inv = invite_id(founder, *p, at(0, h), at(60), true, "A invites " + p->label + " by id");
      join(*p, inv, at(0, h + 1), true, p->label + " joins with A's invite");
      h += 2;
    }
  }

  // An extra delivery order: batches of record indexes (into the written records).
  void add_run(run_spec r) { extra_runs_.push_back(std::move(r)); }

  std::size_t index_of(const record& r) const {
    for (std::size_t i = 0; i < written_.size(); ++i) {
      if (written_[i].r.id == r.id) return i;
    }
    die("unknown record");
  }
  const std::vector<written>& records() const { return written_; }

  json to_json() const {
    json records = json::array();
    for (const auto& w : written_) {
      records.push_back({{"bytes", to_hex(w.r.bytes)}, {"id", text(w.r.id)}, {"note", w.note}});
    }
    json runs = json::array();
    std::vector<run_spec> all;
    run_spec main{"as written, one record per step", {}};
    for (std::size_t i = 0; i < written_.size(); ++i) main.batches.push_back({i});
    all.push_back(main);
    for (const auto& r : extra_runs_) all.push_back(r);
    std::optional<observation> final_of_first;
    for (const auto& spec : all) {
      holder h(community_);
      json steps = json::array();
      observation last;
      for (const auto& batch : spec.batches) {
        std::vector<record> rs;
        for (auto i : batch) rs.push_back(written_.at(i).r);
        if (auto err = h.add(rs); !err.empty()) die(name_ + ": " + err);
        observation now = h.observe(now_);
        observation scratch = h.observe_from_scratch(now_);
        if (now != scratch) {
          for (const auto& n : observed_names()) {
            if (now[n] != scratch[n]) {
              die(name_ + " / " + spec.name + ": the replayer's " + n +
                  " differs from the state computed from scratch:\n" + now[n].dump() + "\n" +
                  scratch[n].dump());
            }
          }
        }
        json expect = json::object();
        for (const auto& n : observed_names()) {
          if (last.empty() || last[n] != now[n]) expect[n] = now[n];
        }
        steps.push_back({{"add", batch}, {"expect", std::move(expect)}});
        last = std::move(now);
      }
      if (!final_of_first) {
        final_of_first = last;
      } else if (*final_of_first != last) {
        die(name_ + " / " + spec.name + ": ends differently from the first run");
      }
      runs.push_back({{"name", spec.name}, {"steps", std::move(steps)}});
    }
    return {
        {"name", name_},          {"about", about_},     {"community", crypto::to_text(community_)},
        {"now_ts", now_},         {"members", members_}, {"records", std::move(records)},
        {"runs", std::move(runs)}};
  }

 private:
  record take(const record& r, const std::string& note, bool effect) {
    max_lamport_ = std::max(max_lamport_, r.lamport);
    written_.push_back({r, note});
    // The main run's check: did the record take effect when it arrived?
    if (auto err = holder_->add({r}); !err.empty()) die(name_ + ": " + err);
    const auto& feed = holder_->current().feed;
    bool took = std::any_of(feed.begin(), feed.end(), [&](const auto& e) { return e.id == r.id; });
    if (took != effect) {
      die(name_ + ": record " + std::to_string(written_.size() - 1) + " (" + note + ") " +
          (took ? "took effect" : "had no effect") + ", the scenario says otherwise");
    }
    return r;
  }

  std::string name_, about_;
  std::int64_t now_;
  community_id community_;
  std::shared_ptr<holder> holder_;
  std::uint64_t max_lamport_ = 0;
  std::vector<written> written_;
  std::vector<run_spec> extra_runs_;
  json members_ = json::object();
};

// --- the histories -------------------------------------------------------------------------

scenario joins() {
  scenario s("joins by id and by token",
             "Invites by member id and by token; a wrong token does not use a token invite up; "
             "the first effective join wins; an invite for an active member and a join after "
             "expires_ts have no effect; a non-member's records have no effect; a member who "
             "left can be invited again and keeps their history.",
             at(10));
  person a = s.make(1), b = s.make(2), c = s.make(3), d = s.make(4);
  token t1('1'), wrong('9');
  s.genesis(a, "Tuinkring", "member", 50, at(0), "genesis: A founds the community, is steward");
  s.profile(a, "Ada", {"gardening", "Compost"}, at(0, 1), "A's profile");
  auto ib = s.invite_id(a, b, at(0, 2), at(30), true, "A invites B by id");
  s.join(b, ib, at(1), true, "B joins with A's id invite");
  s.profile(b, "Bram", {"bikes"}, at(1, 1), "B's profile");
  s.invite_id(a, b, at(1, 2), at(30), false, "A invites B again: B is active, no effect");
  auto it = s.invite_token(b, t1, at(1, 3), at(30), true, "B makes a token invite");
  s.join(c, it, at(2), false, "C presents a wrong token: no effect, the invite stays unused",
         &wrong);
  s.join(c, it, at(2, 1), true, "C joins with the right token: the invite is used", &t1);
  s.profile(c, "Cato", json::array(), at(2, 2), "C's profile");
  s.join(d, it, at(2, 3), false, "D presents the same token: the invite is used, no effect", &t1);
  s.request(d, "Can I come in?", json::array(), at(2, 4), false, "D is not a member: no effect");
  auto id2 = s.invite_id(a, d, at(3), at(4), true, "A invites D, expiring at day 4");
  s.join(d, id2, at(5), false, "D joins with ts after expires_ts: no effect");
  s.leave(c, at(6), true, "C leaves");
  s.request(c, "Still here?", json::array(), at(6, 1), false, "C left: no effect");
  auto ic = s.invite_id(b, c, at(7), at(30), true, "B invites C again (a member who left)");
  s.join(c, ic, at(7, 1), true, "C joins again, keeping their history");
  return s;
}

scenario removal() {
  scenario s("removal by quorum; removal is final",
             "B proposes to remove D; quorum needs 100 x endorsers > 50 x active (3 of 4); an "
             "endorsement repeated counts once; D is removed at adoption; D's records and a join "
             "with a token invite made before the removal have no effect; an invite made after "
             "the removal brings D back; endorsing an adopted proposal has no effect.",
             at(10));
  person a = s.make(1), b = s.make(2), c = s.make(3), d = s.make(4);
  token t('2');
  s.found(a, {&b, &c, &d});
  s.profile(d, "Dewi", {"bikes"}, at(1), "D's profile");
  auto tok =
      s.invite_token(a, t, at(1, 1), at(30), true, "A makes a token invite (before D's removal)");
  s.contribution(d, "Chain oil tips", {"bikes"}, at(1, 2), true, "D contributes");
  auto p = s.propose(b, {{"action", "remove"}, {"member", d.id()}, {"reason", "spam"}}, at(2), true,
                     "B proposes removing D: 1 endorser of 4 active, open");
  s.endorse(c, p, at(2, 1), true, "C endorses: 2 of 4, 200 > 200 fails, open");
  s.endorse(c, p, at(2, 2), false, "C endorses again: counts once, no effect");
  s.endorse(a, p, at(2, 3), true, "A endorses: 3 of 4, adopted, D removed");
  s.contribution(d, "More tips", {"bikes"}, at(2, 4), false, "D is removed: no effect");
  s.join(d, tok, at(3), false,
         "D redeems the token invite made before the removal: removal is final, no effect", &t);
  auto again = s.invite_id(b, d, at(4), at(30), true, "B invites D after the removal");
  s.join(d, again, at(4, 1), true, "D joins with the new invite, keeping their history");
  s.endorse(b, p, at(4, 2), false, "B endorses the adopted proposal: no effect");
  return s;
}

scenario steward() {
  scenario s("steward handover and election",
             "invite_by steward: only the steward invites; a handover to oneself, to a "
             "non-member or by a former steward has no effect; a leaving steward leaves no "
             "steward; a steward proposal elects one; a handover to a member who left has no "
             "effect.",
             at(10));
  person a = s.make(1), b = s.make(2), c = s.make(3), d = s.make(4), e = s.make(5);
  s.found(a, {&b, &c}, "steward", 50);
  s.invite_id(b, d, at(1), at(30), false, "B invites D: B is not the steward, no effect");
  s.handover(a, a, at(1, 1), false, "A hands over to A: no effect");
  s.handover(a, d, at(1, 2), false, "A hands over to D (not a member): no effect");
  s.handover(a, b, at(1, 3), true, "A hands the steward role to B");
  s.handover(a, c, at(1, 4), false, "A is no longer steward: no effect");
  s.invite_id(a, d, at(1, 5), at(30), false, "A invites D: A is no longer steward, no effect");
  auto id = s.invite_id(b, d, at(2), at(30), true, "B (steward) invites D");
  s.join(d, id, at(2, 1), true, "D joins");
  s.leave(b, at(3), true, "B leaves: the community has no steward");
  s.invite_id(c, e, at(3, 1), at(30), false, "C invites E: no steward, no effect");
  auto p = s.propose(c, {{"action", "steward"}, {"member", c.id()}}, at(4), true,
                     "C proposes C as steward: 1 of 3 active, open");
  s.endorse(d, p, at(4, 1), true, "D endorses: 2 of 3, adopted, C is steward");
  s.handover(c, b, at(5), false, "C hands over to B, who left: no effect");
  auto ie = s.invite_id(c, e, at(5, 1), at(30), true, "C (steward) invites E");
  s.join(e, ie, at(5, 2), true, "E joins");
  return s;
}

scenario proposals() {
  scenario s("proposals: agreements, purpose, expiry, dissolution",
             "Agreements adopted and superseded; superseding an agreement not in force has no "
             "effect; endorsers who left count in neither E nor A; an endorse with ts more than "
             "30 days after the proposal's ts has no effect; open proposals older than 30 days "
             "at now_ts show as expired; dissolve ends the community.",
             at(45));
  person a = s.make(1), b = s.make(2), c = s.make(3), d = s.make(4);
  s.found(a, {&b, &c, &d});
  auto p1 = s.propose(
      a, {{"action", "agreement"}, {"text", "We meet on Mondays"}, {"supersedes", nullptr}}, at(2),
      true, "A proposes an agreement: 1 of 4");
  s.endorse(b, p1, at(2, 1), true, "B endorses: 2 of 4");
  s.endorse(c, p1, at(2, 2), true, "C endorses: 3 of 4, adopted, in force");
  auto p2 = s.propose(
      b, {{"action", "agreement"}, {"text", "We meet on Tuesdays"}, {"supersedes", text(p1.id)}},
      at(3), true, "B proposes an agreement superseding the first");
  s.endorse(c, p2, at(3, 1), true, "C endorses: 2 of 4");
  s.endorse(d, p2, at(3, 2), true, "D endorses: 3 of 4, adopted; the first leaves force");
  s.propose(a,
            {{"action", "agreement"}, {"text", "Mondays after all"}, {"supersedes", text(p1.id)}},
            at(3, 3), false, "A supersedes the first agreement, no longer in force: no effect");
  auto p3 = s.propose(c, {{"action", "purpose"}, {"text", "Grow vegetables together"}}, at(5), true,
                      "C proposes a new purpose: 1 of 4");
  s.endorse(b, p3, at(5, 1), true, "B endorses: 2 of 4");
  s.leave(b, at(5, 2), true, "B leaves: nothing is re-evaluated");
  s.endorse(a, p3, at(5, 3), true,
            "A endorses: endorsers active C, A = 2 of 3 active, adopted; purpose replaced");
  auto p4 =
      s.propose(d, {{"action", "agreement"}, {"text", "Share seeds"}, {"supersedes", nullptr}},
                at(6), true, "D proposes an agreement at day 6");
  s.endorse(a, p4, at(6) + 30 * day + 1, false,
            "A endorses with ts 1 ms past the proposal's ts + 30 days: expired, no effect");
  s.propose(d, {{"action", "agreement"}, {"text", "Share tools"}, {"supersedes", nullptr}}, at(20),
            true, "D proposes another agreement at day 20 (still open at now_ts)");
  auto p5 = s.propose(a, {{"action", "dissolve"}, {"reason", "done"}}, at(37), true,
                      "A proposes to dissolve: 1 of 3");
  s.endorse(c, p5, at(37, 1), true, "C endorses: 2 of 3, adopted, the community is dissolved");
  s.request(d, "Anyone?", json::array(), at(38), false, "after dissolution: no effect");
  return s;
}

scenario circles() {
  scenario s("circles",
             "Open, join, leave and close; joining twice, leaving when not in, contributing to a "
             "circle one is not in, and anything in a closed circle have no effect; the steward "
             "may close a circle without being in it; circle membership outlives leaving the "
             "community but the view lists active members only.",
             at(10));
  person a = s.make(1), b = s.make(2), c = s.make(3);
  s.found(a, {&b, &c});
  auto bikes = s.write(b, "circle.open", {{"name", "Bike repair"}, {"purpose", "Fix bikes"}}, at(1),
                       true, "B opens the circle Bike repair");
  s.contribution(c, "Brakes", {"bikes"}, at(1, 1), false, "C is not in the circle: no effect",
                 nullptr, &bikes);
  s.circle(c, "circle.join", bikes, at(1, 2), true, "C joins Bike repair");
  s.circle(c, "circle.join", bikes, at(1, 3), false, "C joins again: no effect");
  s.contribution(c, "Brakes", {"bikes"}, at(1, 4), true, "C contributes in the circle", nullptr,
                 &bikes);
  s.circle(a, "circle.leave", bikes, at(2), false, "A leaves a circle A is not in: no effect");
  s.circle(c, "circle.leave", bikes, at(2, 1), true, "C leaves Bike repair");
  s.circle(c, "circle.leave", bikes, at(2, 2), false, "C leaves again: no effect");
  auto seeds =
      s.write(b, "circle.open", {{"name", "Seeds"}, {"purpose", ""}}, at(3), true, "B opens Seeds");
  s.circle(c, "circle.join", seeds, at(3, 1), true, "C joins Seeds");
  s.leave(b, at(4), true, "B leaves the community: still in both circles, not listed");
  s.circle(a, "circle.close", bikes, at(5), true, "A, the steward, closes Bike repair");
  s.circle(c, "circle.join", bikes, at(5, 1), false, "Bike repair is closed: no effect");
  s.circle(c, "circle.close", seeds, at(5, 2), true, "C, a member of Seeds, closes it");
  s.contribution(c, "Tomato seeds", {"seeds"}, at(5, 3), false, "Seeds is closed: no effect",
                 nullptr, &seeds);
  return s;
}

scenario thanks() {
  scenario s("thanks",
             "Thanks never to oneself and at most once per member and contribution; thanks to "
             "an unknown contribution has no effect; thanks to a contribution of a member who "
             "has since left takes effect (their given grows, the thanker's taken grows) but "
             "balance, ties and who-knows count active members only until they come back; "
             "the takes_without_contributing flag (not for a member who contributed) and carries.",
             at(10));
  person a = s.make(1), b = s.make(2), c = s.make(3), d = s.make(4);
  s.found(a, {&b, &c, &d});
  s.profile(b, "Bram", {"Bikes"}, at(1), "B's profile with skill Bikes");
  auto k1 = s.contribution(b, "Fixing brakes", {"bikes"}, at(1, 1), true, "B contributes K1");
  s.thanks(b, k1.id, at(1, 2), false, "B thanks their own K1: no effect");
  s.thanks(a, k1.id, at(1, 3), true, "A thanks K1: B gave 1, A took 1, tie A-B");
  s.thanks(a, k1.id, at(1, 4), false, "A thanks K1 again: no effect");
  s.thanks(c, k1.id, at(1, 5), true, "C thanks K1");
  s.thanks(d, k1.id, at(1, 6), true, "D thanks K1: B gave 3, carries");
  s.thanks(a, crypto::record_id_of("no such contribution"), at(1, 7), false,
           "A thanks an unknown contribution: no effect");
  auto k2 = s.contribution(a, "Compost basics", {"compost"}, at(2), true, "A contributes K2");
  auto r = s.request(b, "Flat tyre?", {"bikes"}, at(2, 1), true, "B asks");
  auto k3 =
      s.contribution(c, "Patch kit", {"Bikes"}, at(2, 2), true, "C answers B's request: K3", &r);
  s.leave(c, at(3), true, "C leaves");
  s.thanks(a, k3.id, at(3, 1), true,
           "A thanks K3 of C, who left: takes effect; C's given and A's taken grow");
  s.thanks(d, k3.id, at(3, 2), true, "D thanks K3 too");
  auto k4 = s.contribution(b, "Gears", {"bikes"}, at(3, 3), true, "B contributes K4");
  s.thanks(a, k4.id, at(3, 4), true,
           "A thanks K4: A took 3 and gave 0 but contributed K2: not takes_without_contributing");
  s.thanks(d, k4.id, at(3, 5), true,
           "D thanks K4: D took 3 and contributed nothing: takes_without_contributing");
  auto ic = s.invite_id(b, c, at(4), at(30), true, "B invites C back");
  s.join(c, ic, at(4, 1), true, "C rejoins: given 2 counts again, ties A-C and C-D appear");
  s.thanks(b, k2.id, at(4, 2), true, "B thanks K2: A gave 1");
  return s;
}

scenario forks() {
  scenario s(
      "forks",
      "B signs two records at seq 3: from the fork position (smallest lamport of the two, B, 3) "
      "nothing of B's counts, a thanks to B's forked contribution has no effect, one to B's "
      "earlier contribution stays. C signs three records at one seq; the third has the smallest "
      "lamport and moves the fork position before F's join, so the invite C made dies with C "
      "and the join loses its effect. A, the steward, forks: A stays steward in the state but "
      "cannot act, A's earlier invite dies, and a steward proposal by D, the only member left "
      "who is not forked, is adopted at once.",
      at(10));
  person a = s.make(1), b = s.make(2), c = s.make(3), d = s.make(4), f = s.make(6), g = s.make(7);
  s.found(a, {&b, &c, &d});
  auto k = s.contribution(b, "Spokes", {"bikes"}, at(1), true, "B contributes K (seq 2)");
  auto before = b.head;
  auto x = s.contribution(b, "Rims", {"bikes"}, at(1, 1), true, "B contributes X (seq 3)");
  s.thanks(a, x.id, at(1, 2), true, "A thanks X");
  s.thanks(a, k.id, at(1, 3), true, "A thanks K");
  s.request(b, "Who has a pump?", json::array(), at(1, 4), false,
            "B's other record at seq 3: a fork; X, the thanks to X and this have no effect",
            {std::nullopt, before});
  s.request(b, "Anyone?", json::array(), at(1, 5), false, "B's seq 4 (after X): forked, no effect");
  auto inv_f = s.invite_id(c, f, at(2), at(30), true, "C invites F (C's seq 2)");
  auto c_before = c.head;
  s.request(a, "Seeds?", json::array(), at(2, 1), true, "A asks (a record between)");
  s.join(f, inv_f, at(2, 2), true, "F joins with C's invite");
  s.request(c, "Y1", json::array(), at(2, 3), true, "C's Y1 at seq 3");
  s.request(c, "Y2", json::array(), at(2, 4), false,
            "C's Y2 at seq 3 (larger lamport): fork at Y1's lamport, after F's join: F stays",
            {std::nullopt, c_before});
  s.request(c, "Y3", json::array(), at(2, 5), false,
            "C's Y3 at seq 3 with lamport just above C's invite: the fork moves before F's join; "
            "C's invite died before F joined, F's join has no effect",
            {c_before->lamport + 1, c_before});
  auto inv_g = s.invite_id(a, g, at(3), at(30), true, "A invites G");
  auto a_before = a.head;
  s.request(a, "A1", json::array(), at(3, 1), true, "A's record at seq 9");
  s.request(a, "A2", json::array(), at(3, 2), false,
            "A's other record at seq 9: A, the steward, is forked", {std::nullopt, a_before});
  s.join(g, inv_g, at(3, 3), false, "G joins with A's invite: the inviter is forked, no effect");
  s.handover(a, b, at(3, 4), false, "A (forked) hands over: no effect");
  auto p = s.propose(d, {{"action", "steward"}, {"member", d.id()}}, at(4), true,
                     "D proposes D as steward: active are D only (A, B, C forked), adopted");
  (void)p;
  return s;
}

scenario invite_dies() {
  scenario s("an invite dies with its inviter",
             "B's id and token invites cannot be redeemed once B has left, not even after B has "
             "joined again; C's invite cannot be redeemed once C has been removed; an invite of "
             "an active member still works.",
             at(10));
  person a = s.make(1), b = s.make(2), c = s.make(3), d = s.make(4), f = s.make(6), g = s.make(7),
         h = s.make(8);
  token t('3');
  s.found(a, {&b, &c, &d});
  auto ib = s.invite_id(b, f, at(1), at(30), true, "B invites F by id");
  auto tb = s.invite_token(b, t, at(1, 1), at(30), true, "B makes a token invite");
  auto ic = s.invite_id(c, h, at(1, 2), at(30), true, "C invites H");
  s.leave(b, at(2), true, "B leaves");
  s.join(f, ib, at(2, 1), false, "F redeems B's invite: B left, no effect");
  s.join(g, tb, at(2, 2), false, "G redeems B's token invite: B left, no effect", &t);
  auto p = s.propose(a, {{"action", "remove"}, {"member", c.id()}}, at(3), true,
                     "A proposes removing C: 1 of 3");
  s.endorse(d, p, at(3, 1), true, "D endorses: 2 of 3, adopted, C removed");
  s.join(h, ic, at(3, 2), false, "H redeems C's invite: C was removed, no effect");
  auto ia = s.invite_id(a, f, at(4), at(30), true, "A invites F");
  s.join(f, ia, at(4, 1), true, "F joins with A's invite");
  auto back = s.invite_id(a, b, at(5), at(30), true, "A invites B back");
  s.join(b, back, at(5, 1), true, "B joins again: a new membership");
  s.join(g, tb, at(5, 2), false,
         "G redeems B's old token invite again: it was made in B's earlier membership, no effect",
         &t);
  auto ib2 = s.invite_id(b, g, at(6), at(30), true, "B invites G in its new membership");
  s.join(g, ib2, at(6, 1), true, "G joins with it");
  return s;
}

scenario ts_rules() {
  scenario s("rules that read ts",
             "Only two rules compare ts, and only with ts written in records: a join counts when "
             "its ts <= the invite's expires_ts (whatever its place in the order), and an endorse "
             "counts when its ts <= the proposal's ts + 30 days (equal counts; one earlier than "
             "the proposal counts too). Adoption takes the adopting record's ts. last_active_ts "
             "is the largest ts, not the latest record's.",
             at(40));
  person a = s.make(1), b = s.make(2), c = s.make(3), d = s.make(4), e = s.make(5), f = s.make(6);
  s.found(a, {&b, &c});
  auto id = s.invite_id(a, d, at(1), at(5), true, "A invites D, expires day 5");
  auto ie = s.invite_id(a, e, at(1, 1), at(5), true, "A invites E, expires day 5");
  s.join(d, id, at(5) + 1, false, "D joins with ts 1 ms past expires_ts: no effect");
  s.join(e, ie, at(5), true, "E joins later in the order with ts = expires_ts: takes effect");
  auto iF = s.invite_id(a, f, at(7), at(30), true, "A invites F at day 7");
  s.join(f, iF, at(0), true, "F joins with a ts before the invite's ts: takes effect");
  auto p = s.propose(a, {{"action", "agreement"}, {"text", "Be kind"}, {"supersedes", nullptr}},
                     at(8), true, "A proposes at day 8: 1 of 5");
  s.endorse(b, p, at(8) + 30 * day, true, "B endorses at exactly ts + 30 days: counts, 2 of 5");
  s.endorse(c, p, at(8) + 30 * day + 1, false, "C endorses 1 ms later: expired, no effect");
  s.endorse(e, p, at(4), true,
            "E endorses with ts before the proposal's: counts, 3 of 5, adopted with adopted_ts = "
            "this ts; E's last_active_ts stays day 5");
  return s;
}

scenario orders() {
  scenario s("the same records in several orders",
             "A small history delivered in several orders (each feed in seq order, as sync "
             "delivers it): in writing order; feed by feed in descending author order; a fixed "
             "random interleaving in batches; all at once. Every order ends in the same values. "
             "C and D redeem one token invite with joins at the same lamport: the join earlier "
             "in total order (smaller author bytes) wins. The winner's two records at seq 2 fork "
             "them: their endorse stops counting.",
             at(10));
  person a = s.make(1), b = s.make(2), c = s.make(3), d = s.make(4);
  token t('4');
  s.genesis(a, "Tuinkring", "member", 50, at(0), "genesis by A");
  auto ib = s.invite_id(a, b, at(0, 1), at(30), true, "A invites B");
  auto it = s.invite_token(a, t, at(0, 2), at(30), true, "A makes a token invite");
  s.join(b, ib, at(0, 3), true, "B joins");
  // C and D join concurrently with the same lamport.
  const std::uint64_t l = s.records().back().r.lamport + 1;
  bool c_first = c.keys.pk < d.keys.pk;
  person& first = c_first ? c : d;
  person& second = c_first ? d : c;
  s.join(second, it, at(1), true,
         second.label + " joins with the token at lamport L: takes effect for now", &t,
         {l, std::nullopt});
  s.join(first, it, at(1), true,
         first.label + " joins with the token at the same lamport L: sorts before " + second.label +
             "'s join and wins; " + second.label + "'s join loses its effect",
         &t, {l, std::nullopt});
  auto k = s.contribution(b, "Pumps", {"bikes"}, at(1, 1), true, "B contributes");
  s.thanks(a, k.id, at(1, 2), true, "A thanks B");
  auto p = s.propose(b, {{"action", "agreement"}, {"text", "Fix first"}, {"supersedes", nullptr}},
                     at(2), true, "B proposes: 1 of 3");
  auto first_head = first.head;
  s.endorse(first, p, at(2, 1), true, first.label + " endorses (seq 2): 2 of 3, adopted");
  s.request(second, "Hello", {"bikes"}, at(2, 2), false,
            second.label + " writes as a non-member: no effect");
  s.request(first, "Hello again", json::array(), at(2, 3), false,
            first.label +
                "'s other record at seq 2 (a fork): the endorse loses its effect, the "
                "proposal is open again",
            {std::nullopt, first_head});
  const std::size_t n = s.records().size();
  // Feed by feed, in descending author order.
  std::map<node::member_id, std::vector<std::size_t>> feeds;
  for (std::size_t i = 0; i < n; ++i) feeds[s.records()[i].r.author].push_back(i);
  run_spec by_feed{"feed by feed, descending author bytes, one record per step", {}};
  for (auto it2 = feeds.rbegin(); it2 != feeds.rend(); ++it2) {
    for (auto i : it2->second) by_feed.batches.push_back({i});
  }
  s.add_run(by_feed);
  // A fixed random interleaving (each feed in seq order), in batches of 1-3.
  std::mt19937_64 rng(20260101);
  std::vector<std::pair<std::vector<std::size_t>, std::size_t>> queues;
  for (auto& [author, list] : feeds) queues.push_back({list, 0});
  run_spec shuffled{"a random interleaving (seed 20260101), batches of 1 to 3 records", {}};
  std::size_t left = n;
  while (left > 0) {
    std::vector<std::size_t> batch;
    std::size_t size = std::uniform_int_distribution<std::size_t>(1, 3)(rng);
    while (batch.size() < size && left > 0) {
      std::vector<std::size_t> open;
      for (std::size_t q = 0; q < queues.size(); ++q) {
        if (queues[q].second < queues[q].first.size()) open.push_back(q);
      }
      auto& q = queues[open[std::uniform_int_distribution<std::size_t>(0, open.size() - 1)(rng)]];
      batch.push_back(q.first[q.second++]);
      --left;
    }
    shuffled.batches.push_back(batch);
  }
  s.add_run(shuffled);
  run_spec all{"all records in one batch", {{}}};
  for (std::size_t i = 0; i < n; ++i) all.batches[0].push_back(i);
  s.add_run(all);
  return s;
}

void write_file(const std::filesystem::path& path, const std::string& about,
                const std::vector<scenario>& list) {
  // One history per block; records and steps one per line, so diffs stay readable.
  std::string out = "{\n  \"kind\": \"histories\",\n  \"about\": " + json(about).dump() +
                    ",\n  \"histories\": [\n";
  for (std::size_t h = 0; h < list.size(); ++h) {
    json j = list[h].to_json();
    out += "    {\n";
    for (const char* key : {"name", "about", "community", "now_ts", "members"}) {
      out += "      " + json(key).dump() + ": " + j[key].dump() + ",\n";
    }
    out += "      \"records\": [\n";
    for (std::size_t i = 0; i < j["records"].size(); ++i) {
      out += "        " + j["records"][i].dump() + (i + 1 < j["records"].size() ? ",\n" : "\n");
    }
    out += "      ],\n      \"runs\": [\n";
    for (std::size_t r = 0; r < j["runs"].size(); ++r) {
      const json& run = j["runs"][r];
      out += "        {\"name\": " + run["name"].dump() + ", \"steps\": [\n";
      for (std::size_t i = 0; i < run["steps"].size(); ++i) {
        out += "          " + run["steps"][i].dump() + (i + 1 < run["steps"].size() ? ",\n" : "\n");
      }
      out += std::string("        ]}") + (r + 1 < j["runs"].size() ? ",\n" : "\n");
    }
    out += std::string("      ]\n    }") + (h + 1 < list.size() ? ",\n" : "\n");
  }
  out += "  ]\n}\n";
  if (json::parse(out, nullptr, false).is_discarded()) die("wrote invalid JSON");
  std::ofstream f(path, std::ios::binary);
  f << out;
  if (!f) die("cannot write " + path.string());
  std::cout << path.string() << ": " << list.size() << " histories, " << out.size() << " bytes\n";
}

}  // namespace
}  // namespace zwerm::conformance::histories

int main(int argc, char** argv) {
  using namespace zwerm::conformance::histories;
  if (argc != 2) {
    std::cerr << "usage: zwerm-gen-histories OUT_DIR\n";
    return 2;
  }
  zwerm::crypto::init();
  const std::filesystem::path dir = argv[1];
  const std::string about =
      "Community histories: signed records applied step by step, with the expected state "
      "summary and every view after each step. Format: tests/vectors/README.md, \"Community "
      "histories\". Generated by tests/conformance/gen_histories.cpp; do not edit by hand.";
  const std::vector<std::pair<const char*, scenario (*)()>> files = {
      {"histories-joins.json", joins},     {"histories-removal.json", removal},
      {"histories-steward.json", steward}, {"histories-invite-dies.json", invite_dies},
      {"histories-ts.json", ts_rules},     {"histories-proposals.json", proposals},
      {"histories-circles.json", circles}, {"histories-thanks.json", thanks},
      {"histories-forks.json", forks},     {"histories-orders.json", orders}};
  for (const auto& [file, make] : files) write_file(dir / file, about, {make()});
  return 0;
}
