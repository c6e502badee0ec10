// Text forms of two views for other tools: the thanks graph (the ties view's `graph`) as
// Graphviz DOT, and the pulse as CSV. Pure functions of the node's JSON answers.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace zwerm::cli {

// An undirected Graphviz graph: one node per entry of graph.nodes (id: the member id, label:
// the name; size by records; members without ties filled in another colour), one edge per
// graph.edges pair. `title` names the graph (the community). Quotes and backslashes in names
// are escaped, so any name gives a graph `dot` parses.
std::string ties_dot(const nlohmann::json& graph, std::string_view title);

// week_start,records,active_members with one line per week (week_start as YYYY-MM-DD, UTC).
std::string pulse_csv(const nlohmann::json& pulse);

}  // namespace zwerm::cli
