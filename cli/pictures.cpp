#include "cli/pictures.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace zwerm::cli {
namespace {

// A DOT double-quoted string: backslash and quote escaped, newlines as \n.
std::string dot_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n' || c == '\r') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

}  // namespace

std::string ties_dot(const nlohmann::json& graph, std::string_view title) {
  const auto& nodes = graph.at("nodes");
  std::uint64_t max_records = 1;
  for (const auto& n : nodes)
    max_records = std::max<std::uint64_t>(max_records, n.value("records", 0));
  std::string out = "graph " + dot_string(title) + " {\n";
  out += "  graph [layout=neato, overlap=false, splines=true, fontname=\"sans-serif\"];\n";
  out +=
      "  node [shape=circle, style=filled, fontname=\"sans-serif\", fontsize=10, "
      "fixedsize=false];\n";
  out += "  edge [color=\"#7f8c99\"];\n";
  for (const auto& n : nodes) {
    const std::string id = n.value("id", "");
    std::string name = n.value("name", "");
    if (name.empty()) name = id.substr(0, 8);
    const double share =
        static_cast<double>(n.value("records", 0)) / static_cast<double>(max_records);
    char width[16];
    std::snprintf(width, sizeof width, "%.2f", 0.3 + 0.5 * std::sqrt(share));
    const bool tied = n.value("partners", 0) > 0;
    out += "  " + dot_string(id) + " [label=" + dot_string(name) + ", width=" + width +
           ", fillcolor=\"" + (tied ? "#7fa8ea" : "#e39a55") + "\", tooltip=" +
           dot_string(std::to_string(n.value("records", 0)) + " records, given " +
                      std::to_string(n.value("given", 0)) + ", taken " +
                      std::to_string(n.value("taken", 0))) +
           "];\n";
  }
  for (const auto& e : graph.at("edges")) {
    const auto a = e.at(0).get<std::size_t>(), b = e.at(1).get<std::size_t>();
    if (a >= nodes.size() || b >= nodes.size()) continue;
    // Weighted by the thanks between the two, either way: a thicker line and a tooltip.
    const std::uint64_t thanks =
        e.size() > 2 ? std::max<std::uint64_t>(1, e.at(2).get<std::uint64_t>()) : 1;
    char pen[16];
    std::snprintf(pen, sizeof pen, "%.2f",
                  std::min(6.0, 1.0 + std::log2(static_cast<double>(thanks))));
    out += "  " + dot_string(nodes[a].value("id", "")) + " -- " +
           dot_string(nodes[b].value("id", "")) + " [weight=" + std::to_string(thanks) +
           ", penwidth=" + pen + ", tooltip=" + dot_string(std::to_string(thanks) + " thanks") +
           "];\n";
  }
  return out + "}\n";
}

std::string pulse_csv(const nlohmann::json& pulse) {
  std::string out = "week_start,records,active_members\n";
  for (const auto& w : pulse.at("weeks")) {
    const std::chrono::sys_days day =
        std::chrono::floor<std::chrono::days>(std::chrono::sys_time<std::chrono::milliseconds>(
            std::chrono::milliseconds(w.value("week_start_ts", std::int64_t{0}))));
    const std::chrono::year_month_day ymd(day);
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    out += std::string(date) + "," + std::to_string(w.value("records", 0)) + "," +
           std::to_string(w.value("active_members", 0)) + "\n";
  }
  return out;
}

}  // namespace zwerm::cli
