// The thanks graph itself, for pictures (the dashboard's ties SVG, `zwerm ties --format dot`).
// Edges are [i, j, thanks]: node indexes i < j and the effective thanks between the two, either
// way.
#include <algorithm>
#include <array>
#include <vector>

#include "node/community/views.hpp"
#include "node/community/views/view_util.hpp"

namespace zwerm::node::community {

nlohmann::json ties_graph_view(const state& s, std::size_t max_nodes) {
  std::vector<index> active;
  for (index m = 0; m < s.members.size(); ++m) {
    if (counts_as_active(s, m)) active.push_back(m);
  }
  const std::size_t total = active.size();
  // The most active first, then by order of joining: the picture of a big community shows
  // those who carry it.
  std::stable_sort(active.begin(), active.end(),
                   [&](index a, index b) { return s.members[a].records > s.members[b].records; });
  if (active.size() > max_nodes) active.resize(max_nodes);
  std::sort(active.begin(), active.end());
  std::vector<std::int64_t> position(s.members.size(), -1);
  for (std::size_t i = 0; i < active.size(); ++i)
    position[active[i]] = static_cast<std::int64_t>(i);

  nlohmann::json nodes = nlohmann::json::array();
  // [i, j, thanks], sorted: a member's partners are kept in the order the ties formed, which a
  // state restored from a snapshot does not keep.
  std::vector<std::array<std::uint64_t, 3>> edge_list;
  for (std::size_t i = 0; i < active.size(); ++i) {
    const member_info& m = s.members[active[i]];
    std::uint64_t partners = 0;
    for (index p : m.partners) {
      if (!counts_as_active(s, p)) continue;
      ++partners;
      const std::int64_t j = position[p];
      if (j <= static_cast<std::int64_t>(i)) continue;
      const index lo = std::min(active[i], p), hi = std::max(active[i], p);
      edge_list.push_back(
          {i, static_cast<std::uint64_t>(j), s.ties.at((std::uint64_t{lo} << 32) | hi)});
    }
    nodes.push_back({{"id", text(m.id)},
                     {"name", m.name},
                     {"records", m.records},
                     {"given", m.given},
                     {"taken", m.taken},
                     {"partners", partners}});
  }
  std::sort(edge_list.begin(), edge_list.end());
  nlohmann::json edges = nlohmann::json::array();
  for (const auto& e : edge_list) edges.push_back({e[0], e[1], e[2]});
  return {{"nodes", std::move(nodes)},
          {"edges", std::move(edges)},
          {"active_members", total},
          {"truncated", total > active.size()}};
}

}  // namespace zwerm::node::community
