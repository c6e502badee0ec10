#include "cli/render.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

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

// A circle's name is what `circle join` takes: it shows whole, and the purpose wraps beside it.
TEST(RenderGeneric, CircleNamesStayWholeAndTheirPurposeWraps) {
  const std::string purpose =
      "Build two cargo bike frames for the neighbourhood food bank by the end of the year, and "
      "write down how, so others can build the next ones.";
  json r{{"circles", json::array({json{{"id", ada},
                                       {"name", "kids' electronics club"},
                                       {"purpose", purpose},
                                       {"opened_by", {{"id", bob}, {"name", "Bob"}}},
                                       {"open", true},
                                       {"records", 4},
                                       {"ts", now - 3600 * 1000}}})}};
  const std::string out = render_generic(r, now, 80);
  EXPECT_NE(out.find("kids' electronics club  "), std::string::npos) << out;
  std::istringstream words(purpose);
  for (std::string w; words >> w;) EXPECT_NE(out.find(w), std::string::npos) << w << "\n" << out;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) EXPECT_LE(display_width(line), 80u) << line;
}

// In a page of open and answered requests, a request's status stays longer than who asked, and
// a long name gives way before either.
TEST(RenderGeneric, RequestsKeepTheirStatusBeforeALongAuthorName) {
  json r{{"requests",
          json::array({json{{"id", ada},
                            {"author", {{"id", bob}, {"name", "Bram van der Heijden-Oosterhuis"}}},
                            {"title", std::string(150, 't')},
                            {"status", "answered"},
                            {"tags", {"woodworking"}},
                            {"ts", now - 3600 * 1000}}})}};
  const std::string out = render_generic(r, now, 80);
  EXPECT_NE(out.find("answered"), std::string::npos) << out;
  EXPECT_NE(out.find("Bram van …"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string(30, 't')), std::string::npos) << out;
}

// An adopted proposal does not expire: its row shows no expiry; an open one says when.
TEST(RenderGeneric, AnAdoptedProposalShowsNoExpiry) {
  auto proposal = [](const char* status, std::int64_t expires) {
    return json{{"id", ada},
                {"action", "remove"},
                {"member", bob},
                {"status", status},
                {"endorsers", {ada}},
                {"expires_ts", expires},
                {"ts", now - 3 * 86'400'000}};
  };
  json r{{"proposals", json::array({proposal("adopted", now + 2 * 86'400'000),
                                    proposal("open", now + 5 * 86'400'000)})}};
  const std::string out = render_generic(r, now, 200);
  EXPECT_EQ(out.find("in 2 d"), std::string::npos) << out;
  EXPECT_NE(out.find("in 5 d"), std::string::npos) << out;
}

// A feed row says what it is about even when the narrow table leaves the circle column out:
// joining, leaving or closing a circle names the circle.
TEST(RenderGeneric, FeedRowsOfCircleRecordsNameTheCircle) {
  const std::string circle = "Cq7x" + std::string(39, '3');  // a circle.open's id
  json r{{"entries", json::array({json{{"id", ada},
                                       {"type", "circle.close"},
                                       {"author", {{"id", bob}, {"name", "Gijs"}}},
                                       {"circle", circle},
                                       {"body", {{"circle", circle}}},
                                       {"ts", now - 3600 * 1000}}})}};
  const std::string out = render_generic(r, now, 40);
  EXPECT_NE(out.find("circle Cq7x3333"), std::string::npos) << out;
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

// Where writes wait for the member's own feed (a restored or copied home), status says so per
// community; a feed that is fine, or a row without the field (an older zwermd), says nothing.
TEST(RenderStatus, SaysWhereWritesWaitForTheOwnFeed) {
  auto row = [](const char* community, const char* state, int have, int peer) {
    return json{{"community", community},
                {"own_feed", {{"state", state}, {"have_seq", have}, {"peer_seq", peer}}}};
  };
  json r{{"node_id", ada},
         {"sync", json::array({row("Guild", "restored", 0, 0), row("Lab", "behind", 3, 9),
                               row("Fine", "ok", 5, 5), json{{"community", "Old"}}})}};
  std::string out = render_status(r, now);
  EXPECT_NE(out.find("writes wait in Guild: restored from a backup"), std::string::npos) << out;
  EXPECT_NE(out.find("writes wait in Lab: your own feed is behind a peer's (record 3 of 9)"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("in Fine"), std::string::npos) << out;
  EXPECT_EQ(out.find("in Old"), std::string::npos) << out;
}

// Issue #15: `pulse` printed "2 mo ago" on four rows in a row; weeks read as their dates,
// the week first.
TEST(RenderGeneric, WeeksReadAsDatesInTheFirstColumn) {
  const std::int64_t week = 7LL * 86400 * 1000;
  const std::int64_t monday = 1'799'625'600'000;  // 2027-01-11, a Monday
  json r{{"weeks", json::array()}, {"fading", false}};
  for (int i = 0; i < 4; ++i) {
    r["weeks"].push_back(json{{"active_members", 1},
                              {"records", 2 + i},
                              {"week_start_ts", monday - (3 - i) * week - 9 * week}});
  }
  std::string out = render_generic(r, now);
  EXPECT_EQ(out.find("mo ago"), std::string::npos) << out;
  EXPECT_NE(out.find("2026-10-19"), std::string::npos) << out;
  EXPECT_NE(out.find("2026-11-09"), std::string::npos) << out;
  EXPECT_NE(out.find("\nweek start"), std::string::npos) << out;  // the header's first column
  EXPECT_NE(out.find("\n2026-10-19"), std::string::npos) << out;  // each row starts with it
}

// Issue #15: ties' density printed as 0.3333333333333333.
TEST(RenderGeneric, FractionsAreRounded) {
  std::string out = render_generic(json{{"density", 1.0 / 3.0}, {"ties", 1}}, now);
  EXPECT_NE(out.find("density: 0.33\n"), std::string::npos) << out;
}

// Issue #15: `community show` printed "created: yes" beside the time, and the steward as
// two fields. The nested policy's lines align with the others, as one block.
TEST(RenderGeneric, AFlagWithItsTimeAndAMemberReferenceReadAsOneLine) {
  json r{{"created", true},
         {"created_ts", now - 3 * 3600 * 1000},
         {"dissolved", false},
         {"dissolved_ts", nullptr},
         {"steward", {{"id", ada}, {"name", "Ada"}}},
         {"policy", {{"invite_by", "member"}, {"quorum_pct", 50}}}};
  std::string out = render_generic(r, now);
  EXPECT_NE(out.find("created:           3 h ago\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("yes"), std::string::npos) << out;
  EXPECT_NE(out.find("dissolved:         no\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("dissolved at"), std::string::npos) << out;
  EXPECT_NE(out.find("steward:           Ada (Ada4kQ11)\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("steward.name"), std::string::npos) << out;
  EXPECT_NE(out.find("policy.invite by:  member\npolicy.quorum pct: 50\n"), std::string::npos)
      << out;
}

// Issue #15: `peers` and `status` showed a name in the member column beside the name column,
// and rows without a name showed an id prefix there: names in one column, ids in the other.
TEST(RenderGeneric, MemberRowsShowNamesAndIdsInTheirOwnColumns) {
  json r{{"connections", json::array({json{{"member", ada},
                                           {"name", "Ada"},
                                           {"direction", "out"},
                                           {"endpoint", "127.0.0.1:7411"}}})},
         {"known", json::array({json{{"endpoint", "127.0.0.1:7411"}, {"member", ada}},
                                json{{"endpoint", "127.0.0.1:7412"}, {"member", bob}}})}};
  std::string out = render_generic(r, now);
  std::istringstream in(out);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  auto line_with = [&](const std::string& what) {
    for (const auto& l : lines) {
      if (l.find(what) != std::string::npos) return l;
    }
    return std::string();
  };
  const std::string conn = line_with("out");
  EXPECT_EQ(conn.find("Ada"), 0u) << out;                      // the name once, first
  EXPECT_NE(conn.find("Ada4kQ11"), std::string::npos) << out;  // and the id in its column
  EXPECT_EQ(conn.find("Ada", 1), conn.find("Ada4kQ11")) << out;
  EXPECT_EQ(line_with("7411  ").find("Ada"), 0u) << out;  // a known address: named too
  const std::string unknown = line_with("7412");
  EXPECT_EQ(unknown.rfind("-", 0), 0u) << out;  // no name known: "-", the id in its column
  EXPECT_NE(unknown.find("AbX9zz22"), std::string::npos) << out;
}

}  // namespace
}  // namespace zwerm::cli
