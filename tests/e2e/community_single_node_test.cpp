// One member's node through the CLI: a community's records and views, persistence across a
// restart, the watch stream, and the refusals a person meets (self-thanks, unknown ids).
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "tests/e2e/node_harness.hpp"
#include "tests/e2e/ok_json.hpp"

namespace zwerm::testing {
namespace {

using json = nlohmann::json;

// One JSON-RPC line to the node's socket, as any local process could send it; the reply line.
std::string rpc_line(const node_harness& n, const std::string& line) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string path = (n.home() / "zwermd.sock").string();
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {};
  }
  const std::string out = line + "\n";
  if (::write(fd, out.data(), out.size()) != static_cast<ssize_t>(out.size())) {
    ::close(fd);
    return {};
  }
  std::string in;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') in += c;
  ::close(fd);
  return in;
}

TEST(CommunitySingleNode, AnInviteLifetimeBeyondAYearIsRefusedNotOverflowed) {
  node_harness ada("ada");
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  ok_json(ada, {"community", "create", "Overflow", "--purpose", "test"});
  // 2^53 seconds: times 1000 overflowed the expiry into the past (or anywhere).
  auto reply = json::parse(rpc_line(
      ada,
      R"({"jsonrpc":"2.0","id":1,"method":"invite","params":{"expires_s":9007199254740992}})"));
  ASSERT_TRUE(reply.contains("error")) << reply.dump();
  EXPECT_NE(reply["error"]["message"].get<std::string>().find("a year"), std::string::npos)
      << reply.dump();
  auto fine = json::parse(
      rpc_line(ada, R"({"jsonrpc":"2.0","id":2,"method":"invite","params":{"expires_s":86400}})"));
  EXPECT_TRUE(fine.contains("result")) << fine.dump();
}

TEST(CommunitySingleNode, RecordsViewsAndRestart) {
  node_harness ada("ada");
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;

  // Before any community: a clear refusal, not a crash.
  auto none = ada.zwerm({"members"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("community create"), std::string::npos) << none.err;

  auto created = ok_json(ada, {"community", "create", "Learning circle", "--purpose",
                               "Learn from each other at work"});
  const std::string community = created.value("community_id", "");
  ASSERT_EQ(community.size(), 43u) << created.dump();

  auto members = ok_json(ada, {"members"});
  ASSERT_EQ(members["members"].size(), 1u) << members.dump();
  EXPECT_EQ(members["members"][0]["name"], "ada");  // from config.json's name
  EXPECT_EQ(members["members"][0]["status"], "active");
  EXPECT_EQ(members["members"][0]["id"], ada.member_id());

  ok_json(ada, {"profile", "set", "--skills", "facilitation,retro", "--about", "I host retros"});
  auto profile = ok_json(ada, {"profile", "show"});
  EXPECT_EQ(profile["skills"], json::array({"facilitation", "retro"})) << profile.dump();

  auto request = ok_json(ada, {"ask", "Who has run a retrospective?", "--tags", "retro"});
  ASSERT_EQ(request["took_effect"], true);
  const std::string request_id = request["record_id"];
  auto contribution = ok_json(ada, {"contribute", "Our retro format", "--body", "Start, stop.",
                                    "--answers", request_id.substr(0, 8), "--tags", "retro"});
  ASSERT_EQ(contribution["took_effect"], true);

  auto answered = ok_json(ada, {"requests", "--state", "answered"});
  ASSERT_EQ(answered["requests"].size(), 1u) << answered.dump();

  auto feed = ada.zwerm({"feed"});
  EXPECT_EQ(feed.exit_code, 0);
  EXPECT_NE(feed.out.find("Our retro format"), std::string::npos) << feed.out;
  EXPECT_NE(feed.out.find("just now"), std::string::npos) << feed.out;

  auto who = ok_json(ada, {"who-knows", "retro"});
  EXPECT_NE(who.dump().find(ada.member_id()), std::string::npos) << who.dump();

  // Refusals with reasons.
  auto self_thanks =
      ada.zwerm({"thank", contribution["record_id"].get<std::string>().substr(0, 8)});
  EXPECT_EQ(self_thanks.exit_code, 1);
  EXPECT_NE(self_thanks.err.find("thank themselves"), std::string::npos) << self_thanks.err;
  auto unknown = ada.zwerm({"thank", "zzzzzzzz"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no contribution"), std::string::npos) << unknown.err;
  // One id in 64 starts with '-': it reaches the node as an id, not as an unknown option.
  auto dash = ada.zwerm({"thank", "-zzzzzzz", "--note", "x"});
  EXPECT_EQ(dash.exit_code, 1) << dash.err;
  EXPECT_NE(dash.err.find("no contribution"), std::string::npos) << dash.err;
  auto nobody = ada.zwerm({"feed", "--author", "Nobody"});
  EXPECT_EQ(nobody.exit_code, 2);
  EXPECT_NE(nobody.err.find("'Nobody'"), std::string::npos) << nobody.err;

  // A proposal in a community of one is adopted by its proposer alone (1 > 50 % of 1).
  auto proposal = ok_json(ada, {"propose", "agreement", "We answer requests within a week"});
  ASSERT_EQ(proposal["took_effect"], true);
  auto shown = ok_json(ada, {"community", "show"});
  EXPECT_NE(shown.dump().find("We answer requests within a week"), std::string::npos)
      << shown.dump();
  // A record the rules would give no effect is refused before it is written, with the reason.
  const std::size_t feed_before = ok_json(ada, {"feed"})["entries"].size();
  auto again = ada.zwerm({"endorse", proposal["record_id"].get<std::string>().substr(0, 8)});
  EXPECT_EQ(again.exit_code, 1) << again.out;
  EXPECT_NE(again.err.find("it would have no effect: the proposal was adopted already"),
            std::string::npos)
      << again.err;
  EXPECT_EQ(ok_json(ada, {"feed"})["entries"].size(), feed_before);

  // An invite code that is valid, but cannot be redeemed by this build's network yet.
  auto invite = ok_json(ada, {"invite", "--expires", "1d"});
  const std::string code = invite.value("code", "");
  EXPECT_EQ(code.rfind("zw1-", 0), 0u) << invite.dump();

  // Everything survives a restart: the store keeps the log and the views are replayed.
  const std::string before = ada.zwerm({"--json", "members"}).out;
  ASSERT_EQ(ada.stop(), 0);
  ASSERT_TRUE(ada.start(&why)) << why;
  EXPECT_EQ(ada.zwerm({"--json", "members"}).out, before);
  auto status = ok_json(ada, {"status"});
  ASSERT_EQ(status["communities"].size(), 1u) << status.dump();
  EXPECT_EQ(status["communities"][0]["id"], community);
}

TEST(CommunitySingleNode, WatchStreamsNewRecordsUntilStopped) {
  node_harness ada("ada");
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  ok_json(ada, {"community", "create", "Watchers", "--purpose", "see records arrive"});
  temp_dir scratch("zw-watch");
  child_process watch({program("zwerm"), "--home", ada.home().string(), "--json", "watch"},
                      scratch.path() / "watch.log");
  // The watch call is answered before records are written; give it a moment to subscribe.
  bool seen = false;
  for (int i = 0; i < 100 && !seen; ++i) {
    ok_json(ada, {"ask", "Is anyone watching? " + std::to_string(i)});
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    seen = read_file(scratch.path() / "watch.log").find("watch.record") != std::string::npos;
  }
  ASSERT_TRUE(seen) << read_file(scratch.path() / "watch.log");
  auto line = read_file(scratch.path() / "watch.log");
  auto first = json::parse(line.substr(0, line.find('\n')), nullptr, false);
  EXPECT_EQ(first["method"], "watch.record");
  EXPECT_EQ(first["params"]["type"], "request");
  EXPECT_EQ(first["params"]["author"], ada.member_id());
  EXPECT_TRUE(watch.running());
  // When the node stops, the stream ends and zwerm watch exits.
  ASSERT_EQ(ada.stop(), 0);
  EXPECT_EQ(watch.wait_exit(std::chrono::seconds(5)), 0);
}

}  // namespace
}  // namespace zwerm::testing
