#include <algorithm>
#include <tuple>

#include "node/community/views.hpp"
#include "node/community/views/view_util.hpp"

namespace zwerm::node::community {

nlohmann::json who_knows_view(const state& s, std::string_view topic, std::size_t limit) {
  std::string key = normalize_topic(topic);
  nlohmann::json list = nlohmann::json::array();
  std::uint32_t t = s.find_topic(key);
  auto tm = t == no_index ? s.topic_members.end() : s.topic_members.find(t);
  if (tm != s.topic_members.end()) {
    std::vector<std::tuple<std::uint64_t, index, topic_evidence>> ranked;
    for (index m : tm->second) {
      if (!counts_as_active(s, m)) continue;
      const topic_evidence& e = s.evidence.at(state::evidence_key(t, m));
      std::uint64_t score = who_knows_skill_weight * e.skill +
                            who_knows_contribution_weight * e.contributions +
                            who_knows_thanks_weight * e.thanks;
      if (score > 0) ranked.emplace_back(score, m, e);
    }
    auto better = [](const auto& a, const auto& b) {
      return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) > std::get<0>(b)
                                              : std::get<1>(a) < std::get<1>(b);
    };
    std::size_t n = std::min(ranked.size(), clamp_limit(limit));
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(n), ranked.end(),
                      better);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& [score, m, e] = ranked[i];
      list.push_back({{"id", text(s.members[m].id)},
                      {"name", s.members[m].name},
                      {"score", score},
                      {"skill", e.skill == 1},
                      {"contributions", e.contributions},
                      {"thanks", e.thanks}});
    }
  }
  return {{"topic", key}, {"members", std::move(list)}};
}

}  // namespace zwerm::node::community
