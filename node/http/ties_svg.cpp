#include "node/http/ties_svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

namespace zwerm::node::http {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

namespace {

constexpr double width = 480;
constexpr double ring_top = 24;    // the circle's top edge
constexpr double ring_size = 330;  // the circle's box
constexpr double row_height = 22;  // rows of members without ties

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A label short enough to sit next to its node: at most 14 bytes, cut at a UTF-8 boundary.
std::string label_of(const nlohmann::json& node) {
  std::string name = node.value("name", "");
  if (name.empty()) name = node.value("id", "").substr(0, 8);
  if (name.size() <= 14) return name;
  std::size_t cut = 13;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  return name.substr(0, cut) + "…";
}

}  // namespace

std::string ties_svg(const nlohmann::json& graph) {
  const auto& nodes = graph.at("nodes");
  const auto& edges = graph.at("edges");
  std::vector<std::size_t> tied, alone;
  std::uint64_t max_records = 1;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    (nodes[i].value("partners", 0) > 0 ? tied : alone).push_back(i);
    max_records = std::max<std::uint64_t>(max_records, nodes[i].value("records", 0));
  }
  // Most active first around the circle, then by id: stable for equal counts.
  std::sort(tied.begin(), tied.end(), [&](std::size_t a, std::size_t b) {
    const auto ra = nodes[a].value("records", 0), rb = nodes[b].value("records", 0);
    return ra != rb ? ra > rb : nodes[a].value("id", "") < nodes[b].value("id", "");
  });
  const std::size_t per_row = 4;
  const std::size_t rows = (alone.size() + per_row - 1) / per_row;
  const double alone_top = ring_top + ring_size + 30;
  const double height = alone.empty() ? ring_top + ring_size + 20
                                      : alone_top + 18 + static_cast<double>(rows) * row_height;
  std::vector<double> x(nodes.size()), y(nodes.size()), r(nodes.size());
  const double cx = width / 2, cy = ring_top + ring_size / 2, radius = ring_size / 2 - 20;
  for (std::size_t k = 0; k < tied.size(); ++k) {
    const double a = -std::numbers::pi / 2 + 2 * std::numbers::pi * static_cast<double>(k) /
                                                 static_cast<double>(tied.size());
    x[tied[k]] = cx + radius * std::cos(a);
    y[tied[k]] = cy + radius * std::sin(a);
  }
  for (std::size_t k = 0; k < alone.size(); ++k) {
    x[alone[k]] = 20 + static_cast<double>(k % per_row) * (width / per_row);
    y[alone[k]] = alone_top + 22 + static_cast<double>(k / per_row) * row_height;
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const double share =
        static_cast<double>(nodes[i].value("records", 0)) / static_cast<double>(max_records);
    r[i] = 4 + 8 * std::sqrt(share);
  }

  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + num(width) + " " +
                    num(height) + "\" width=\"" + num(width) + "\" height=\"" + num(height) +
                    "\" font-family=\"sans-serif\" font-size=\"11\">\n<title>ties: " +
                    std::to_string(nodes.size()) + " members, " + std::to_string(edges.size()) +
                    " ties</title>\n";
  // A line's width grows with the thanks between the two (1 → 1.2 px, each doubling +1 px, at
  // most 6 px), its title says how many.
  out += "<g stroke=\"#7f8c99\" stroke-opacity=\"0.6\">\n";
  for (const auto& e : edges) {
    const auto a = e.at(0).get<std::size_t>(), b = e.at(1).get<std::size_t>();
    if (a >= nodes.size() || b >= nodes.size()) continue;
    const std::uint64_t thanks =
        e.size() > 2 ? std::max<std::uint64_t>(1, e.at(2).get<std::uint64_t>()) : 1;
    const double stroke = std::min(6.0, 1.2 + std::log2(static_cast<double>(thanks)));
    out += "<line x1=\"" + num(x[a]) + "\" y1=\"" + num(y[a]) + "\" x2=\"" + num(x[b]) +
           "\" y2=\"" + num(y[b]) + "\" stroke-width=\"" + num(stroke) + "\"><title>" +
           xml_escape(label_of(nodes[a])) + " – " + xml_escape(label_of(nodes[b])) + ": " +
           std::to_string(thanks) + " thanks</title></line>\n";
  }
  out += "</g>\n";
  if (tied.empty() && !nodes.empty()) {
    out += "<text x=\"" + num(cx) + "\" y=\"" + num(cy) +
           "\" text-anchor=\"middle\" fill=\"#8a8f94\">no thanks between members yet</text>\n";
  }
  if (!alone.empty()) {
    out += "<text x=\"10\" y=\"" + num(alone_top) + "\" fill=\"#b8621b\">without ties (" +
           std::to_string(alone.size()) + ")</text>\n";
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const bool has_ties = nodes[i].value("partners", 0) > 0;
    const std::string name = xml_escape(nodes[i].value("name", ""));
    out += "<g class=\"member\"><title>" +
           (name.empty() ? xml_escape(nodes[i].value("id", "")) : name) + ": " +
           std::to_string(nodes[i].value("records", 0)) + " records, given " +
           std::to_string(nodes[i].value("given", 0)) + ", taken " +
           std::to_string(nodes[i].value("taken", 0)) + "</title><circle cx=\"" + num(x[i]) +
           "\" cy=\"" + num(y[i]) + "\" r=\"" + num(r[i]) + "\" fill=\"" +
           (has_ties ? "#3f73c1" : "#c9782f") + "\"/>";
    const bool right = !has_ties || x[i] >= cx;
    out += "<text x=\"" + num(x[i] + (right ? r[i] + 3 : -r[i] - 3)) + "\" y=\"" + num(y[i] + 4) +
           "\" fill=\"#8a8f94\"" + (right ? "" : " text-anchor=\"end\"") + ">" +
           xml_escape(label_of(nodes[i])) + "</text></g>\n";
  }
  out += "</svg>\n";
  return out;
}

}  // namespace zwerm::node::http
