// Content rules: requests, contributions, thanks and circles (PROTOCOL.md §3.4).
#include "node/community/rules.hpp"

namespace zwerm::node::community {

bool rules::request(state& s, apply_context& c, const request_body& b,
                    std::vector<std::uint32_t>* topics) {
  journal& jr = j(s);
  request_info info;
  info.id = c.r.id;
  info.author = c.author;
  info.ts = c.r.ts;
  info.title = b.title;
  for (const auto& t : b.tags) topics->push_back(intern_topic(s, t));
  info.tags = *topics;
  auto i = static_cast<index>(s.requests.size());
  jr.push_back(s.requests, std::move(info));
  jr.emplace(s.request_index, c.r.id, i);
  jr.insert(s.open_requests, i);
  return true;
}

bool rules::contribution(state& s, apply_context& c, const contribution_body& b,
                         std::vector<std::uint32_t>* topics, index* circle) {
  index request = no_index;
  if (b.answers) {
    auto it = s.request_index.find(*b.answers);
    if (it == s.request_index.end()) return c.no("it answers a request not known here");
    request = it->second;
  }
  if (b.circle) {
    auto it = s.circle_index.find(*b.circle);
    if (it == s.circle_index.end()) return c.no("its circle is not known here");
    const circle_info& ci = s.circles[it->second];
    if (!ci.open) return c.no("the circle " + ci.name + " is closed");
    if (!ci.members.count(c.author)) return c.no("the author is not in the circle " + ci.name);
    *circle = it->second;
  }
  journal& jr = j(s);
  contribution_info info;
  info.id = c.r.id;
  info.author = c.author;
  info.ts = c.r.ts;
  info.kind = b.kind;
  info.answers = request;
  info.circle = *circle;
  for (const auto& t : b.tags) topics->push_back(intern_topic(s, t));
  info.tags = *topics;
  auto i = static_cast<index>(s.contributions.size());
  jr.push_back(s.contributions, std::move(info));
  jr.emplace(s.contribution_index, c.r.id, i);
  for (auto t : *topics) {
    topic_evidence& e = evidence(s, t, c.author);
    jr.assign(e.contributions, e.contributions + 1);
  }
  if (request != no_index) {
    jr.push_back(s.requests[request].answers, i);
    if (jr.erase(s.open_requests, request)) jr.insert(s.answered_requests, request);
  }
  return true;
}

bool rules::thanks(state& s, apply_context& c, const thanks_body& b) {
  auto it = s.contribution_index.find(b.contribution);
  if (it == s.contribution_index.end()) return c.no("the contribution is not known here");
  index ci = it->second;
  contribution_info& contrib = s.contributions[ci];
  index giver = contrib.author;
  if (giver == c.author) return c.no("nobody can thank themselves for their own contribution");
  journal& jr = j(s);
  if (!jr.insert(s.thanked, (std::uint64_t{c.author} << 32) | ci)) {
    return c.no("the author already thanked this contribution");  // once
  }
  jr.assign(contrib.thanks, contrib.thanks + 1);
  member_info& g = s.members[giver];
  member_info& t = s.members[c.author];
  jr.assign(g.given, g.given + 1);
  jr.assign(t.taken, t.taken + 1);
  for (auto topic : contrib.tags) {
    topic_evidence& e = evidence(s, topic, giver);
    jr.assign(e.thanks, e.thanks + 1);
  }
  index lo = std::min(giver, c.author), hi = std::max(giver, c.author);
  const std::uint64_t pair = (std::uint64_t{lo} << 32) | hi;
  const bool new_tie = !s.ties.contains(pair);
  std::uint32_t& weight = jr.emplace(s.ties, pair, std::uint32_t{0});
  jr.assign(weight, weight + 1);
  if (new_tie) {
    jr.push_back(g.partners, c.author);
    jr.push_back(t.partners, giver);
  }
  return true;
}

bool rules::circle_open(state& s, apply_context& c, const circle_open_body& b, index* circle) {
  journal& jr = j(s);
  circle_info info;
  info.id = c.r.id;
  info.opener = c.author;
  info.ts = c.r.ts;
  info.name = b.name;
  info.purpose = b.purpose;
  info.members.insert(c.author);
  *circle = static_cast<index>(s.circles.size());
  jr.push_back(s.circles, std::move(info));
  jr.emplace(s.circle_index, c.r.id, *circle);
  return true;
}

bool rules::circle_change(state& s, apply_context& c, record_kind kind, const circle_ref_body& b,
                          index* circle) {
  auto it = s.circle_index.find(b.circle);
  if (it == s.circle_index.end()) return c.no("the circle is not known here");
  circle_info& ci = s.circles[it->second];
  if (!ci.open) return c.no("the circle " + ci.name + " is closed");
  journal& jr = j(s);
  bool effect = false;
  switch (kind) {
    case record_kind::circle_join:
      effect = jr.insert(ci.members, c.author);
      if (!effect) c.no("the author is in the circle " + ci.name + " already");
      break;
    case record_kind::circle_leave:
      effect = jr.erase(ci.members, c.author);
      if (!effect) c.no("the author is not in the circle " + ci.name);
      break;
    case record_kind::circle_close:
      if (ci.members.count(c.author) || s.steward == c.author) {
        jr.assign(ci.open, false);
        effect = true;
      } else {
        c.no("only a member of the circle " + ci.name + " or the steward can close it");
      }
      break;
    default:
      break;
  }
  if (effect) *circle = it->second;
  return effect;
}

}  // namespace zwerm::node::community
