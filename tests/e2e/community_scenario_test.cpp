// Three members, three real zwermd processes on 127.0.0.1, driven only through `zwerm`:
// create, invite by id and by token, join, profile, ask, contribute answering the request,
// thank, propose and endorse an agreement, open and join a circle, leave; then every node
// shows the same members, balance and agreements.
//
// In a build whose zwermd does not serve community methods yet, the test says so and skips
// (the node's own not_available answer is the evidence); it never passes without running.
#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "tests/e2e/node_harness.hpp"

namespace zwerm::testing {
namespace {

using json = nlohmann::json;

// Polls `probe` until it returns true or `timeout` passes.
bool eventually(const std::function<bool()>& probe,
                std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (probe()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return probe();
}

std::string str(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// A view with the fields that legitimately differ per node removed (none expected today; the
// hook keeps the comparison honest if a view adds e.g. "this node's own id").
json comparable(json view) {
  if (view.is_object()) view.erase("generated_ts");
  return view;
}

// zwerm --json ARGS on `node`, asserting exit 0; the parsed result.
json ok_json(const node_harness& node, const std::vector<std::string>& args) {
  std::vector<std::string> with_json{"--json"};
  with_json.insert(with_json.end(), args.begin(), args.end());
  auto r = node.zwerm(with_json);
  EXPECT_EQ(r.exit_code, 0) << node.name() << ": zwerm " << args[0] << ": " << r.err;
  return r.exit_code == 0 ? json::parse(r.out, nullptr, false) : json(nullptr);
}

std::size_t active_members(const node_harness& node) {
  auto m = node.zwerm_json({"members"});
  if (!m.is_object() || !m["members"].is_array()) return 0;
  std::size_t n = 0;
  for (const auto& row : m["members"]) n += str(row, "status") == "active";
  return n;
}

TEST(CommunityScenario, ThreeMembersConverge) {
  node_harness ada("ada"), bob("bob"), cleo("cleo");
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;

  auto created = ada.zwerm({"--json", "community", "create", "Learning circle", "--purpose",
                            "Learn from each other at work", "--quorum", "50"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ASSERT_TRUE(bob.start(&why)) << why;
  ASSERT_TRUE(cleo.start(&why)) << why;
  const std::string community = str(json::parse(created.out), "community_id");
  ASSERT_FALSE(community.empty()) << created.out;

  // Bob by member id, Cleo by one-time token.
  auto invite_bob = ok_json(ada, {"invite", "--for", bob.member_id(), "--expires", "1d"});
  ASSERT_FALSE(str(invite_bob, "code").empty());
  auto try_join = bob.zwerm({"--json", "join", str(invite_bob, "code")});
  if (try_join.exit_code == 1 &&
      try_join.err.find("not available in this build yet") != std::string::npos) {
    GTEST_SKIP() << "zwermd in this build cannot join over the network yet: " << try_join.err;
  }
  ASSERT_EQ(try_join.exit_code, 0) << try_join.err;
  auto joined_bob = json::parse(try_join.out, nullptr, false);
  ASSERT_TRUE(ok_json(bob, {"status"}).is_object());
  EXPECT_EQ(str(joined_bob, "community_id"), community) << try_join.out;
  auto invite_cleo = ok_json(ada, {"invite", "--expires", "1d"});
  auto joined_cleo = ok_json(cleo, {"join", str(invite_cleo, "code")});
  EXPECT_EQ(str(joined_cleo, "community_id"), community);
  // The token is one-time: redeeming it again is refused.
  EXPECT_EQ(bob.zwerm({"join", str(invite_cleo, "code")}).exit_code, 1);

  for (auto* n : {&ada, &bob, &cleo}) {
    EXPECT_TRUE(eventually([&] { return active_members(*n) == 3; }))
        << n->name() << " does not see three active members";
  }

  ok_json(ada, {"profile", "set", "--name", "Ada", "--skills", "facilitation,python"});
  ok_json(bob, {"profile", "set", "--name", "Bob", "--skills", "retro"});
  ok_json(cleo, {"profile", "set", "--name", "Cleo", "--skills", "onboarding"});

  auto request = ok_json(bob, {"ask", "Who has run a retrospective?", "--tags", "retro"});
  const std::string request_id = str(request, "record_id");
  ASSERT_FALSE(request_id.empty());
  ASSERT_TRUE(eventually([&] {
    return cleo.zwerm({"feed", "--type", "request"}).out.find("retrospective") != std::string::npos;
  }));
  auto contribution =
      ok_json(cleo, {"contribute", "Our retro format", "--body", "Start, stop, continue.",
                     "--answers", request_id.substr(0, 10), "--tags", "retro"});
  const std::string contribution_id = str(contribution, "record_id");
  ASSERT_FALSE(contribution_id.empty());
  ASSERT_TRUE(eventually([&] {
    return bob.zwerm({"thank", contribution_id.substr(0, 10), "--note", "used it"}).exit_code == 0;
  }));

  auto proposal = ok_json(ada, {"propose", "agreement", "We answer requests within a week"});
  const std::string proposal_id = str(proposal, "record_id");
  ASSERT_FALSE(proposal_id.empty());
  ASSERT_TRUE(eventually([&] {
    return bob.zwerm({"endorse", proposal_id.substr(0, 10)}).exit_code == 0;
  }));

  auto circle = ok_json(cleo, {"circle", "open", "Onboarding", "--purpose", "Make joining easy"});
  ASSERT_TRUE(eventually([&] {
    return bob.zwerm({"circle", "join", "Onboarding"}).exit_code == 0;
  }));

  ok_json(cleo, {"leave", "--reason", "moving on, thanks all"});

  // Every node ends with the same members, balance and agreements.
  auto views_of = [](const node_harness& n) {
    return json{{"members", comparable(n.zwerm_json({"members", "--all"}))},
                {"balance", comparable(n.zwerm_json({"balance"}))},
                {"community", comparable(n.zwerm_json({"community", "show"}))}};
  };
  EXPECT_TRUE(eventually([&] {
    auto a = views_of(ada);
    return a == views_of(bob) && a == views_of(cleo) && active_members(ada) == 2;
  })) << "ada:  "
      << views_of(ada).dump() << "\nbob:  " << views_of(bob).dump()
      << "\ncleo: " << views_of(cleo).dump();

  auto shown = ada.zwerm_json({"community", "show"});
  EXPECT_NE(shown.dump().find("We answer requests within a week"), std::string::npos)
      << shown.dump();
  auto balance = ada.zwerm({"balance"});
  EXPECT_NE(balance.out.find("Cleo"), std::string::npos) << balance.out;
}

}  // namespace
}  // namespace zwerm::testing
