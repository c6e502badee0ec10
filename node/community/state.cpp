#include "node/community/state.hpp"

#include "crypto/hash.hpp"
#include "node/community/rules.hpp"

namespace zwerm::node::community {

state::state(const community_id& community, std::size_t journal_limit)
    : community_(community), journal_(journal_limit) {}

index state::find_member(const member_id& m) const {
  auto it = member_index.find(m);
  return it == member_index.end() ? no_index : it->second;
}

std::uint32_t state::find_topic(std::string_view normalised) const {
  auto it = topic_index.find(std::string(normalised));
  return it == topic_index.end() ? no_index : it->second;
}

bool state::forked_at(const member_id& m, const position& p) const {
  auto it = forks_.find(m);
  if (it == forks_.end()) return false;
  return p >= position{it->second.lamport, m, it->second.seq};
}

bool state::is_active(index m, const position& at) const {
  return m != no_index && members[m].status == member_status::active &&
         !forked_at(members[m].id, at);
}

bool state::is_active_member(const member_id& m) const {
  index i = find_member(m);
  return i != no_index && members[i].status == member_status::active && !forks_.count(m);
}

std::optional<record_id> state::find_token_invite(const invite_token& token,
                                                  std::int64_t now_ts) const {
  crypto::digest hash = crypto::blake2b256(token.view());
  std::optional<record_id> found;
  for (const auto& [id, inv] : invites) {
    if (inv.used || !inv.token_hash || *inv.token_hash != hash || now_ts > inv.expires_ts) continue;
    if (!found || id < *found) found = id;  // deterministic if a token was reused
  }
  return found;
}

void state::set_fork(const member_id& author, const fork_point& fork) {
  auto it = forks_.find(author);
  if (it == forks_.end()) {
    forks_.emplace(author, fork);
  } else if (fork.seq < it->second.seq ||
             (fork.seq == it->second.seq && fork.lamport < it->second.lamport)) {
    it->second = fork;
  }
}

std::int64_t state::week_of(std::int64_t ts) {
  std::int64_t shifted = ts + 3 * day_ms;  // 1969-12-29 was a Monday
  std::int64_t w = shifted / week_ms;
  if (shifted % week_ms < 0) --w;
  return w;
}

bool state::apply_record(const record& r, std::string* why) {
  position pos = position_of(r);
  auto no = [why](std::string reason) {
    if (why) *why = std::move(reason);
    return false;
  };
  // Out of order or a duplicate: the caller's bug, ignored.
  if (head_ && pos <= *head_) return no("it is not newer than the community's newest record");
  journal_.begin_record(pos);
  head_ = pos;  // not journaled: rewind_to recomputes both from the journal
  ++applied_;

  if (r.community != community_) return no("it is a record of another community");
  if (dissolved) return no("the community is dissolved");
  record_kind kind = kind_of(r.type);
  if (kind == record_kind::unknown) return no("its type " + r.type + " is not known here");
  if (forked_at(r.author, pos)) {
    return no("the author's feed forked: nothing from the fork on counts");
  }
  if (kind != record_kind::community_create && !created) {
    return no("the community's genesis is not here yet");
  }
  auto parsed = parse_body(kind, r.body);
  if (!parsed.ok()) return no(parsed.error().message());

  apply_context c{r, pos, no_index, {}};
  if (kind != record_kind::community_create && kind != record_kind::member_join) {
    index m = find_member(r.author);
    if (!is_active(m, pos)) return no("the author is not an active member");
    c.author = m;
  }

  std::vector<std::uint32_t> topics;
  index circle = no_index;
  bool effect = false;
  const body& b = parsed.value();
  switch (kind) {
    case record_kind::community_create:
      effect = rules::create(*this, c, std::get<create_body>(b));
      break;
    case record_kind::member_invite:
      effect = rules::invite(*this, c, std::get<invite_body>(b));
      break;
    case record_kind::member_join:
      effect = rules::join(*this, c, std::get<join_body>(b));
      break;
    case record_kind::member_leave:
      effect = rules::leave(*this, c, std::get<leave_body>(b));
      break;
    case record_kind::profile:
      effect = rules::profile(*this, c, std::get<profile_body>(b));
      break;
    case record_kind::request:
      effect = rules::request(*this, c, std::get<request_body>(b), &topics);
      break;
    case record_kind::contribution:
      effect = rules::contribution(*this, c, std::get<contribution_body>(b), &topics, &circle);
      break;
    case record_kind::thanks:
      effect = rules::thanks(*this, c, std::get<thanks_body>(b));
      break;
    case record_kind::proposal:
      effect = rules::proposal(*this, c, std::get<proposal_body>(b));
      break;
    case record_kind::endorse:
      effect = rules::endorse(*this, c, std::get<endorse_body>(b));
      break;
    case record_kind::steward_handover:
      effect = rules::handover(*this, c, std::get<handover_body>(b));
      break;
    case record_kind::circle_open:
      effect = rules::circle_open(*this, c, std::get<circle_open_body>(b), &circle);
      break;
    case record_kind::circle_join:
    case record_kind::circle_leave:
    case record_kind::circle_close:
      effect = rules::circle_change(*this, c, kind, std::get<circle_ref_body>(b), &circle);
      break;
    case record_kind::unknown:
      break;
  }
  if (effect) {
    rules::note_effect(*this, c, kind, circle, topics);
  } else if (why) {
    *why = c.why.empty() ? "a community rule gave it no effect" : std::move(c.why);
  }
  return effect;
}

std::optional<std::string> state::dry_run(const record& r) {
  const position pos = position_of(r);
  if (head_ && pos <= *head_) return "it is not newer than the community's newest record";
  // Without an undo journal the record could not be taken back: nothing is tried.
  if (journal_.limit() == 0) return std::nullopt;
  std::string why;
  const bool effect = apply_record(r, &why);
  rewind_to(pos);
  if (effect) return std::nullopt;
  return why;
}

// --- shared helpers ------------------------------------------------------------------------

index rules::activate(state& s, const member_id& m, std::int64_t ts) {
  journal& jr = s.journal_;
  index i = s.find_member(m);
  if (i == no_index) {
    i = static_cast<index>(s.members.size());
    member_info info;
    info.id = m;
    info.joined_ts = ts;
    info.active_since = s.feed.size();
    jr.push_back(s.members, std::move(info));
    jr.emplace(s.member_index, m, i);
  } else {
    jr.assign(s.members[i].status, member_status::active);
    jr.assign(s.members[i].joined_ts, ts);
    jr.assign(s.members[i].active_since, static_cast<std::uint64_t>(s.feed.size()));
  }
  jr.assign(s.active_count, s.active_count + 1);
  return i;
}

void rules::deactivate(state& s, index m, member_status to) {
  journal& jr = s.journal_;
  jr.assign(s.members[m].status, to);
  if (to == member_status::removed) jr.assign(s.members[m].removed_at, s.feed.size());
  jr.assign(s.active_count, s.active_count - 1);
  if (s.steward == m) jr.assign(s.steward, no_index);
}

std::uint32_t rules::intern_topic(state& s, std::string_view text) {
  std::string key = normalize_topic(text);
  auto it = s.topic_index.find(key);
  if (it != s.topic_index.end()) return it->second;
  auto id = static_cast<std::uint32_t>(s.topics.size());
  s.journal_.push_back(s.topics, key);
  s.journal_.emplace(s.topic_index, key, id);
  return id;
}

topic_evidence& rules::evidence(state& s, std::uint32_t topic, index member) {
  std::uint64_t key = state::evidence_key(topic, member);
  auto it = s.evidence.find(key);
  if (it != s.evidence.end()) return it->second;
  auto& members = s.journal_.emplace(s.topic_members, topic, std::vector<index>{});
  s.journal_.push_back(members, member);
  return s.journal_.emplace(s.evidence, key, topic_evidence{});
}

std::string rules::ago(std::int64_t ms) {
  auto count = [](std::int64_t n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s") + " ago";
  };
  if (ms < 60'000) return "just now";
  if (ms < 3'600'000) return count(ms / 60'000, "minute");
  if (ms < day_ms) return count(ms / 3'600'000, "hour");
  if (ms < 14 * day_ms) return count(ms / day_ms, "day");
  if (ms < 61 * day_ms) return count(ms / (7 * day_ms), "week");
  if (ms < 365 * day_ms) return count(ms / (30 * day_ms), "month");
  return count(ms / (365 * day_ms), "year");
}

std::uint64_t rules::active_at(const state& s, const position& p) {
  std::uint64_t n = s.active_count;
  for (const auto& [m, f] : s.forks_) {
    index i = s.find_member(m);
    if (i != no_index && s.members[i].status == member_status::active &&
        p >= position{f.lamport, m, f.seq}) {
      --n;
    }
  }
  return n;
}

void rules::note_effect(state& s, const apply_context& c, record_kind kind, index circle,
                        std::span<const std::uint32_t> topics) {
  journal& jr = s.journal_;
  index author = c.author != no_index ? c.author : s.find_member(c.r.author);
  auto ordinal = static_cast<std::uint32_t>(s.feed.size());
  feed_entry e;
  e.id = c.r.id;
  e.lamport = c.r.lamport;
  e.seq = c.r.seq;
  e.ts = c.r.ts;
  e.author = author;
  e.circle = circle;
  e.tag_begin = static_cast<std::uint32_t>(s.feed_tags.size());
  e.tag_count = static_cast<std::uint8_t>(topics.size());
  e.kind = kind;
  jr.push_back(s.feed, e);
  for (auto t : topics) {
    jr.push_back(s.feed_tags, t);
    auto& list = jr.emplace(s.feed_by_topic, t, std::vector<std::uint32_t>{});
    if (list.empty() || list.back() != ordinal) jr.push_back(list, ordinal);
  }
  jr.push_back(s.feed_by_kind[static_cast<std::size_t>(kind)], ordinal);
  member_info& m = s.members[author];
  jr.push_back(m.feed, ordinal);
  jr.assign(m.records, m.records + 1);
  if (c.r.ts > m.last_active_ts) jr.assign(m.last_active_ts, c.r.ts);
  if (circle != no_index) jr.push_back(s.circles[circle].feed, ordinal);
  week_info& w = jr.emplace(s.weeks, state::week_of(c.r.ts), week_info{});
  jr.assign(w.records, w.records + 1);
  if (w.mark(author)) jr.on_undo([p = &w, author] { p->unmark(author); });
}

}  // namespace zwerm::node::community
