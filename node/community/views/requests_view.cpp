#include <set>

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
  auto take = [&](index i) {
    if (list.size() == limit) {
      out["next_cursor"] = list.back()["id"];
      return false;
    }
    list.push_back(request_json(s, i));
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
