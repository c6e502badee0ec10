#include <algorithm>
#include <tuple>

#include "node/community/views.hpp"
#include "node/community/views/view_util.hpp"

namespace zwerm::node::community {

namespace {

using candidate = std::tuple<std::uint64_t, index, topic_evidence>;

// Active members with a score for the topic, unsorted.
std::vector<candidate> candidates(const state& s, std::uint32_t t) {
  std::vector<candidate> ranked;
  auto tm = t == no_index ? s.topic_members.end() : s.topic_members.find(t);
  if (tm == s.topic_members.end()) return ranked;
  for (index m : tm->second) {
    if (!counts_as_active(s, m)) continue;
    const topic_evidence& e = s.evidence.at(state::evidence_key(t, m));
    std::uint64_t score = who_knows_skill_weight * e.skill +
                          who_knows_contribution_weight * e.contributions +
                          who_knows_thanks_weight * e.thanks;
    if (score > 0) ranked.emplace_back(score, m, e);
  }
  return ranked;
}

bool better(const candidate& a, const candidate& b) {
  return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) > std::get<0>(b)
                                          : std::get<1>(a) < std::get<1>(b);
}

nlohmann::json row(const state& s, const candidate& r) {
  const auto& [score, m, e] = r;
  return {{"id", text(s.members[m].id)}, {"name", s.members[m].name},        {"score", score},
          {"skill", e.skill == 1},       {"contributions", e.contributions}, {"thanks", e.thanks}};
}

}  // namespace

std::vector<ranked_member> who_knows_best(const state& s, std::uint32_t t, std::size_t k) {
  auto ranked = candidates(s, t);
  const std::size_t n = std::min(ranked.size(), k);
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(n), ranked.end(),
                    better);
  std::vector<ranked_member> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back({std::get<1>(ranked[i]), std::get<0>(ranked[i])});
  }
  return out;
}

nlohmann::json who_knows_view(const state& s, std::string_view topic, std::size_t limit) {
  std::string key = normalize_topic(topic);
  nlohmann::json list = nlohmann::json::array();
  auto ranked = candidates(s, s.find_topic(key));
  std::size_t n = std::min(ranked.size(), clamp_limit(limit));
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(n), ranked.end(),
                    better);
  for (std::size_t i = 0; i < n; ++i) list.push_back(row(s, ranked[i]));
  return {{"topic", key}, {"members", std::move(list)}};
}

std::optional<nlohmann::json> who_knows_page(const state& s, std::string_view topic,
                                             std::size_t limit, std::optional<index> after) {
  std::string key = normalize_topic(topic);
  auto ranked = candidates(s, s.find_topic(key));
  std::sort(ranked.begin(), ranked.end(), better);
  std::size_t begin = 0;
  if (after) {
    auto at = std::find_if(ranked.begin(), ranked.end(),
                           [&](const candidate& r) { return std::get<1>(r) == *after; });
    if (at == ranked.end()) return std::nullopt;
    begin = static_cast<std::size_t>(at - ranked.begin()) + 1;
  }
  const std::size_t end = std::min(ranked.size(), begin + clamp_limit(limit));
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i = begin; i < end; ++i) list.push_back(row(s, ranked[i]));
  nlohmann::json next = nullptr;
  if (end < ranked.size()) next = text(s.members[std::get<1>(ranked[end - 1])].id);
  return nlohmann::json{{"topic", key}, {"members", std::move(list)}, {"next_cursor", next}};
}

}  // namespace zwerm::node::community
