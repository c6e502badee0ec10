// The views: filters, paging, orderings, flags, scores and thresholds (PROTOCOL.md §3.8).
#include <map>

#include <gtest/gtest.h>

#include "base/base64url.hpp"
#include "node/community/views.hpp"
#include "node/rpc_contract/contract.hpp"
#include "tests/node/community/history.hpp"

namespace zwerm::node::community {
namespace {

using nlohmann::json;
using test::history;
using test::test_member;
using test::text;

constexpr std::int64_t day = day_ms;
constexpr std::int64_t t0 = 1'700'000'000'000;  // a Tuesday

class ViewsTest : public ::testing::Test {
 protected:
  ViewsTest() {
    for (std::uint64_t i = 0; i < 6; ++i) m.push_back(h.make_member(100 + i));
    h.genesis(m[0], "Makers", "member", 50, t0);
    for (std::size_t i = 1; i < m.size(); ++i) {
      record inv =
          h.write(m[0], "member.invite",
                  {{"invitee", m[i].text()}, {"note", ""}, {"expires_ts", t0 + 10 * day}}, t0);
      h.write(m[i], "member.join", {{"invite", text(inv.id)}}, t0 + day);
    }
  }
  record contribution(std::size_t who, json tags, std::int64_t ts, json circle = nullptr) {
    return h.write(m[who], "contribution",
                   {{"kind", "help"},
                    {"title", "c"},
                    {"body", "b"},
                    {"tags", tags},
                    {"answers", nullptr},
                    {"circle", circle}},
                   ts);
  }
  void thank(std::size_t who, const record& c, std::int64_t ts) {
    h.write(m[who], "thanks", {{"contribution", text(c.id)}, {"note", ""}}, ts);
  }
  state& run() {
    if (!s) s = std::make_unique<state>(h.community);
    for (; applied < h.records.size(); ++applied) s->apply(h.records[applied]);
    return *s;
  }

  history h;
  std::vector<test_member> m;
  std::unique_ptr<state> s;
  std::size_t applied = 0;
};

TEST_F(ViewsTest, FeedFiltersNewestFirstAndPagesWithACursor) {
  record circle = h.write(m[1], "circle.open", {{"name", "bikes"}, {"purpose", ""}}, t0 + 2 * day);
  for (int i = 0; i < 7; ++i) contribution(1 + i % 2, {i % 2 ? "Rust" : "go"}, t0 + 3 * day + i);
  contribution(1, {"rust"}, t0 + 4 * day, text(circle.id));
  state& st = run();

  feed_query q;
  q.kind = record_kind::contribution;
  q.limit = 3;
  json page1 = feed_view(st, q);
  ASSERT_EQ(page1["entries"].size(), 3u);
  EXPECT_EQ(page1["entries"][0]["circle"], text(circle.id));  // newest first
  ASSERT_TRUE(page1["next_cursor"].is_string());
  std::vector<std::string> seen;
  json page = page1;
  while (true) {
    for (const auto& e : page["entries"]) seen.push_back(e["id"]);
    if (page["next_cursor"].is_null()) break;
    q.before = position_from_text(page["next_cursor"].get<std::string>());
    ASSERT_TRUE(q.before.has_value());
    page = feed_view(st, q);
  }
  EXPECT_EQ(seen.size(), 8u);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());

  feed_query by_tag;
  by_tag.tag = "RUST";
  EXPECT_EQ(feed_view(st, by_tag)["entries"].size(), 4u);  // 3 + the circle one
  by_tag.author = m[1].id();
  EXPECT_EQ(feed_view(st, by_tag)["entries"].size(), 1u);  // m1 wrote "go" ones and the circle one
  feed_query by_circle;
  by_circle.circle = circle.id;
  EXPECT_EQ(feed_view(st, by_circle)["entries"].size(), 2u);  // open + contribution
  feed_query nothing;
  nothing.tag = "cobol";
  EXPECT_TRUE(feed_view(st, nothing)["entries"].empty());

  test::memory_store store;
  for (const auto& r : h.records) store.add(r);
  record_lookup lookup = [&](const record_id& id) { return store.lookup(id); };
  feed_query one;
  one.limit = 1;
  json with_body = feed_view(st, one, &lookup);
  EXPECT_EQ(with_body["entries"][0]["body"]["title"], "c");
}

// Issue #15: a thanks row said nothing of what was thanked. thanked_view names the
// contribution (id, author, title), which the RPC adds to the feed's thanks rows.
TEST_F(ViewsTest, ThanksNameWhatWasThanked) {
  record c = h.write(m[1], "contribution",
                     {{"kind", "help"},
                      {"title", "Soldering night notes"},
                      {"body", ""},
                      {"tags", json::array()},
                      {"answers", nullptr},
                      {"circle", nullptr}},
                     t0 + 2 * day);
  h.write(m[2], "thanks", {{"contribution", text(c.id)}, {"note", "saved my board"}}, t0 + 3 * day);
  state& st = run();
  test::memory_store store;
  for (const auto& r : h.records) store.add(r);
  record_lookup lookup = [&](const record_id& id) { return store.lookup(id); };
  feed_query q;
  q.kind = record_kind::thanks;
  json page = feed_view(st, q, &lookup);
  ASSERT_EQ(page["entries"].size(), 1u) << page.dump();
  const json& body = page["entries"][0]["body"];
  EXPECT_EQ(body["note"], "saved my board");
  EXPECT_FALSE(page["entries"][0].contains("thanked"));  // the view the vectors pin is as it was
  json thanked = thanked_view(st, body, lookup);
  EXPECT_EQ(thanked["id"], text(c.id));
  EXPECT_EQ(thanked["title"], "Soldering night notes");
  EXPECT_EQ(thanked["author"]["id"], m[1].text());
  // Its body not at hand: the id and author still, the title empty.
  record_lookup none = [](const record_id&) { return std::optional<record>(); };
  EXPECT_EQ(thanked_view(st, body, none)["title"], "");
  EXPECT_EQ(thanked_view(st, body, none)["id"], text(c.id));
  // A body that names no contribution this community holds: null.
  EXPECT_TRUE(thanked_view(st, json{{"note", "x"}}, lookup).is_null());
  EXPECT_TRUE(thanked_view(st, json{{"contribution", "nope"}}, lookup).is_null());
}

TEST_F(ViewsTest, RequestsOpenAndAnsweredWithPaging) {
  std::vector<record> reqs;
  for (int i = 0; i < 5; ++i) {
    reqs.push_back(h.write(m[2], "request",
                           {{"title", "q" + std::to_string(i)}, {"body", ""}, {"tags", {"x"}}},
                           t0 + 2 * day + i));
  }
  h.write(m[3], "contribution",
          {{"kind", "help"},
           {"title", "a"},
           {"body", ""},
           {"tags", json::array()},
           {"answers", text(reqs[1].id)},
           {"circle", nullptr}},
          t0 + 3 * day);
  state& st = run();
  json open = requests_view(st, {request_filter::open, 2, std::nullopt});
  ASSERT_EQ(open["requests"].size(), 2u);
  EXPECT_EQ(open["requests"][0]["title"], "q4");
  EXPECT_EQ(open["open"], 4);
  EXPECT_EQ(open["answered"], 1);
  record_id cursor;
  ASSERT_TRUE(crypto::from_text(open["next_cursor"].get<std::string>(), &cursor));
  json rest = requests_view(st, {request_filter::open, 10, cursor});
  ASSERT_EQ(rest["requests"].size(), 2u);
  EXPECT_EQ(rest["requests"][1]["title"], "q0");
  json answered = requests_view(st, {request_filter::answered, 10, std::nullopt});
  ASSERT_EQ(answered["requests"].size(), 1u);
  EXPECT_EQ(answered["requests"][0]["status"], "answered");
  EXPECT_EQ(answered["requests"][0]["answers"].size(), 1u);
}

// The dashboard's open requests, each with who knows its first tag (one call, no lookup per
// request): the ranking of who_knows_view, its author left out, the first q.who_knows.
TEST_F(ViewsTest, RequestsNameWhoKnowsTheirFirstTagButTheirAuthor) {
  contribution(1, {"welding"}, t0 + 2 * day);  // m1: 2
  contribution(2, {"welding"}, t0 + 2 * day);  // m2: 2 + 2 = 4
  contribution(2, {"welding"}, t0 + 2 * day);
  contribution(3, {"welding", "sewing"}, t0 + 2 * day);  // m3: 2
  h.write(m[4], "request", {{"title", "weld?"}, {"body", ""}, {"tags", {"Welding", "sewing"}}},
          t0 + 3 * day);
  h.write(m[2], "request", {{"title", "weld 2?"}, {"body", ""}, {"tags", {"welding"}}},
          t0 + 3 * day + 1);
  h.write(m[5], "request", {{"title", "no tags"}, {"body", ""}, {"tags", json::array()}},
          t0 + 3 * day + 2);
  h.write(m[5], "request", {{"title", "knit?"}, {"body", ""}, {"tags", {"knitting"}}},
          t0 + 3 * day + 3);
  state& st = run();
  requests_query q;
  q.who_knows = 2;
  json v = requests_view(st, q);
  ASSERT_EQ(v["requests"].size(), 4u);
  const json& knit = v["requests"][0];
  EXPECT_EQ(knit["who_knows"], (json{{"topic", "knitting"}, {"members", json::array()}}));
  EXPECT_TRUE(v["requests"][1]["who_knows"].is_null());  // no tags
  const json& weld2 = v["requests"][2]["who_knows"];     // by m2, the best: left out
  EXPECT_EQ(weld2["topic"], "welding");
  ASSERT_EQ(weld2["members"].size(), 2u);
  EXPECT_EQ(weld2["members"][0], (json{{"id", m[1].text()}, {"name", ""}, {"score", 2}}));
  EXPECT_EQ(weld2["members"][1]["id"], m[3].text());  // ties in order of joining
  const json& weld = v["requests"][3]["who_knows"];   // by m4: the ranking's first two
  EXPECT_EQ(weld["topic"], "welding");                // the first tag, normalized
  ASSERT_EQ(weld["members"].size(), 2u);
  EXPECT_EQ(weld["members"][0]["id"], m[2].text());
  EXPECT_EQ(weld["members"][0]["score"], 4);
  EXPECT_EQ(weld["members"][1]["id"], m[1].text());
  // The same order and scores as who_knows_view.
  const json ranking = who_knows_view(st, "welding", 3)["members"];
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(weld["members"][i]["id"], ranking[i]["id"]);
    EXPECT_EQ(weld["members"][i]["score"], ranking[i]["score"]);
  }
  // Without q.who_knows the rows are as they were.
  EXPECT_FALSE(requests_view(st, {})["requests"][0].contains("who_knows"));
}

TEST_F(ViewsTest, BalanceFlagsMembersWhoTakeWithoutContributingAndWhoCarry) {
  std::vector<record> by1;
  for (int i = 0; i < 3; ++i) by1.push_back(contribution(1, json::array(), t0 + 2 * day + i));
  for (const auto& c : by1) thank(2, c, t0 + 3 * day);  // m2 takes 3, gives 0
  thank(3, by1[0], t0 + 3 * day);                       // m1 gave 4, took 0
  json b = balance_view(run());
  EXPECT_EQ(b["takes_without_contributing"], json::array({m[2].text()}));
  EXPECT_EQ(b["carries"], json::array({m[1].text()}));
  EXPECT_EQ(b["members"][1]["given"], 4);
  EXPECT_EQ(b["members"][2]["taken"], 3);
  EXPECT_EQ(b["members"][2]["flags"], json::array({"takes_without_contributing"}));
  EXPECT_FALSE(b.contains("only_takes"));
}

TEST_F(ViewsTest, BalanceTopKeepsTheBusiestMembersAndTheirFlagsOnly) {
  std::vector<record> by1;
  for (int i = 0; i < 3; ++i) by1.push_back(contribution(1, json::array(), t0 + 2 * day + i));
  for (const auto& c : by1) thank(2, c, t0 + 3 * day);  // m2 takes 3, gives 0
  thank(3, by1[0], t0 + 3 * day);                       // m1 gave 4; m3 took 1
  run();
  json two = json::parse(balance_view_text(*s, 2));
  ASSERT_EQ(two["members"].size(), 2u);
  EXPECT_EQ(two["members"][0]["id"], m[1].text());  // 4 + 0
  EXPECT_EQ(two["members"][1]["id"], m[2].text());  // 0 + 3
  EXPECT_EQ(two["carries"], json::array({m[1].text()}));
  EXPECT_EQ(two["takes_without_contributing"], json::array({m[2].text()}));
  EXPECT_EQ(two["thanks_between_active"], 4);  // still every active member's
  json one = json::parse(balance_view_text(*s, 1));
  ASSERT_EQ(one["members"].size(), 1u);
  EXPECT_EQ(one["takes_without_contributing"], json::array());
  // Equal activity: order of joining. More than there are: all of them, busiest first.
  json all = json::parse(balance_view_text(*s, 500));
  EXPECT_EQ(all["members"].size(), balance_view(*s)["members"].size());
  EXPECT_EQ(all["members"][2]["id"], m[3].text());
  EXPECT_EQ(all["members"][3]["id"], m[0].text());
}

// Issue #15: a member who brought something and was not thanked yet is not flagged.
TEST_F(ViewsTest, BalanceDoesNotFlagAMemberWhoContributedButWasNotThanked) {
  std::vector<record> by1;
  for (int i = 0; i < 3; ++i) by1.push_back(contribution(1, json::array(), t0 + 2 * day + i));
  contribution(2, json::array(), t0 + 2 * day);         // m2 brings one; nobody thanks it
  for (const auto& c : by1) thank(2, c, t0 + 3 * day);  // m2 takes 3, gives 0
  json b = balance_view(run());
  EXPECT_EQ(b["members"][2]["taken"], 3);
  EXPECT_EQ(b["members"][2]["given"], 0);
  EXPECT_EQ(b["takes_without_contributing"], json::array());
  EXPECT_EQ(b["members"][2]["flags"], json::array());
  EXPECT_EQ(balance_view_text(*s), b.dump());
}

TEST_F(ViewsTest, WhoKnowsRanksSkillsContributionsAndThanks) {
  h.write(m[1], "profile",
          {{"name", "One"}, {"about", ""}, {"skills", {"Welding"}}, {"address", nullptr}},
          t0 + 2 * day);                                   // 5
  record c2 = contribution(2, {"welding"}, t0 + 2 * day);  // 2
  contribution(2, {"welding"}, t0 + 2 * day);              // 2
  thank(3, c2, t0 + 3 * day);                              // 3 -> m2: 7
  contribution(3, {"welding"}, t0 + 2 * day);              // m3: 2
  h.write(m[4], "member.leave", {{"reason", ""}}, t0 + 2 * day);
  json w = who_knows_view(run(), "WELDING");
  EXPECT_EQ(w["topic"], "welding");
  ASSERT_EQ(w["members"].size(), 3u);
  EXPECT_EQ(w["members"][0]["id"], m[2].text());
  EXPECT_EQ(w["members"][0]["score"], 7);
  EXPECT_EQ(w["members"][1]["id"], m[1].text());
  EXPECT_EQ(w["members"][1]["skill"], true);
  EXPECT_EQ(w["members"][2]["score"], 2);
  EXPECT_EQ(who_knows_view(*s, "welding", 1)["members"].size(), 1u);
  EXPECT_TRUE(who_knows_view(*s, "knitting")["members"].empty());
}

TEST_F(ViewsTest, TiesDensityComponentsIsolatedAndConnectors) {
  // Thanks edges: 1-2, 1-3, 4-5 (member 0 isolated).
  record c1 = contribution(1, json::array(), t0 + 2 * day);
  record c4 = contribution(4, json::array(), t0 + 2 * day);
  thank(2, c1, t0 + 3 * day);
  thank(3, c1, t0 + 3 * day);
  thank(5, c4, t0 + 3 * day);
  json t = ties_view(run());
  EXPECT_EQ(t["active_members"], 6);
  EXPECT_EQ(t["ties"], 3);
  EXPECT_EQ(t["possible_ties"], 15);
  EXPECT_DOUBLE_EQ(t["density"].get<double>(), 3.0 / 15.0);
  EXPECT_EQ(t["components"], 3);  // {1,2,3}, {4,5}, {0}
  EXPECT_EQ(t["largest_component"], 3);
  // Isolated members carry their names, as connectors do (issue #15).
  EXPECT_EQ(t["isolated"], json::array({json{{"id", m[0].text()}, {"name", ""}}}));
  EXPECT_EQ(t["connectors"][0]["id"], m[1].text());
  EXPECT_EQ(t["connectors"][0]["partners"], 2);
  // A member who leaves drops out of the graph.
  h.write(m[1], "member.leave", {{"reason", ""}}, t0 + 4 * day);
  json after = ties_view(run());
  EXPECT_EQ(after["ties"], 1);
  EXPECT_EQ(after["isolated_count"], 3);  // 0, 2, 3
}

TEST_F(ViewsTest, TiesGraphEdgesCountTheThanksEitherWay) {
  // 1 thanks 2 twice (two contributions), 2 thanks 1 once: one tie of weight 3; 4-5 weight 1.
  record a = contribution(2, json::array(), t0 + 2 * day);
  record b = contribution(2, json::array(), t0 + 2 * day);
  record c = contribution(1, json::array(), t0 + 2 * day);
  record d = contribution(4, json::array(), t0 + 2 * day);
  thank(1, a, t0 + 3 * day);
  thank(1, b, t0 + 3 * day);
  thank(1, b, t0 + 3 * day);  // a repeat has no effect and adds no weight
  thank(2, c, t0 + 3 * day);
  thank(5, d, t0 + 3 * day);
  json g = ties_graph_view(run());
  ASSERT_EQ(g["edges"].size(), 2u) << g.dump();
  std::map<std::pair<std::string, std::string>, std::uint64_t> weight;
  for (const auto& e : g["edges"]) {
    ASSERT_EQ(e.size(), 3u);
    std::string x = g["nodes"][e[0].get<std::size_t>()]["id"];
    std::string y = g["nodes"][e[1].get<std::size_t>()]["id"];
    weight[std::minmax(x, y)] = e[2];
  }
  EXPECT_EQ((weight[std::minmax(m[1].text(), m[2].text())]), 3u);
  EXPECT_EQ((weight[std::minmax(m[4].text(), m[5].text())]), 1u);
}

// The pages of members, circles and who-knows (issue #15 item 3): walking every page from the
// first yields the whole view in its order, each page at most `limit` rows, the last one with
// a null cursor; a cursor continues after its row.
TEST_F(ViewsTest, MembersCirclesAndWhoKnowsPageThroughTheWholeView) {
  for (std::size_t i = 1; i < 5; ++i) {
    h.write(m[i], "profile",
            {{"name", "m" + std::to_string(i)},
             {"about", ""},
             {"skills", {"welding"}},
             {"address", nullptr}},
            t0 + 2 * day + static_cast<std::int64_t>(i));
  }
  for (const char* name : {"a", "b", "c"}) {
    h.write(m[1], "circle.open", {{"name", name}, {"purpose", ""}}, t0 + 3 * day);
  }
  h.write(m[5], "member.leave", {{"reason", ""}}, t0 + 4 * day);
  state& st = run();

  for (const bool active_only : {true, false}) {
    const json whole = json::parse(members_view_text(st, active_only));
    json walked = json::array();
    std::optional<index> after;
    for (int pages = 0; pages < 10; ++pages) {
      json page = json::parse(members_page_text(st, active_only, 2, after));
      ASSERT_LE(page["members"].size(), 2u);
      EXPECT_EQ(page["active"], whole["active"]);
      EXPECT_EQ(page["total"], whole["total"]);
      for (const auto& row : page["members"]) walked.push_back(row);
      if (page["next_cursor"].is_null()) break;
      member_id cursor;
      ASSERT_TRUE(crypto::from_text(page["next_cursor"].get<std::string>(), &cursor));
      EXPECT_EQ(page["next_cursor"], page["members"].back()["id"]);
      after = st.find_member(cursor);
    }
    EXPECT_EQ(walked, whole["members"]) << "active_only " << active_only;
  }

  // Circles: the closed one only with include_closed.
  h.write(m[1], "circle.close", {{"circle", circles_view(st)["circles"][1]["id"]}}, t0 + 5 * day);
  state& st2 = run();
  json open_page = circles_page(st2, false, 1, std::nullopt);
  ASSERT_EQ(open_page["circles"].size(), 1u);
  EXPECT_EQ(open_page["circles"][0]["name"], "a");
  record_id c;
  ASSERT_TRUE(crypto::from_text(open_page["next_cursor"].get<std::string>(), &c));
  json rest = circles_page(st2, false, 5, st2.circle_index.at(c));
  ASSERT_EQ(rest["circles"].size(), 1u);  // "b" is closed
  EXPECT_EQ(rest["circles"][0]["name"], "c");
  EXPECT_TRUE(rest["next_cursor"].is_null());
  EXPECT_EQ(circles_page(st2, true, 5, st2.circle_index.at(c))["circles"].size(), 2u);

  // who-knows: the same ranking as the view, a page at a time; an unranked member is no cursor.
  const json ranking = who_knows_view(st2, "welding", 500)["members"];
  ASSERT_EQ(ranking.size(), 4u);
  json walked = json::array();
  std::optional<index> after;
  while (true) {
    auto page = who_knows_page(st2, "welding", 3, after);
    ASSERT_TRUE(page.has_value());
    for (const auto& row : (*page)["members"]) walked.push_back(row);
    if ((*page)["next_cursor"].is_null()) break;
    member_id cursor;
    ASSERT_TRUE(crypto::from_text((*page)["next_cursor"].get<std::string>(), &cursor));
    after = st2.find_member(cursor);
  }
  EXPECT_EQ(walked, ranking);
  EXPECT_FALSE(who_knows_page(st2, "welding", 3, st2.find_member(m[0].id())).has_value());
}

TEST_F(ViewsTest, PulseCountsWeeksAndWarnsWhenFading) {
  const std::int64_t week = week_ms;
  // Busy weeks 0..7 from t0 (8 records a week by two members), then one record a week.
  for (int w = 0; w < 8; ++w) {
    for (int i = 0; i < 8; ++i) contribution(1 + i % 2, json::array(), t0 + 2 * day + w * week + i);
  }
  for (int w = 8; w < 12; ++w) contribution(3, json::array(), t0 + 2 * day + w * week);
  const std::int64_t now = t0 + 2 * day + 11 * week + 1;
  json p = pulse_view(run(), now);
  ASSERT_EQ(p["weeks"].size(), 12u);
  EXPECT_EQ(p["weeks"][11]["records"], 1);
  EXPECT_EQ(p["weeks"][11]["active_members"], 1);
  EXPECT_EQ(p["records_last_4_weeks"], 4);
  EXPECT_TRUE(p["fading"].get<bool>());
  // Week boundaries are Mondays 00:00 UTC.
  std::int64_t start = p["weeks"][11]["week_start_ts"];
  EXPECT_EQ((start / day + 3) % 7, 0);
  EXPECT_LE(start, now);
  EXPECT_GT(start + week, now);
  // Steady activity is not fading.
  for (int w = 12; w < 16; ++w) {
    for (int i = 0; i < 8; ++i) contribution(1, json::array(), t0 + 2 * day + w * week + i);
  }
  EXPECT_FALSE(pulse_view(run(), t0 + 2 * day + 15 * week + 1)["fading"].get<bool>());
}

TEST_F(ViewsTest, MembersShowStatusSkillsAndActivity) {
  h.write(m[1], "profile",
          {{"name", "One"}, {"about", ""}, {"skills", {"a", "b"}}, {"address", "one.example:7000"}},
          t0 + 5 * day);
  h.write(m[2], "member.leave", {{"reason", ""}}, t0 + 6 * day);
  json v = members_view(run());
  ASSERT_EQ(v["members"].size(), 6u);
  EXPECT_EQ(v["active"], 5);
  EXPECT_EQ(v["members"][1]["name"], "One");
  EXPECT_EQ(v["members"][1]["skills"], json::array({"a", "b"}));
  EXPECT_EQ(v["members"][1]["address"], "one.example:7000");
  EXPECT_EQ(v["members"][1]["last_active_ts"], t0 + 5 * day);
  EXPECT_EQ(v["members"][2]["status"], "left");
  json c = community_view(*s);
  EXPECT_EQ(c["steward"]["id"], m[0].text());
  EXPECT_EQ(c["active_members"], 5);
  EXPECT_EQ(c["policy"]["quorum_pct"], 50);
}

TEST_F(ViewsTest, ProposalsShowStatusAndEndorsers) {
  record p = h.write(
      m[1], "proposal",
      {{"action", "agreement"}, {"text", "Be kind"}, {"supersedes", nullptr}, {"reason", ""}},
      t0 + 2 * day);
  for (int i = 2; i <= 3; ++i) h.write(m[i], "endorse", {{"proposal", text(p.id)}}, t0 + 3 * day);
  json open = proposals_view(run(), t0 + 4 * day);
  EXPECT_EQ(open["proposals"][0]["status"], "open");
  EXPECT_EQ(open["proposals"][0]["active_endorsers"], 3);
  EXPECT_EQ(open["endorsers_needed_now"], 4);  // 6 active, 50%: more than 3
  h.write(m[4], "endorse", {{"proposal", text(p.id)}}, t0 + 3 * day);
  json adopted = proposals_view(run(), t0 + 4 * day);
  EXPECT_EQ(adopted["proposals"][0]["status"], "adopted");
  EXPECT_EQ(adopted["proposals"][0]["in_force"], true);
  EXPECT_EQ(community_view(*s)["agreements"][0]["text"], "Be kind");
}

}  // namespace
}  // namespace zwerm::node::community

namespace zwerm::node::community {
namespace {

TEST(ViewsText, DirectTextEqualsTheJsonDump) {
  test::history h;
  auto a = h.make_member(1);
  h.genesis(a);
  h.write(a, "profile",
          {{"name", "Zo\xc3\xab \"quoted\" back\\slash"},
           {"about", ""},
           {"skills", {"C++", "\xe2\x82\xac"}},
           {"address", "[::1]:7000"}},
          2000);
  state s(h.community);
  for (const auto& r : h.records) s.apply(r);
  EXPECT_EQ(members_view_text(s), members_view(s).dump());
  EXPECT_EQ(balance_view_text(s), balance_view(s).dump());
  EXPECT_EQ(members_view(s)["members"][0]["name"], "Zo\xc3\xab \"quoted\" back\\slash");
}

// The status filter applies before the page is cut, so pages of one status follow each other
// with no gaps and the cursor is null once no further proposal of that status exists.
TEST_F(ViewsTest, ProposalsPageThroughOneStatus) {
  std::vector<record> ps;
  for (int i = 0; i < 5; ++i) {
    ps.push_back(h.write(m[1], "proposal",
                         {{"action", "agreement"},
                          {"text", "rule " + std::to_string(i)},
                          {"supersedes", nullptr},
                          {"reason", ""}},
                         t0 + 2 * day + i));
  }
  // Adopt rule 3: 4 of 6 endorse (the proposer counts).
  for (int i = 2; i <= 4; ++i)
    h.write(m[i], "endorse", {{"proposal", text(ps[3].id)}}, t0 + 3 * day);
  state& st = run();
  json first = proposals_view(st, t0 + 4 * day, 2, std::nullopt, proposal_filter::open);
  ASSERT_EQ(first["proposals"].size(), 2u);
  EXPECT_EQ(first["proposals"][0]["text"], "rule 4");
  EXPECT_EQ(first["proposals"][1]["text"], "rule 2");  // rule 3 is adopted, not listed
  record_id cursor;
  ASSERT_TRUE(crypto::from_text(first["next_cursor"].get<std::string>(), &cursor));
  json rest = proposals_view(st, t0 + 4 * day, 2, cursor, proposal_filter::open);
  ASSERT_EQ(rest["proposals"].size(), 2u);
  EXPECT_EQ(rest["proposals"][1]["text"], "rule 0");
  EXPECT_TRUE(rest["next_cursor"].is_null());  // nothing open is left after rule 0
  json adopted = proposals_view(st, t0 + 4 * day, 1, std::nullopt, proposal_filter::adopted);
  ASSERT_EQ(adopted["proposals"].size(), 1u);
  EXPECT_EQ(adopted["proposals"][0]["text"], "rule 3");
  EXPECT_TRUE(adopted["next_cursor"].is_null());
  EXPECT_EQ(proposals_view(st, t0 + 4 * day + proposal_lifetime_ms, 50, std::nullopt,
                           proposal_filter::expired)["proposals"]
                .size(),
            4u);
}

}  // namespace
TEST(PlainViews, EachIsAPlainViewOfTheContractAndEachOfThoseHasOne) {
  namespace rc = rpc_contract;
  for (const plain_view& v : plain_views()) {
    const rc::method_spec* m = rc::find_method(v.name);
    ASSERT_NE(m, nullptr) << v.name << " is not a method of the RPC contract";
    EXPECT_TRUE(m->plain_view) << v.name << ": the contract does not mark it plain_view";
    EXPECT_EQ(find_plain_view(v.name), &v);
  }
  for (const rc::method_spec* m : rc::all_methods) {
    if (m->plain_view) {
      EXPECT_NE(find_plain_view(m->name), nullptr) << m->name;
    }
  }
  EXPECT_EQ(find_plain_view("members"), nullptr);  // a view with its own handler
}

TEST(PlainViews, ARequestReadsOnlyParamsOfTheRightType) {
  const nlohmann::json p = {{"graph", true}, {"weeks", 3}, {"wrong", "yes"}, {"none", nullptr}};
  const view_request r{.params = p, .now_ms = 7};
  EXPECT_TRUE(r.flag("graph", false));
  EXPECT_FALSE(r.flag("wrong", false));
  EXPECT_TRUE(r.flag("none", true));
  EXPECT_TRUE(r.flag("absent", true));
  EXPECT_EQ(r.integer("weeks", 12), 3);
  EXPECT_EQ(r.integer("wrong", 12), 12);
  EXPECT_EQ(r.integer("graph", 12), 12);
}

}  // namespace zwerm::node::community
