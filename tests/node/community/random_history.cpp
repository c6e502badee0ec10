#include "tests/node/community/random_history.hpp"

#include "base/base64url.hpp"
#include "crypto/hash.hpp"

namespace zwerm::node::community::test {

namespace {

using nlohmann::json;

enum class sim_status { none, active, left };

struct generator {
  explicit generator(std::uint64_t seed, const random_history_options& o) : rng(seed), opt(o) {
    for (std::size_t i = 0; i < o.pool; ++i) pool.push_back(out.h.make_member(seed * 1000 + i));
    status.assign(o.pool, sim_status::none);
  }

  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng); }
  std::int64_t next_ts() {
    ts += std::uniform_int_distribution<std::int64_t>(0, opt.max_step_ms)(rng);
    return ts;
  }
  std::vector<std::size_t> with(sim_status st) {
    std::vector<std::size_t> v;
    for (std::size_t i = 0; i < status.size(); ++i) {
      if (status[i] == st) v.push_back(i);
    }
    return v;
  }
  std::size_t random_active() {
    auto v = with(sim_status::active);
    return v[pick(v.size())];
  }
  // Membership records always sort after what they refer to; others are sometimes concurrent.
  record write(std::size_t who, std::string_view type, const json& body) {
    std::optional<std::uint64_t> lamport;
    test_member& m = pool[who];
    bool membership = type == "member.invite" || type == "member.join";
    if (!membership && chance(opt.concurrency)) {
      std::uint64_t back = pick(4);
      std::uint64_t l = out.h.max_lamport > back ? out.h.max_lamport - back : 1;
      lamport = std::max<std::uint64_t>(m.lamport + 1, l);
    }
    return out.h.write(m, type, body, next_ts(), lamport);
  }
  std::string id_text(const record& r) { return crypto::to_text(r.id); }
  json tags() {
    static const char* names[] = {"rust",   "Welding", "sewing",  "bikes",
                                  "garden", "python",  "cooking", "music"};
    json t = json::array();
    std::size_t n = pick(3);
    std::size_t first = pick(8);
    for (std::size_t i = 0; i < n; ++i) t.push_back(names[(first + i * 3) % 8]);
    return t;
  }

  void invite_and_join() {
    auto candidates = with(sim_status::none);
    for (auto l : with(sim_status::left)) candidates.push_back(l);
    if (candidates.empty()) return;
    std::size_t who = candidates[pick(candidates.size())];
    std::size_t inviter = steward_policy ? steward : random_active();
    if (status[inviter] != sim_status::active) return;
    bool token_invite = chance(0.5);
    std::string token(32, static_cast<char>('a' + pick(26)));
    std::int64_t expires = ts + static_cast<std::int64_t>(pick(20)) * day_ms;
    json body = {{"note", "welcome"}, {"expires_ts", expires}};
    if (token_invite)
      body["token_hash"] = crypto::to_text(crypto::blake2b256(token));
    else
      body["invitee"] = pool[who].text();
    record inv = write(inviter, "member.invite", body);
    json join = {{"invite", id_text(inv)}};
    if (token_invite) {
      if (chance(0.15)) {  // a wrong token first
        join["token"] = crypto::base64url_encode(std::string(32, '!'));
        write(who, "member.join", join);
      }
      join["token"] = crypto::base64url_encode(token);
    }
    record j = write(who, "member.join", join);
    if (j.ts <= expires) status[who] = sim_status::active;
    if (token_invite && chance(0.1)) {  // someone else reuses the invite
      auto others = with(sim_status::none);
      if (!others.empty()) write(others[pick(others.size())], "member.join", join);
    }
  }

  void step() {
    std::size_t active = with(sim_status::active).size();
    double r = std::uniform_real_distribution<double>(0, 1)(rng);
    std::size_t a = random_active();
    if (r < (active < 9 ? 0.2 : 0.03)) return invite_and_join();
    r = std::uniform_real_distribution<double>(0, 1)(rng);
    if (r < 0.03 && active > 4 && a != 0 && a != steward) {
      write(a, "member.leave", {{"reason", "busy"}});
      status[a] = sim_status::left;
    } else if (r < 0.10) {
      json addr = chance(0.5) ? json(nullptr) : json("node" + std::to_string(a) + ".example:7000");
      write(a, "profile",
            {{"name", "member" + std::to_string(a)},
             {"about", ""},
             {"skills", tags()},
             {"address", addr}});
    } else if (r < 0.22) {
      requests.push_back(
          write(a, "request", {{"title", "need help"}, {"body", "please"}, {"tags", tags()}}));
    } else if (r < 0.42) {
      json answers = nullptr, circle = nullptr;
      if (!requests.empty() && chance(0.4)) answers = id_text(requests[pick(requests.size())]);
      if (!circles.empty() && chance(0.3)) circle = id_text(circles[pick(circles.size())]);
      static const char* kinds[] = {"knowledge",    "help",    "event",
                                    "introduction", "content", "other"};
      contributions.push_back(write(a, "contribution",
                                    {{"kind", kinds[pick(6)]},
                                     {"title", "a thing"},
                                     {"body", "text"},
                                     {"tags", tags()},
                                     {"answers", answers},
                                     {"circle", circle}}));
    } else if (r < 0.62) {
      if (contributions.empty()) return;
      write(a, "thanks",
            {{"contribution", id_text(contributions[pick(contributions.size())])}, {"note", ""}});
    } else if (r < 0.68) {
      json body = {{"reason", "why not"}};
      std::size_t kind = pick(10);
      if (kind < 5) {
        body["action"] = "agreement";
        body["text"] = "agreement " + std::to_string(proposals.size());
        body["supersedes"] = nullptr;
        if (!proposals.empty() && chance(0.3))
          body["supersedes"] = id_text(proposals[pick(proposals.size())]);
      } else if (kind < 7) {
        body["action"] = "purpose";
        body["text"] = "purpose " + std::to_string(proposals.size());
      } else if (kind < 9) {
        std::size_t target = random_active();
        bool remove = kind == 8 || steward_policy;
        if (remove && (target == 0 || target == steward)) return;  // keep an inviter around
        body["action"] = remove ? "remove" : "steward";
        body["member"] = pool[target].text();
      } else {
        if (steward_policy) return;  // the generator keeps its steward for invites
        body["action"] = "steward";
        body["member"] = pool[pick(pool.size())].text();
      }
      proposals.push_back(write(a, "proposal", body));
    } else if (r < 0.82) {
      if (proposals.empty()) return;
      write(a, "endorse", {{"proposal", id_text(proposals[pick(proposals.size())])}});
    } else if (r < 0.86) {
      circles.push_back(write(a, "circle.open", {{"name", "circle"}, {"purpose", "work"}}));
    } else if (r < 0.95) {
      if (circles.empty()) return;
      static const char* ops[] = {"circle.join", "circle.join", "circle.leave", "circle.close"};
      write(a, ops[pick(4)], {{"circle", id_text(circles[pick(circles.size())])}});
    } else if (r < 0.97) {
      std::size_t to = random_active();
      write(a, "steward.handover", {{"to", pool[to].text()}});
      if (a == steward && to != a) steward = to;
    } else if (r < 0.99) {
      auto outsiders = with(sim_status::none);
      if (!outsiders.empty()) {
        write(outsiders[pick(outsiders.size())], "request",
              {{"title", "spam"}, {"body", ""}, {"tags", json::array()}});
      }
    } else {
      write(a, "unknown.type", {{"x", 1}});
    }
  }

  std::mt19937_64 rng;
  random_history_options opt;
  random_history out;
  std::vector<test_member> pool;
  std::vector<sim_status> status;
  std::vector<record> requests, contributions, proposals, circles;
  std::int64_t ts = 1'700'000'000'000;
  bool steward_policy = false;
  std::size_t steward = 0;
};

}  // namespace

random_history make_random_history(std::uint64_t seed, const random_history_options& o) {
  generator g(seed, o);
  g.steward_policy = g.chance(0.2);
  g.out.h.genesis(g.pool[0], "Makers", g.steward_policy ? "steward" : "member",
                  static_cast<int>(g.pick(70)), g.ts);
  g.status[0] = sim_status::active;
  while (g.out.h.records.size() < o.records) g.step();
  if (g.chance(0.3)) {
    std::size_t who = 1 + g.pick(g.pool.size() - 1);
    std::vector<const record*> own;
    for (const auto& r : g.out.h.records) {
      if (r.author == g.pool[who].id()) own.push_back(&r);
    }
    if (own.size() >= 2) {
      const record* at = own[1 + g.pick(own.size() - 1)];
      g.out.fork = fork_choice{at->author, {at->seq, at->lamport}};
    }
  }
  g.out.last_ts = g.ts;
  return std::move(g.out);
}

}  // namespace zwerm::node::community::test
