// `zwerm community forget` end to end, with real zwermd processes on 127.0.0.1: refused while
// the member is active (with what to do), and after a leave the community's records, state and
// key go from the node, also across a restart; the other member's node is untouched.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/e2e/node_harness.hpp"
#include "tests/e2e/ok_json.hpp"

namespace zwerm::testing {
namespace {

using json = nlohmann::json;

json communities_file(const node_harness& n) {
  std::ifstream in(n.home() / "communities.json");
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str(), nullptr, false, /*ignore_comments=*/true);
}

TEST(CommunityForget, OnlyAfterLeavingAndThenEverythingGoes) {
  node_harness ada("ada"), bob("bob");
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  ASSERT_TRUE(bob.start(&why)) << why;
  ok_json(ada, {"community", "create", "Guild", "--purpose", "forgetting"});
  auto invite = ok_json(ada, {"invite"});
  ok_json(bob, {"join", str(invite, "code")});
  ok_json(bob, {"ask", "from bob"});
  ASSERT_TRUE(eventually([&] { return records_of(ada) == records_of(bob); }));
  const std::int64_t held = records_of(bob);
  ASSERT_GT(held, 0);

  // Active: refused with the reason and what to do; nothing goes.
  auto active = bob.zwerm({"community", "forget", "Guild"});
  EXPECT_EQ(active.exit_code, 1);
  EXPECT_NE(active.err.find("active member"), std::string::npos) << active.err;
  EXPECT_NE(active.err.find("leave it first"), std::string::npos) << active.err;
  EXPECT_EQ(records_of(bob), held);
  // A community the node is not in.
  auto unknown = bob.zwerm({"community", "forget", "Nowhere"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no community named"), std::string::npos) << unknown.err;

  ok_json(bob, {"leave", "--reason", "moving on"});
  auto forgot = ok_json(bob, {"community", "forget", "Guild"});
  EXPECT_EQ(str(forgot, "name"), "Guild");
  EXPECT_GE(forgot.value("records_dropped", 0), held);
  EXPECT_TRUE(ok_json(bob, {"community", "list"}).value("communities", json::array()).empty());
  EXPECT_TRUE(communities_file(bob)["communities"].empty());
  auto members = bob.zwerm({"members"});
  EXPECT_EQ(members.exit_code, 1);
  EXPECT_NE(members.err.find("no community yet"), std::string::npos) << members.err;

  // Gone for good: a restart brings nothing back, and Ada's node is as it was.
  ASSERT_EQ(bob.stop(), std::optional<int>(0));
  ASSERT_TRUE(bob.start(&why)) << why;
  EXPECT_TRUE(ok_json(bob, {"community", "list"}).value("communities", json::array()).empty());
  EXPECT_EQ(records_of(bob), -1);
  EXPECT_GE(records_of(ada), held + 1);  // with Bob's leave
  ok_json(ada, {"ask", "still here"});
}

}  // namespace
}  // namespace zwerm::testing
