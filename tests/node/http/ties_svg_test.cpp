// The ties picture (node/http/ties_svg.hpp): one circle per node, one line per edge, names
// escaped, the same bytes for the same graph.
#include "node/http/ties_svg.hpp"

#include <gtest/gtest.h>

namespace zwerm::node::http {
namespace {

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

nlohmann::json graph() {
  return {
      {"nodes",
       {{{"id", "a"}, {"name", "Ada"}, {"records", 9}, {"given", 3}, {"taken", 1}, {"partners", 2}},
        {{"id", "b"},
         {"name", "<script>alert(1)</script>"},
         {"records", 2},
         {"given", 0},
         {"taken", 2},
         {"partners", 1}},
        {{"id", "c"},
         {"name", "Cleo & \"Co\""},
         {"records", 4},
         {"given", 1},
         {"taken", 0},
         {"partners", 1}},
        {{"id", "d"},
         {"name", "Dan"},
         {"records", 1},
         {"given", 0},
         {"taken", 0},
         {"partners", 0}}}},
      {"edges", {{0, 1, 1}, {0, 2, 5}}}};
}

TEST(TiesSvg, OneCirclePerMemberOneLinePerTie) {
  const std::string svg = ties_svg(graph());
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_EQ(count(svg, "<circle"), 4u);
  EXPECT_EQ(count(svg, "<line"), 2u);
  EXPECT_NE(svg.find("without ties (1)"), std::string::npos);
  EXPECT_NE(svg.find(">Dan</text>"), std::string::npos);
}

TEST(TiesSvg, ALineIsAsWideAsItsThanksAndSaysHowMany) {
  const std::string svg = ties_svg(graph());
  EXPECT_NE(svg.find("stroke-width=\"1.2\"><title>"), std::string::npos) << svg;
  // 1.2 + log2(5) = 3.52
  EXPECT_NE(svg.find("stroke-width=\"3.5"), std::string::npos) << svg;
  EXPECT_NE(svg.find(": 5 thanks</title>"), std::string::npos) << svg;
  auto g = graph();
  g["edges"][1][2] = 1'000'000;  // never wider than 6 px
  EXPECT_NE(ties_svg(g).find("stroke-width=\"6.0\""), std::string::npos);
  g["edges"][1] = {0, 2};  // a graph without weights (older node): 1 each
  EXPECT_EQ(count(ties_svg(g), "stroke-width=\"1.2\""), 2u);
}

TEST(TiesSvg, NamesAreTextNeverMarkup) {
  const std::string svg = ties_svg(graph());
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(svg.find("Cleo &amp; &quot;Co&quot;"), std::string::npos);
}

TEST(TiesSvg, DeterministicAndSafeOnBadEdges) {
  EXPECT_EQ(ties_svg(graph()), ties_svg(graph()));
  auto g = graph();
  g["edges"].push_back({0, 99});
  EXPECT_EQ(count(ties_svg(g), "<line"), 2u);
  EXPECT_EQ(
      count(ties_svg({{"nodes", nlohmann::json::array()}, {"edges", nlohmann::json::array()}}),
            "<circle"),
      0u);
}

}  // namespace
}  // namespace zwerm::node::http
