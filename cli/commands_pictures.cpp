// zwerm ties and zwerm pulse: the views as tables (like every view), or for other tools: the
// thanks graph as Graphviz DOT or as SVG (the dashboard's own picture), the pulse as CSV.
#include <iostream>

#include "cli/exit_codes.hpp"
#include "cli/pictures.hpp"
#include "cli/session.hpp"
#include "node/http/ties_svg.hpp"

namespace zwerm::cli {

void add_picture_commands(CLI::App& app, session& s) {
  auto ties_format = std::make_shared<std::string>("table");
  auto* ties =
      with_example(app.add_subcommand("ties",
                                      "The thanks graph: density, groups, isolated members, "
                                      "connectors; or the graph itself as DOT or SVG."),
                   "zwerm ties --format dot | dot -Tpng -o ties.png");
  ties->add_option("--format", *ties_format,
                   "table (default), dot (Graphviz) or svg (the dashboard's picture)")
      ->check(CLI::IsMember({"table", "dot", "svg"}));
  ties->callback([&s, ties_format] {
    s.set_action([ties_format](session& s) {
      if (*ties_format == "table") {
        return s.show(s.call(method::ties.name, s.with_community(json::object())));
      }
      auto answer = s.call(method::ties.name, s.with_community(json{{param::graph, true}}));
      if (auto* code = std::get_if<int>(&answer)) return *code;
      const json& r = std::get<json>(answer);
      if (*ties_format == "svg") {
        std::cout << node::http::ties_svg(r.at("graph"));
      } else {
        auto community = s.call(method::community_show.name, s.with_community(json::object()));
        if (auto* code = std::get_if<int>(&community)) return *code;
        std::cout << ties_dot(r.at("graph"), std::get<json>(community).value("name", "ties"));
      }
      return 0;
    });
  });

  auto pulse_format = std::make_shared<std::string>("table");
  auto weeks = std::make_shared<int>(12);
  auto* pulse = with_example(
      app.add_subcommand("pulse",
                         "Records and active members per week (12 weeks unless --weeks); warns "
                         "when activity fades."),
      "zwerm pulse --weeks 53 --format csv > pulse.csv");
  pulse->add_option("--format", *pulse_format, "table (default) or csv")
      ->check(CLI::IsMember({"table", "csv"}));
  pulse->add_option("--weeks", *weeks, "How many weeks, 1 to 53")
      ->check(CLI::Range(1, 53))
      ->capture_default_str();
  pulse->callback([&s, pulse_format, weeks] {
    s.set_action([pulse_format, weeks](session& s) {
      auto answer = s.call(method::pulse.name, s.with_community(json{{param::weeks, *weeks}}));
      if (*pulse_format == "table") return s.show(std::move(answer));
      if (auto* code = std::get_if<int>(&answer)) return *code;
      std::cout << pulse_csv(std::get<json>(answer));
      return 0;
    });
  });
}

}  // namespace zwerm::cli
