// The ties picture: the `graph` of the ties view (ties_graph_view: nodes and edges) drawn as
// a standalone SVG document, server-side, with a simple deterministic layout of our own (no
// Graphviz): members with ties on a circle, the most active first, so that a tie is a chord;
// members without ties in rows below, so that those left out are visible. A node's radius
// grows with the member's records. The same graph always gives the same bytes.
//
// The SVG holds no script and no style element (presentation attributes only), and every
// name is escaped, so a member's name cannot become markup.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace zwerm::node::http {

// Escapes &, <, >, " and ' for XML text and attribute values.
std::string xml_escape(std::string_view text);

// `graph`: {"nodes": [{id, name, records, given, taken, partners}], "edges": [[i, j]]}.
std::string ties_svg(const nlohmann::json& graph);

}  // namespace zwerm::node::http
