#include <algorithm>
#include <span>

#include "node/community/views.hpp"
#include "node/community/views/view_util.hpp"

namespace zwerm::node::community {

namespace {

position entry_position(const state& s, const feed_entry& e) {
  return {e.lamport, s.members[e.author].id, e.seq};
}

bool has_topic(const state& s, const feed_entry& e, std::uint32_t topic) {
  for (std::uint32_t k = 0; k < e.tag_count; ++k) {
    if (s.feed_tags[e.tag_begin + k] == topic) return true;
  }
  return false;
}

nlohmann::json entry_json(const state& s, const feed_entry& e, const record_lookup* lookup) {
  nlohmann::json tags = nlohmann::json::array();
  for (std::uint32_t k = 0; k < e.tag_count; ++k)
    tags.push_back(s.topics[s.feed_tags[e.tag_begin + k]]);
  nlohmann::json j = {
      {"id", text(e.id)},
      {"author", member_ref(s, e.author)},
      {"type", type_name(e.kind)},
      {"ts", e.ts},
      {"lamport", e.lamport},
      {"seq", e.seq},
      {"circle", e.circle == no_index ? nlohmann::json(nullptr)
                                      : nlohmann::json(text(s.circles[e.circle].id))},
      {"tags", std::move(tags)}};
  if (lookup && *lookup) {
    auto r = (*lookup)(e.id);
    nlohmann::json body = nullptr;
    if (r) body = nlohmann::json::parse(r->body, nullptr, false);
    j["body"] = body.is_discarded() ? nlohmann::json(nullptr) : body;
  }
  return j;
}

}  // namespace

nlohmann::json feed_view(const state& s, const feed_query& q, const record_lookup* lookup) {
  nlohmann::json out = {{"entries", nlohmann::json::array()}, {"next_cursor", nullptr}};
  // Resolve filters; a filter naming nothing known matches nothing.
  index author = no_index, circle = no_index;
  std::uint32_t topic = no_index;
  if (q.author && (author = s.find_member(*q.author)) == no_index) return out;
  if (q.circle) {
    auto it = s.circle_index.find(*q.circle);
    if (it == s.circle_index.end()) return out;
    circle = it->second;
  }
  if (q.tag && (topic = s.find_topic(normalize_topic(*q.tag))) == no_index) return out;

  // Walk the smallest candidate list; check the other filters per entry.
  std::span<const std::uint32_t> list;
  bool all = true;
  auto consider = [&](const std::vector<std::uint32_t>& l) {
    if (all || l.size() < list.size()) list = l;
    all = false;
  };
  if (q.kind) consider(s.feed_by_kind[static_cast<std::size_t>(*q.kind)]);
  if (author != no_index) consider(s.members[author].feed);
  if (circle != no_index) consider(s.circles[circle].feed);
  if (topic != no_index) {
    auto it = s.feed_by_topic.find(topic);
    if (it == s.feed_by_topic.end()) return out;
    consider(it->second);
  }
  std::size_t count = all ? s.feed.size() : list.size();
  auto ordinal_at = [&](std::size_t i) { return all ? static_cast<std::uint32_t>(i) : list[i]; };
  // First candidate at or after the cursor (positions grow with ordinals).
  std::size_t end = count;
  if (q.before) {
    std::size_t lo = 0, hi = count;
    while (lo < hi) {
      std::size_t mid = lo + (hi - lo) / 2;
      if (entry_position(s, s.feed[ordinal_at(mid)]) < *q.before)
        lo = mid + 1;
      else
        hi = mid;
    }
    end = lo;
  }
  const std::size_t limit = clamp_limit(q.limit);
  auto& entries = out["entries"];
  position last_returned;
  for (std::size_t i = end; i > 0; --i) {
    const feed_entry& e = s.feed[ordinal_at(i - 1)];
    if (q.kind && e.kind != *q.kind) continue;
    if (author != no_index && e.author != author) continue;
    if (circle != no_index && e.circle != circle) continue;
    if (topic != no_index && !has_topic(s, e, topic)) continue;
    if (entries.size() == limit) {
      out["next_cursor"] = to_text(last_returned);  // a further match exists
      break;
    }
    entries.push_back(entry_json(s, e, lookup));
    last_returned = entry_position(s, e);
  }
  return out;
}

nlohmann::json thanked_view(const state& s, const nlohmann::json& body,
                            const record_lookup& lookup) {
  auto c = body.find("contribution");
  record_id id;
  if (c == body.end() || !c->is_string() || !crypto::from_text(c->get<std::string>(), &id)) {
    return nullptr;
  }
  auto at = s.contribution_index.find(id);
  if (at == s.contribution_index.end()) return nullptr;
  std::string title;
  if (auto r = lookup(id)) {
    auto parsed = nlohmann::json::parse(r->body, nullptr, false);
    if (parsed.is_object() && parsed.contains("title") && parsed["title"].is_string()) {
      title = parsed["title"].get<std::string>();
    }
  }
  return {{"id", text(id)},
          {"author", member_ref(s, s.contributions[at->second].author)},
          {"title", std::move(title)}};
}

}  // namespace zwerm::node::community
