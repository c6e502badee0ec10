// Everyday use of the CLI against a real node (issue #15): list views page with --limit and
// --before and print the command for the next page; hostile paging arguments get clear errors;
// a closed circle says it is closed; the readable views (community show, ties, pulse).
#include <gtest/gtest.h>

#include <sstream>

#include "tests/e2e/node_harness.hpp"
#include "tests/e2e/ok_json.hpp"

namespace zwerm::testing {
namespace {

using json = nlohmann::json;

// The words of the "more: zwerm ..." line of a page, or {} when the page has none.
std::vector<std::string> more_line(const std::string& out) {
  auto at = out.find("\nmore: ");
  if (at == std::string::npos) return {};
  std::istringstream in(out.substr(at + 7, out.find('\n', at + 7) - at - 7));
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// Runs the command a "more:" line printed (the harness adds --home itself).
run_result run_more(const node_harness& n, std::vector<std::string> words) {
  EXPECT_GE(words.size(), 3u);
  EXPECT_EQ(words[0], "zwerm");
  EXPECT_EQ(words[1], "--home");
  EXPECT_EQ(words[2], n.home().string());
  words.erase(words.begin(), words.begin() + 3);
  return n.zwerm(words);
}

class CliEveryday : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    ASSERT_TRUE(ada.start(&why)) << why;
    ok_json(ada, {"community", "create", "Makers", "--purpose", "make things together"});
  }
  node_harness ada{"ada"};
};

TEST_F(CliEveryday, RequestsPageWithTheExactNextCommand) {
  for (int i = 0; i < 5; ++i) ok_json(ada, {"ask", "question " + std::to_string(i)});
  auto first = ada.zwerm({"requests", "--state", "open", "--limit", "2"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("question 4"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("question 3"), std::string::npos) << first.out;
  EXPECT_EQ(first.out.find("question 2"), std::string::npos) << first.out;
  EXPECT_EQ(first.out.find("next cursor"), std::string::npos) << first.out;
  auto words = more_line(first.out);
  ASSERT_EQ(words.size(), 10u) << first.out;
  const std::vector<std::string> expected{"requests", "--state", "open",
                                          "--limit",  "2",       "--before"};
  EXPECT_EQ(std::vector<std::string>(words.begin() + 3, words.end() - 1), expected) << first.out;
  // The cursor is a whole id, so the printed command works as it is.
  EXPECT_EQ(words.back().size(), 43u) << first.out;

  auto second = run_more(ada, words);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("question 2"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("question 1"), std::string::npos) << second.out;
  EXPECT_EQ(second.out.find("question 3"), std::string::npos) << second.out;
  auto third = run_more(ada, more_line(second.out));
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third.out.find("question 0"), std::string::npos) << third.out;
  EXPECT_TRUE(more_line(third.out).empty()) << third.out;  // the last page says no more

  // --json keeps the node's answer as it is, cursor included.
  auto page = ok_json(ada, {"requests", "--limit", "2"});
  EXPECT_EQ(page["requests"].size(), 2u);
  EXPECT_TRUE(page["next_cursor"].is_string()) << page.dump();
}

TEST_F(CliEveryday, ProposalsPageWithinTheirState) {
  // In a community of one, each proposal is adopted by its proposer alone.
  for (int i = 0; i < 3; ++i) ok_json(ada, {"propose", "agreement", "rule " + std::to_string(i)});
  auto first =
      ada.zwerm({"--community", "Makers", "proposals", "--state", "adopted", "--limit", "2"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("rule 2"), std::string::npos) << first.out;
  EXPECT_EQ(first.out.find("rule 0"), std::string::npos) << first.out;
  auto words = more_line(first.out);
  ASSERT_EQ(words.size(), 12u) << first.out;
  EXPECT_EQ(words[3], "--community");  // the global flags typed are part of the command
  EXPECT_EQ(words[4], "Makers");
  EXPECT_EQ(words[6], "--state");
  EXPECT_EQ(words[7], "adopted");
  auto second = run_more(ada, words);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("rule 0"), std::string::npos) << second.out;
  EXPECT_TRUE(more_line(second.out).empty()) << second.out;
  // No open proposal is left: an empty page, not adopted ones cut by the filter after paging.
  auto open = ok_json(ada, {"proposals", "--limit", "1"});
  EXPECT_EQ(open["proposals"].size(), 0u) << open.dump();
  EXPECT_TRUE(open["next_cursor"].is_null()) << open.dump();
}

TEST_F(CliEveryday, FeedHintKeepsTheFiltersTyped) {
  for (int i = 0; i < 3; ++i) {
    ok_json(ada, {"contribute", "note " + std::to_string(i), "--tags", "shop"});
  }
  auto first = ada.zwerm({"feed", "--tag", "shop", "--type", "contribution", "--limit", "1"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto words = more_line(first.out);
  ASSERT_FALSE(words.empty()) << first.out;
  const std::string line = first.out.substr(first.out.find("\nmore: "));
  EXPECT_NE(line.find("feed --type contribution --tag shop --limit 1 --before "), std::string::npos)
      << line;
  auto second = run_more(ada, words);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("note 1"), std::string::npos) << second.out;
}

TEST_F(CliEveryday, HostilePagingArgumentsAreRefusedOrCappedWithAReason) {
  ok_json(ada, {"ask", "one question"});
  for (const char* view : {"requests", "proposals", "feed"}) {
    for (const char* bad : {"0", "-3", "--limit=-3"}) {
      auto r = std::string(bad).rfind("--", 0) == 0 ? ada.zwerm({view, bad})
                                                    : ada.zwerm({view, "--limit", bad});
      EXPECT_EQ(r.exit_code, 2) << view << " " << bad << ": " << r.err;
      EXPECT_NE(r.err.find("--limit"), std::string::npos) << view << " " << bad << ": " << r.err;
    }
    auto text = ada.zwerm({view, "--limit", "many"});
    EXPECT_EQ(text.exit_code, 2) << view << ": " << text.err;
    // Huge: capped at the node's page size, and said so.
    auto huge = ada.zwerm({view, "--limit", "1000000"});
    EXPECT_EQ(huge.exit_code, 0) << view << ": " << huge.err;
    EXPECT_NE(huge.err.find("--limit is capped at 500"), std::string::npos)
        << view << ": " << huge.err;
    auto overflow = ada.zwerm({view, "--limit", "99999999999999999999999"});
    EXPECT_EQ(overflow.exit_code, 0) << view << ": " << overflow.err;
    EXPECT_NE(overflow.err.find("--limit is capped at 500"), std::string::npos)
        << view << ": " << overflow.err;
    // A cursor that is none: a usage error naming it, not a crash or an empty page.
    auto garbage = ada.zwerm({view, "--before", "not-a-cursor"});
    EXPECT_EQ(garbage.exit_code, 2) << view << ": " << garbage.out << garbage.err;
    EXPECT_NE(garbage.err.find("\"before\" is not a cursor"), std::string::npos)
        << view << ": " << garbage.err;
  }
  // A cursor of another view (a request id given to proposals) is no cursor of that view.
  const std::string request_id = ok_json(ada, {"ask", "another"})["record_id"];
  auto foreign = ada.zwerm({"proposals", "--before", request_id});
  EXPECT_EQ(foreign.exit_code, 2) << foreign.err;
  EXPECT_NE(foreign.err.find("not a cursor printed by proposals in Makers"), std::string::npos)
      << foreign.err;
  // The same id is a fine cursor for requests: the page holds the request before it.
  auto fine = ok_json(ada, {"requests", "--before", request_id});
  ASSERT_EQ(fine["requests"].size(), 1u) << fine.dump();
  EXPECT_EQ(fine["requests"][0]["title"], "one question");
}

TEST_F(CliEveryday, CirclesPageInOrderOfOpening) {
  for (const char* name : {"Bikes", "Boats", "Books"}) ok_json(ada, {"circle", "open", name});
  ok_json(ada, {"circle", "close", "Boats"});
  auto first = ada.zwerm({"circle", "list", "--all", "--limit", "2"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("Bikes"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("Boats"), std::string::npos) << first.out;
  EXPECT_EQ(first.out.find("Books"), std::string::npos) << first.out;
  auto words = more_line(first.out);
  ASSERT_EQ(words.size(), 10u) << first.out;
  const std::vector<std::string> expected{"circle", "list", "--all", "--limit", "2", "--before"};
  EXPECT_EQ(std::vector<std::string>(words.begin() + 3, words.end() - 1), expected) << first.out;
  auto second = run_more(ada, words);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("Books"), std::string::npos) << second.out;
  EXPECT_EQ(second.out.find("Bikes"), std::string::npos) << second.out;
  EXPECT_TRUE(more_line(second.out).empty()) << second.out;
  // Without --all the closed circle is not listed, and pages still hold `limit` open ones.
  auto open = ok_json(ada, {"circle", "list", "--limit", "2"});
  ASSERT_EQ(open["circles"].size(), 2u) << open.dump();
  EXPECT_EQ(open["circles"][1]["name"], "Books");
  EXPECT_TRUE(open["next_cursor"].is_null()) << open.dump();
}

TEST_F(CliEveryday, HostilePagingOfMembersCirclesAndWhoKnows) {
  ok_json(ada, {"profile", "set", "--skills", "welding"});
  ok_json(ada, {"circle", "open", "Bikes"});
  const std::vector<std::vector<std::string>> views{
      {"members"}, {"circle", "list"}, {"who-knows", "welding"}};
  for (const auto& view : views) {
    auto with = [&](std::vector<std::string> extra) {
      std::vector<std::string> args = view;
      args.insert(args.end(), extra.begin(), extra.end());
      return ada.zwerm(args);
    };
    for (const char* bad : {"0", "-3"}) {
      auto r = with({"--limit", bad});
      EXPECT_EQ(r.exit_code, 2) << view[0] << " " << bad << ": " << r.err;
      EXPECT_NE(r.err.find("--limit must be at least 1"), std::string::npos) << r.err;
    }
    auto huge = with({"--limit", "501"});
    EXPECT_EQ(huge.exit_code, 0) << view[0] << ": " << huge.err;
    EXPECT_NE(huge.err.find("--limit is capped at 500"), std::string::npos) << huge.err;
    auto garbage = with({"--before", "not-a-cursor"});
    EXPECT_EQ(garbage.exit_code, 2) << view[0] << ": " << garbage.out << garbage.err;
    EXPECT_NE(garbage.err.find("\"before\" is not a cursor printed by"), std::string::npos)
        << view[0] << ": " << garbage.err;
    // An id of something else (a request) is no cursor of these views either.
    const std::string request_id = ok_json(ada, {"ask", "a question"})["record_id"];
    auto foreign = with({"--before", request_id});
    EXPECT_EQ(foreign.exit_code, 2) << view[0] << ": " << foreign.err;
    EXPECT_NE(foreign.err.find("is not a cursor printed by"), std::string::npos)
        << view[0] << ": " << foreign.err;
  }
  // The node clamps what the CLI would refuse: limit 0 is a page of one, 501 one of 500.
  auto one = ok_json(ada, {"members", "--limit", "1"});
  EXPECT_EQ(one["members"].size(), 1u) << one.dump();
  // A member who is not ranked for the topic is no cursor of that ranking.
  auto unranked = ada.zwerm({"who-knows", "knitting", "--before", ada.member_id()});
  EXPECT_EQ(unranked.exit_code, 2) << unranked.err;
  EXPECT_NE(unranked.err.find("not a cursor printed by who-knows 'knitting'"), std::string::npos)
      << unranked.err;
}

// Members and who-knows page across three members' nodes: each page continues where the last
// ended, the last page prints no next command.
TEST(CliEverydayPaging, MembersAndWhoKnowsPageAcrossMembers) {
  node_harness ada{"ada"}, bob{"bob"}, cleo{"cleo"};
  std::string why;
  for (auto* n : {&ada, &bob, &cleo}) ASSERT_TRUE(n->start(&why)) << why;
  ok_json(ada, {"community", "create", "Makers", "--purpose", "make things together"});
  ok_json(bob, {"join", str(ok_json(ada, {"invite"}), "code")});
  ok_json(cleo, {"join", str(ok_json(ada, {"invite"}), "code")});
  for (auto* n : {&ada, &bob, &cleo}) ok_json(*n, {"profile", "set", "--skills", "welding"});
  ASSERT_TRUE(eventually([&] {
    json w = ada.zwerm_json({"who-knows", "welding"});
    return w.is_object() && w["members"].size() == 3;
  })) << ada.zwerm({"who-knows", "welding"}).out;

  std::vector<std::string> seen;
  auto page = ada.zwerm({"members", "--limit", "2"});
  for (int pages = 0; pages < 5; ++pages) {
    ASSERT_EQ(page.exit_code, 0) << page.err;
    for (const auto* name : {"ada", "bob", "cleo"}) {
      if (page.out.find("\n" + std::string(name) + " ") != std::string::npos) seen.push_back(name);
    }
    auto words = more_line(page.out);
    if (words.empty()) break;
    page = run_more(ada, words);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"ada", "bob", "cleo"}));

  // who-knows, one member a page: three pages, each a different member, in rank order.
  json first = ok_json(ada, {"who-knows", "welding", "--limit", "1"});
  ASSERT_EQ(first["members"].size(), 1u) << first.dump();
  std::vector<std::string> ranked{str(first["members"][0], "name")};
  json next = first;
  while (next["next_cursor"].is_string()) {
    next = ok_json(ada, {"who-knows", "welding", "--limit", "1", "--before",
                         next["next_cursor"].get<std::string>()});
    ASSERT_EQ(next["members"].size(), 1u) << next.dump();
    ranked.push_back(str(next["members"][0], "name"));
    ASSERT_LE(ranked.size(), 3u);
  }
  EXPECT_EQ(ranked, (std::vector<std::string>{"ada", "bob", "cleo"}));  // ties: order of joining
  auto text = ada.zwerm({"who-knows", "welding", "--limit", "2"});
  const auto words = more_line(text.out);
  ASSERT_FALSE(words.empty()) << text.out;
  EXPECT_EQ(std::vector<std::string>(words.begin() + 3, words.begin() + 7),
            (std::vector<std::string>{"who-knows", "welding", "--limit", "2"}))
      << text.out;
}

TEST_F(CliEveryday, JoiningAClosedCircleSaysItIsClosed) {
  ok_json(ada, {"circle", "open", "Bikes"});
  ok_json(ada, {"circle", "close", "Bikes"});
  auto r = ada.zwerm({"circle", "join", "Bikes"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("the circle 'Bikes' is closed"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("no circle has an id"), std::string::npos) << r.err;
  // A name no circle ever had still says so.
  auto none = ada.zwerm({"circle", "join", "Boats"});
  EXPECT_NE(none.err.find("no circle has an id starting with 'Boats'"), std::string::npos)
      << none.err;
}

TEST_F(CliEveryday, ViewsReadForPeople) {
  auto show = ada.zwerm({"community", "show"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(show.out.find("created: yes"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("just now"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("steward:           ada (" + ada.member_id().substr(0, 8) + ")"),
            std::string::npos)
      << show.out;
  EXPECT_EQ(show.out.find("steward.name"), std::string::npos) << show.out;

  auto ties = ada.zwerm({"ties"});
  ASSERT_EQ(ties.exit_code, 0) << ties.err;
  EXPECT_NE(ties.out.find("isolated (1):"), std::string::npos) << ties.out;
  EXPECT_NE(ties.out.find("\nada "), std::string::npos) << ties.out;  // by name
  EXPECT_NE(ties.out.find("density:"), std::string::npos) << ties.out;
  EXPECT_EQ(ties.out.find("0.0"), std::string::npos) << ties.out;

  auto pulse = ada.zwerm({"pulse"});
  ASSERT_EQ(pulse.exit_code, 0) << pulse.err;
  EXPECT_EQ(pulse.out.find(" ago"), std::string::npos) << pulse.out;
  EXPECT_NE(pulse.out.find("\nweek start"), std::string::npos) << pulse.out;
  EXPECT_NE(pulse.out.find("\n20"), std::string::npos) << pulse.out;  // rows start with a date

  auto status = ada.zwerm({"status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(status.out.find("(ada)"), status.out.rfind("(ada)")) << status.out;
}

TEST_F(CliEveryday, ParseErrorsShowTheArgumentsInTheOrderTyped) {
  auto r = ada.zwerm({"members", "one", "two", "three"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("not expected: one two three\n"), std::string::npos) << r.err;
  // An unknown option in the middle: named as typed, before what it may have left missing.
  auto middle = ada.zwerm({"thank", "abc", "--bogus", "x", "--note", "n"});
  EXPECT_EQ(middle.exit_code, 2) << middle.err;
  EXPECT_NE(middle.err.find("not expected: --bogus x\n"), std::string::npos) << middle.err;
  auto first = ada.zwerm({"frobnicate", "now"});
  EXPECT_EQ(first.exit_code, 2) << first.err;
  EXPECT_NE(first.err.find("not expected: frobnicate now\n"), std::string::npos) << first.err;
  // A missing argument still says which.
  auto missing = ada.zwerm({"thank"});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("contribution is required"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace zwerm::testing
