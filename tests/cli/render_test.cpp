#include "cli/render.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/format.hpp"

namespace zwerm::cli {
namespace {

using json = nlohmann::json;
constexpr std::int64_t now = 1'800'000'000'000;
const std::string ada = "Ada4kQ1111111111111111111111111111111111111";
const std::string bob = "AbX9zz2222222222222222222222222222222222222";

TEST(RenderGeneric, RowsBecomeATableWithNamesAndRelativeTimes) {
  json r{{"community", "Learning circle"},
         {"members", json::array({json{{"id", ada},
                                       {"name", "Ada"},
                                       {"given", 3},
                                       {"last_active_ts", now - 3 * 3600 * 1000}},
                                  json{{"id", bob},
                                       {"name", "Bob"},
                                       {"given", 0},
                                       {"last_active_ts", now - 60 * 1000}}})},
         {"steward", ada}};
  std::string out = render_generic(r, now);
  EXPECT_NE(out.find("community: Learning circle"), std::string::npos) << out;
  EXPECT_NE(out.find("steward:   Ada"), std::string::npos) << out;  // id shown as the name
  EXPECT_NE(out.find("members (2):"), std::string::npos) << out;
  EXPECT_NE(out.find("last active"), std::string::npos) << out;
  EXPECT_NE(out.find("3 h ago"), std::string::npos) << out;
  EXPECT_NE(out.find("1 min ago"), std::string::npos) << out;
  EXPECT_NE(out.find("Ada4kQ11"), std::string::npos) << out;  // the row's own id, cut
  EXPECT_EQ(out.find(ada), std::string::npos) << out;         // never the full 43 characters
}

TEST(RenderGeneric, NamesMapAndLinesFitEightyColumns) {
  json r{{"names", {{ada, "Ada"}}},
         {"items", json::array({json{{"author", ada},
                                     {"title", std::string(300, 'x')},
                                     {"tags", {"a", "b"}},
                                     {"answered", true}}})}};
  std::string out = render_generic(r, now);
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) EXPECT_LE(display_width(line), 80u) << line;
  EXPECT_NE(out.find("Ada"), std::string::npos) << out;
  EXPECT_NE(out.find("yes"), std::string::npos) << out;
  EXPECT_NE(out.find("a, b"), std::string::npos) << out;
}

TEST(RenderStatus, ShowsWhatTheNodeReports) {
  json r{{"node_id", ada},
         {"name", "Ada"},
         {"version", "0.1.0"},
         {"pid", 42},
         {"home", "/h"},
         {"listen", "0.0.0.0:7411"},
         {"started_ts", now - 7200 * 1000},
         {"not_available", json::array({json{{"field", "peers"}, {"needs", "net"}}})}};
  std::string out = render_status(r, now);
  EXPECT_NE(out.find(ada + " (Ada)"), std::string::npos) << out;
  EXPECT_NE(out.find("since 2 h ago"), std::string::npos) << out;
  EXPECT_NE(out.find("peers (needs net)"), std::string::npos) << out;
}

}  // namespace
}  // namespace zwerm::cli
