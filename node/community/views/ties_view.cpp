#include <algorithm>

#include "node/community/views.hpp"
#include "node/community/views/view_util.hpp"

namespace zwerm::node::community {

nlohmann::json ties_view(const state& s, std::size_t top) {
  const std::size_t n_all = s.members.size();
  std::vector<char> active(n_all, 0);
  std::uint64_t n = 0;
  for (index m = 0; m < n_all; ++m) {
    active[m] = counts_as_active(s, m) ? 1 : 0;
    n += active[m];
  }
  // Degrees among active members, and components by iterative depth-first search.
  std::vector<std::uint32_t> degree(n_all, 0);
  std::uint64_t degree_sum = 0;
  for (index m = 0; m < n_all; ++m) {
    if (!active[m]) continue;
    for (index p : s.members[m].partners) degree[m] += active[p];
    degree_sum += degree[m];
  }
  std::vector<index> component(n_all, no_index);
  std::vector<std::uint64_t> sizes;
  std::vector<index> stack;
  for (index m = 0; m < n_all; ++m) {
    if (!active[m] || degree[m] == 0 || component[m] != no_index) continue;
    auto c = static_cast<index>(sizes.size());
    std::uint64_t size = 0;
    stack.push_back(m);
    component[m] = c;
    while (!stack.empty()) {
      index v = stack.back();
      stack.pop_back();
      ++size;
      for (index p : s.members[v].partners) {
        if (active[p] && component[p] == no_index) {
          component[p] = c;
          stack.push_back(p);
        }
      }
    }
    sizes.push_back(size);
  }
  std::sort(sizes.begin(), sizes.end(), std::greater<>());

  nlohmann::json isolated = nlohmann::json::array();
  std::vector<index> connectors;
  for (index m = 0; m < n_all; ++m) {
    if (!active[m]) continue;
    if (degree[m] == 0)
      isolated.push_back(member_ref(s, m));
    else
      connectors.push_back(m);
  }
  auto more = [&](index a, index b) {
    return degree[a] != degree[b] ? degree[a] > degree[b] : a < b;
  };
  std::size_t k = std::min(connectors.size(), top);
  std::partial_sort(connectors.begin(), connectors.begin() + static_cast<std::ptrdiff_t>(k),
                    connectors.end(), more);
  nlohmann::json top_list = nlohmann::json::array();
  for (std::size_t i = 0; i < k; ++i) {
    index m = connectors[i];
    top_list.push_back(
        {{"id", text(s.members[m].id)}, {"name", s.members[m].name}, {"partners", degree[m]}});
  }
  std::uint64_t edges = degree_sum / 2;
  std::uint64_t possible = n < 2 ? 0 : n * (n - 1) / 2;
  double density = possible == 0 ? 0.0 : static_cast<double>(edges) / static_cast<double>(possible);
  std::uint64_t isolated_count = isolated.size();
  return {{"active_members", n},
          {"ties", edges},
          {"possible_ties", possible},
          {"density", density},
          {"components", sizes.size() + isolated_count},
          {"largest_component", sizes.empty() ? (isolated_count ? 1 : 0) : sizes.front()},
          {"component_sizes",
           nlohmann::json(std::vector<std::uint64_t>(
               sizes.begin(), sizes.begin() + std::min<std::ptrdiff_t>(
                                                  10, static_cast<std::ptrdiff_t>(sizes.size()))))},
          {"isolated", std::move(isolated)},
          {"isolated_count", isolated_count},
          {"connectors", std::move(top_list)}};
}

}  // namespace zwerm::node::community
