#include "node/community/snapshot.hpp"

#include <algorithm>

#include "node/community/snapshot_io.hpp"

namespace zwerm::node::community {

struct snapshot_codec {
  static std::string encode(const state& s, std::size_t size_hint);
  static status decode(snapshot_reader& r, state& s);
  static status rebuild(state& s);
};

namespace {

constexpr std::size_t feed_entry_bytes = 70;

template <class T>
T read_le(const char* p) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    v |= static_cast<T>(static_cast<T>(static_cast<unsigned char>(p[i])) << (8 * i));
  }
  return v;
}

void put_index(snapshot_writer& w, index i) {
  w.u64(i == no_index ? 0 : std::uint64_t{i} + 1);
}

bool get_index(snapshot_reader& r, index* i, std::size_t bound, bool allow_none) {
  std::uint64_t v;
  if (!r.u64(&v)) return false;
  if (v == 0) {
    *i = no_index;
    if (!allow_none) r.fail();
    return r.ok();
  }
  if (v - 1 >= bound) {
    r.fail();
    return false;
  }
  *i = static_cast<index>(v - 1);
  return true;
}

template <class T>
void put_optional(snapshot_writer& w, const std::optional<T>& v) {
  w.u8(v ? 1 : 0);
  if (v) w.fixed(*v);
}

template <class T>
bool get_optional(snapshot_reader& r, std::optional<T>* v) {
  bool has;
  if (!r.boolean(&has)) return false;
  if (!has) {
    v->reset();
    return true;
  }
  T x;
  if (!r.fixed(&x)) return false;
  *v = x;
  return true;
}

template <class E>
bool get_enum(snapshot_reader& r, E* e, std::uint8_t count) {
  std::uint8_t v;
  if (!r.u8(&v) || v >= count) {
    r.fail();
    return false;
  }
  *e = static_cast<E>(v);
  return true;
}

void put_u32s(snapshot_writer& w, const std::vector<std::uint32_t>& v) {
  w.u64(v.size());
  for (auto x : v) w.u64(x);
}

bool get_topics(snapshot_reader& r, std::vector<std::uint32_t>* v, std::size_t bound) {
  std::size_t n;
  if (!r.count(&n, 1) || n > limits::tags) return r.fail(), false;
  v->resize(n);
  for (auto& x : *v) {
    if (!r.u32(&x) || x >= bound) return r.fail(), false;
  }
  return true;
}

topic_evidence& evidence_of(state& s, std::uint32_t topic, index member) {
  auto [it, inserted] = s.evidence.try_emplace(state::evidence_key(topic, member));
  if (inserted) s.topic_members[topic].push_back(member);
  return it->second;
}

status corrupt(const char* what) {
  return {status_code::corruption,
          std::string("community snapshot is damaged (") + what +
              "); delete it and the node will rebuild its views from the records"};
}

}  // namespace

std::string snapshot_codec::encode(const state& s, std::size_t size_hint) {
  snapshot_writer w;
  w.reserve(size_hint);
  w.raw(snapshot_magic);
  w.u64(snapshot_version);
  w.fixed(s.community_);
  w.u8(s.head_ ? 1 : 0);
  if (s.head_) {
    w.u64(s.head_->lamport);
    w.fixed(s.head_->author);
    w.u64(s.head_->seq);
  }
  w.u64(s.applied_);
  w.u64(s.forks_.size());
  for (const auto& [m, f] : s.forks_) {
    w.fixed(m);
    w.u64(f.seq);
    w.u64(f.lamport);
  }
  w.u8(s.created);
  w.u8(s.dissolved);
  w.i64(s.created_ts);
  w.i64(s.dissolved_ts);
  w.str(s.name);
  w.str(s.purpose);
  w.u8(static_cast<std::uint8_t>(s.invite_by));
  w.u64(s.quorum_pct);
  put_index(w, s.steward);

  w.u64(s.topics.size());
  for (const auto& t : s.topics) w.str(t);

  w.u64(s.members.size());
  for (const auto& m : s.members) {
    w.fixed(m.id);
    w.u8(static_cast<std::uint8_t>(m.status));
    w.i64(m.joined_ts);
    w.i64(m.last_active_ts);
    w.u64(m.records);
    w.u64(m.given);
    w.u64(m.taken);
    w.u8(m.has_profile);
    w.str(m.name);
    w.str(m.about);
    w.u64(m.skills.size());
    for (const auto& k : m.skills) w.str(k);
    w.u8(m.address ? 1 : 0);
    if (m.address) w.str(*m.address);
    w.u64(m.removed_at);
    w.u64(m.active_since);
  }

  std::vector<const std::pair<const record_id, invite_info>*> invites;
  invites.reserve(s.invites.size());
  for (const auto& kv : s.invites) invites.push_back(&kv);
  std::sort(invites.begin(), invites.end(), [](auto* a, auto* b) { return a->first < b->first; });
  w.u64(invites.size());
  for (const auto* kv : invites) {
    const invite_info& i = kv->second;
    w.fixed(kv->first);
    put_index(w, i.inviter);
    put_optional(w, i.invitee);
    put_optional(w, i.token_hash);
    w.i64(i.expires_ts);
    w.i64(i.ts);
    w.u8(i.used);
    w.u64(i.made_at);
  }

  w.u64(s.requests.size());
  for (const auto& q : s.requests) {
    w.fixed(q.id);
    put_index(w, q.author);
    w.i64(q.ts);
    w.str(q.title);
    put_u32s(w, q.tags);
    put_u32s(w, q.answers);
  }

  w.u64(s.contributions.size());
  for (const auto& c : s.contributions) {
    w.fixed(c.id);
    put_index(w, c.author);
    w.i64(c.ts);
    w.u8(static_cast<std::uint8_t>(c.kind));
    put_u32s(w, c.tags);
    put_index(w, c.answers);
    put_index(w, c.circle);
    w.u64(c.thanks);
  }

  std::vector<std::uint64_t> thanked(s.thanked.begin(), s.thanked.end());
  std::sort(thanked.begin(), thanked.end());
  w.u64(thanked.size());
  for (auto t : thanked) w.u64(t);

  w.u64(s.proposals.size());
  for (const auto& p : s.proposals) {
    w.fixed(p.id);
    put_index(w, p.author);
    w.i64(p.ts);
    w.u8(static_cast<std::uint8_t>(p.action));
    w.str(p.text);
    put_optional(w, p.supersedes);
    put_index(w, p.member);
    w.str(p.reason);
    put_u32s(w, p.endorsers);
    w.u8(static_cast<std::uint8_t>(p.status));
    w.i64(p.adopted_ts);
    put_index(w, p.superseded_by);
  }

  w.u64(s.circles.size());
  for (const auto& c : s.circles) {
    w.fixed(c.id);
    put_index(w, c.opener);
    w.i64(c.ts);
    w.str(c.name);
    w.str(c.purpose);
    w.u8(c.open);
    w.u64(c.members.size());
    for (auto m : c.members) w.u64(m);
  }

  // The feed is the bulk of a snapshot: fixed-width entries (feed_entry_bytes each).
  w.u64(s.feed.size());
  w.reserve(s.feed.size() * feed_entry_bytes);
  for (const auto& e : s.feed) {
    w.fixed(e.id);
    w.le(e.lamport);
    w.le(e.seq);
    w.le(static_cast<std::uint64_t>(e.ts));
    w.le(e.author);
    w.le(e.circle);
    w.le(e.tag_begin);
    w.le(e.tag_count);
    w.le(static_cast<std::uint8_t>(e.kind));
  }
  put_u32s(w, s.feed_tags);
  return w.take();
}

status snapshot_codec::decode(snapshot_reader& r, state& s) {
  std::uint64_t version;
  if (!r.raw(snapshot_magic) || !r.u64(&version)) return corrupt("no snapshot header");
  if (version != snapshot_version) {
    return {status_code::unsupported,
            "community snapshot version " + std::to_string(version) + " is not this build's (" +
                std::to_string(snapshot_version) + "); the state is rebuilt from the log"};
  }
  community_id community;
  r.fixed(&community);
  if (r.ok() && community != s.community_) return corrupt("it belongs to another community");
  bool has_head = false;
  r.boolean(&has_head);
  if (has_head) {
    position p;
    r.u64(&p.lamport);
    r.fixed(&p.author);
    r.u64(&p.seq);
    s.head_ = p;
  }
  r.u64(&s.applied_);
  std::size_t n = 0;
  r.count(&n, 34);
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    member_id m;
    fork_point f;
    r.fixed(&m);
    r.u64(&f.seq);
    r.u64(&f.lamport);
    s.forks_[m] = f;
  }
  r.boolean(&s.created);
  r.boolean(&s.dissolved);
  r.i64(&s.created_ts);
  r.i64(&s.dissolved_ts);
  r.str(&s.name);
  r.str(&s.purpose);
  get_enum(r, &s.invite_by, 2);
  r.u32(&s.quorum_pct);
  if (s.quorum_pct > limits::max_quorum_pct) r.fail();
  std::uint64_t steward_raw = 0;
  r.u64(&steward_raw);
  if (!r.ok()) return corrupt("community header");

  r.count(&n, 1);
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    std::string t;
    r.str(&t);
    s.topics.push_back(t);
    if (!s.topic_index.emplace(std::move(t), static_cast<std::uint32_t>(i)).second) r.fail();
  }
  if (!r.ok()) return corrupt("topics");
  const std::size_t topic_count = s.topics.size();

  r.count(&n, 40);
  s.member_index.reserve(n);
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    member_info m;
    r.fixed(&m.id);
    get_enum(r, &m.status, 3);
    r.i64(&m.joined_ts);
    r.i64(&m.last_active_ts);
    r.u64(&m.records);
    r.u64(&m.given);
    r.u64(&m.taken);
    r.boolean(&m.has_profile);
    r.str(&m.name);
    r.str(&m.about);
    std::size_t k = 0;
    if (r.count(&k, 1) && k > limits::tags) r.fail();
    for (std::size_t j = 0; j < k && r.ok(); ++j) {
      std::string skill;
      r.str(&skill);
      if (s.topic_index.find(normalize_topic(skill)) == s.topic_index.end()) r.fail();
      m.skills.push_back(std::move(skill));
    }
    bool has_address = false;
    r.boolean(&has_address);
    if (has_address) {
      std::string a;
      r.str(&a);
      m.address = std::move(a);
    }
    r.u64(&m.removed_at);
    r.u64(&m.active_since);
    if (!s.member_index.emplace(m.id, static_cast<index>(i)).second) r.fail();
    if (m.status == member_status::active) ++s.active_count;
    s.members.push_back(std::move(m));
  }
  if (!r.ok()) return corrupt("members");
  const std::size_t member_count = s.members.size();
  if (steward_raw > member_count) return corrupt("steward");
  s.steward = steward_raw == 0 ? no_index : static_cast<index>(steward_raw - 1);

  r.count(&n, 36);
  s.invites.reserve(n);
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    record_id id;
    invite_info inv;
    r.fixed(&id);
    get_index(r, &inv.inviter, member_count, false);
    get_optional(r, &inv.invitee);
    get_optional(r, &inv.token_hash);
    if (r.ok() && inv.invitee.has_value() == inv.token_hash.has_value()) r.fail();
    r.i64(&inv.expires_ts);
    r.i64(&inv.ts);
    r.boolean(&inv.used);
    r.u64(&inv.made_at);
    s.invites.emplace(id, std::move(inv));
  }
  if (!r.ok()) return corrupt("invites");

  r.count(&n, 36);
  s.request_index.reserve(n);
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    request_info q;
    r.fixed(&q.id);
    get_index(r, &q.author, member_count, false);
    r.i64(&q.ts);
    r.str(&q.title);
    get_topics(r, &q.tags, topic_count);
    std::size_t a = 0;
    r.count(&a, 1);
    q.answers.resize(a);
    for (auto& x : q.answers) r.u32(&x);  // checked against contributions below
    if (!s.request_index.emplace(q.id, static_cast<index>(i)).second) r.fail();
    s.requests.push_back(std::move(q));
  }
  if (!r.ok()) return corrupt("requests");

  r.count(&n, 38);
  s.contribution_index.reserve(n);
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    contribution_info c;
    r.fixed(&c.id);
    get_index(r, &c.author, member_count, false);
    r.i64(&c.ts);
    get_enum(r, &c.kind, 6);
    get_topics(r, &c.tags, topic_count);
    get_index(r, &c.answers, s.requests.size(), true);
    std::uint64_t circle_raw = 0;
    r.u64(&circle_raw);  // checked against circles below
    c.circle = circle_raw == 0 ? no_index : static_cast<index>(circle_raw - 1);
    if (circle_raw > 0xffffffffu) r.fail();
    r.u64(&c.thanks);
    if (!s.contribution_index.emplace(c.id, static_cast<index>(i)).second) r.fail();
    s.contributions.push_back(std::move(c));
  }
  if (!r.ok()) return corrupt("contributions");
  for (const auto& q : s.requests) {
    for (auto a : q.answers) {
      if (a >= s.contributions.size()) return corrupt("request answers");
    }
  }

  r.count(&n, 1);
  s.thanked.reserve(n);
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    std::uint64_t t = 0;
    r.u64(&t);
    if ((t >> 32) >= member_count || (t & 0xffffffffu) >= s.contributions.size()) r.fail();
    s.thanked.insert(t);
  }
  if (!r.ok()) return corrupt("thanks");

  r.count(&n, 40);
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    proposal_info p;
    r.fixed(&p.id);
    get_index(r, &p.author, member_count, false);
    r.i64(&p.ts);
    get_enum(r, &p.action, 5);
    r.str(&p.text);
    get_optional(r, &p.supersedes);
    get_index(r, &p.member, member_count, true);
    bool needs_member = p.action == proposal_action::remove || p.action == proposal_action::steward;
    if (r.ok() && needs_member != (p.member != no_index)) r.fail();
    r.str(&p.reason);
    std::size_t e = 0;
    r.count(&e, 1);
    p.endorsers.resize(e);
    for (auto& x : p.endorsers) {
      if (r.u32(&x) && x >= member_count) r.fail();
    }
    get_enum(r, &p.status, 2);
    r.i64(&p.adopted_ts);
    std::uint64_t sup = 0;
    r.u64(&sup);
    if (sup > n) r.fail();
    p.superseded_by = sup == 0 ? no_index : static_cast<index>(sup - 1);
    if (!s.proposal_index.emplace(p.id, static_cast<index>(i)).second) r.fail();
    s.proposals.push_back(std::move(p));
  }
  if (!r.ok()) return corrupt("proposals");

  r.count(&n, 38);
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    circle_info c;
    r.fixed(&c.id);
    get_index(r, &c.opener, member_count, false);
    r.i64(&c.ts);
    r.str(&c.name);
    r.str(&c.purpose);
    r.boolean(&c.open);
    std::size_t k = 0;
    r.count(&k, 1);
    for (std::size_t j = 0; j < k && r.ok(); ++j) {
      std::uint32_t m = 0;
      if (r.u32(&m) && (m >= member_count || !c.members.insert(m).second)) r.fail();
    }
    if (!s.circle_index.emplace(c.id, static_cast<index>(i)).second) r.fail();
    s.circles.push_back(std::move(c));
  }
  if (!r.ok()) return corrupt("circles");
  for (const auto& c : s.contributions) {
    if (c.circle != no_index && c.circle >= s.circles.size()) return corrupt("contribution circle");
  }

  std::string_view block;
  if (r.count(&n, feed_entry_bytes) && r.take(n * feed_entry_bytes, &block)) {
    s.feed.resize(n);
    const char* p = block.data();
    for (auto& e : s.feed) {
      record_id::from(std::string_view(p, 32), &e.id);
      e.lamport = read_le<std::uint64_t>(p + 32);
      e.seq = read_le<std::uint64_t>(p + 40);
      e.ts = static_cast<std::int64_t>(read_le<std::uint64_t>(p + 48));
      e.author = read_le<std::uint32_t>(p + 56);
      e.circle = read_le<std::uint32_t>(p + 60);
      e.tag_begin = read_le<std::uint32_t>(p + 64);
      e.tag_count = static_cast<std::uint8_t>(p[68]);
      auto kind = static_cast<std::uint8_t>(p[69]);
      p += feed_entry_bytes;
      if (e.author >= member_count || (e.circle != no_index && e.circle >= s.circles.size()) ||
          kind >= record_kind_count || e.tag_count > limits::tags) {
        r.fail();
        break;
      }
      e.kind = static_cast<record_kind>(kind);
    }
  }
  if (!r.ok()) return corrupt("feed");
  r.count(&n, 1);
  s.feed_tags.resize(n);
  for (auto& t : s.feed_tags) {
    if (r.u32(&t) && t >= topic_count) r.fail();
  }
  if (!r.ok()) return corrupt("feed tags");
  for (const auto& e : s.feed) {
    if (std::uint64_t{e.tag_begin} + e.tag_count > s.feed_tags.size()) return corrupt("feed tags");
  }
  if (!r.at_end()) return corrupt("bytes after the end");
  return {};
}

status snapshot_codec::rebuild(state& s) {
  for (index i = 0; i < s.requests.size(); ++i) {
    (s.requests[i].answers.empty() ? s.open_requests : s.answered_requests).insert(i);
  }
  for (index p = 0; p < s.proposals.size(); ++p) {
    const proposal_info& prop = s.proposals[p];
    if (prop.action == proposal_action::agreement && prop.status == proposal_status::adopted &&
        prop.superseded_by == no_index) {
      s.agreements.insert(p);
    }
  }
  for (index m = 0; m < s.members.size(); ++m) {
    for (const auto& skill : s.members[m].skills) {
      evidence_of(s, s.topic_index.at(normalize_topic(skill)), m).skill = 1;
    }
  }
  for (const auto& c : s.contributions) {
    for (auto t : c.tags) {
      topic_evidence& e = evidence_of(s, t, c.author);
      e.contributions += 1;
      e.thanks += static_cast<std::uint32_t>(c.thanks);
    }
  }
  s.ties.reserve(s.thanked.size());
  for (auto t : s.thanked) {
    index thanker = static_cast<index>(t >> 32);
    index giver = s.contributions[t & 0xffffffffu].author;
    if (thanker == giver) return corrupt("self-thanks");
    index lo = std::min(thanker, giver), hi = std::max(thanker, giver);
    if (++s.ties[(std::uint64_t{lo} << 32) | hi] == 1) {
      s.members[lo].partners.push_back(hi);
      s.members[hi].partners.push_back(lo);
    }
  }
  for (std::uint32_t o = 0; o < s.feed.size(); ++o) {
    const feed_entry& e = s.feed[o];
    s.feed_by_kind[static_cast<std::size_t>(e.kind)].push_back(o);
    s.members[e.author].feed.push_back(o);
    if (e.circle != no_index) s.circles[e.circle].feed.push_back(o);
    for (std::uint32_t k = 0; k < e.tag_count; ++k) {
      auto& list = s.feed_by_topic[s.feed_tags[e.tag_begin + k]];
      if (list.empty() || list.back() != o) list.push_back(o);
    }
    week_info& w = s.weeks[state::week_of(e.ts)];
    w.records += 1;
    w.mark(e.author);
  }
  return {};
}

std::string encode_snapshot(const state& s, std::size_t size_hint) {
  return snapshot_codec::encode(s, size_hint);
}

result<std::unique_ptr<state>> decode_snapshot(std::string_view bytes, std::size_t journal_limit) {
  // The community id sits right after the header; read it first to construct the state.
  snapshot_reader peek(bytes);
  std::uint64_t version = 0;
  community_id community;
  if (!peek.raw(snapshot_magic) || !peek.u64(&version)) return corrupt("no snapshot header");
  if (version == snapshot_version && !peek.fixed(&community)) return corrupt("truncated header");
  auto s = std::make_unique<state>(community, journal_limit);
  snapshot_reader r(bytes);
  if (auto st = snapshot_codec::decode(r, *s); !st.ok()) return st;
  if (auto st = snapshot_codec::rebuild(*s); !st.ok()) return st;
  s->undo_journal().reset(s->head());
  return s;
}

}  // namespace zwerm::node::community
