#include <set>
#include <unordered_map>
#include <vector>

#include "node/community/views.hpp"
#include "node/community/views/view_util.hpp"

namespace zwerm::node::community {

namespace {

nlohmann::json request_json(const state& s, index i) {
  const request_info& r = s.requests[i];
  nlohmann::json tags = nlohmann::json::array();
  for (auto t : r.tags) tags.push_back(s.topics[t]);
  nlohmann::json answers = nlohmann::json::array();
  for (index c : r.answers) answers.push_back(text(s.contributions[c].id));
  return {{"id", text(r.id)},
          {"author", member_ref(s, r.author)},
          {"title", r.title},
          {"tags", std::move(tags)},
          {"ts", r.ts},
          {"status", r.answers.empty() ? "open" : "answered"},
          {"answers", std::move(answers)}};
}

// The who_knows of a request's row (requests_view): its first tag's best members but its
// author. `best` keeps each topic's ranking (q.who_knows + 1 deep: the author may be in it).
nlohmann::json who_knows_of(const state& s, const request_info& r, std::size_t k,
                            std::unordered_map<std::uint32_t, std::vector<ranked_member>>& best) {
  if (r.tags.empty()) return nullptr;
  const std::uint32_t t = r.tags.front();
  auto it = best.find(t);
  if (it == best.end()) it = best.emplace(t, who_knows_best(s, t, k + 1)).first;
  nlohmann::json members = nlohmann::json::array();
  for (const ranked_member& m : it->second) {
    if (m.member == r.author) continue;
    if (members.size() == k) break;
    members.push_back({{"id", text(s.members[m.member].id)},
                       {"name", s.members[m.member].name},
                       {"score", m.score}});
  }
  return {{"topic", s.topics[t]}, {"members", std::move(members)}};
}

}  // namespace

nlohmann::json requests_view(const state& s, const requests_query& q) {
  nlohmann::json out = {{"requests", nlohmann::json::array()},
                        {"next_cursor", nullptr},
                        {"open", s.open_requests.size()},
                        {"answered", s.answered_requests.size()}};
  index end = static_cast<index>(s.requests.size());  // exclusive upper bound on the index
  if (q.before) {
    auto it = s.request_index.find(*q.before);
    if (it == s.request_index.end()) return out;
    end = it->second;
  }
  const std::size_t limit = clamp_limit(q.limit);
  auto& list = out["requests"];
  std::unordered_map<std::uint32_t, std::vector<ranked_member>> best;
  auto take = [&](index i) {
    if (list.size() == limit) {
      out["next_cursor"] = list.back()["id"];
      return false;
    }
    list.push_back(request_json(s, i));
    if (q.who_knows > 0) {
      list.back()["who_knows"] = who_knows_of(s, s.requests[i], q.who_knows, best);
    }
    return true;
  };
  if (q.filter == request_filter::all) {
    for (index i = end; i > 0; --i) {
      if (!take(i - 1)) break;
    }
  } else {
    const std::set<index>& set =
        q.filter == request_filter::open ? s.open_requests : s.answered_requests;
    for (auto it = std::make_reverse_iterator(set.lower_bound(end)); it != set.rend(); ++it) {
      if (!take(*it)) break;
    }
  }
  return out;
}

}  // namespace zwerm::node::community
