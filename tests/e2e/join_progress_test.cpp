// `zwerm join` says what it is doing (issue #15 item 7): through a pipe, one line per step in
// the order the node took them (dialing whom, connected, join written, admitted), the records
// arriving, and the last line names the community joined. Real daemons on 127.0.0.1.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "tests/e2e/node_harness.hpp"
#include "tests/e2e/ok_json.hpp"

namespace zwerm::testing {
namespace {

using json = nlohmann::json;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The index of the first line that starts with `prefix`, or -1.
int find_line(const std::vector<std::string>& lines, const std::string& prefix) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind(prefix, 0) == 0) return static_cast<int>(i);
  }
  return -1;
}

TEST(JoinProgress, ThePipedLinesFollowTheStepsInOrder) {
  node_harness ada{"ada"}, bob{"bob"};
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  ASSERT_TRUE(bob.start(&why)) << why;
  ok_json(ada, {"community", "create", "Makers", "--purpose", "make things together"});
  for (int i = 0; i < 40; ++i) ok_json(ada, {"ask", "question " + std::to_string(i)});
  const std::string code = ok_json(ada, {"invite"})["code"];

  auto r = bob.zwerm({"join", code});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto lines = lines_of(r.out);
  const int dialing = find_line(lines, "dialing ");
  const int connected = find_line(lines, "connected to ");
  const int written = find_line(lines, "join record written");
  const int admitted = find_line(lines, "admitted: the join took effect");
  ASSERT_EQ(dialing, 0) << r.out;
  EXPECT_NE(lines[0].find(ada.listen()), std::string::npos) << r.out;  // whom it dials
  EXPECT_GT(connected, dialing) << r.out;
  EXPECT_GT(written, connected) << r.out;
  EXPECT_GT(admitted, written) << r.out;
  EXPECT_EQ(lines.back(), "joined Makers: 2 active members") << r.out;
  // Records lines, when the join lasted long enough to show any, come between.
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("records: ", 0) != 0) continue;
    EXPECT_GT(static_cast<int>(i), dialing) << r.out;
    EXPECT_LT(i, lines.size() - 1) << r.out;
  }
  // Not a terminal: no carriage returns or escape sequences.
  EXPECT_EQ(r.out.find('\r'), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\033'), std::string::npos) << r.out;

  // The node keeps the steps: status shows the finished attempt.
  const json status = ok_json(bob, {"status"});
  ASSERT_EQ(status["joins"].size(), 1u) << status.dump();
  EXPECT_FALSE(status["joins"][0]["running"].get<bool>());
  EXPECT_EQ(status["joins"][0]["events"].back()["step"], "done");
}

TEST(JoinProgress, AFailedJoinSaysWhyAfterItsSteps) {
  node_harness ada{"ada"}, bob{"bob"};
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  ASSERT_TRUE(bob.start(&why)) << why;
  ok_json(ada, {"community", "create", "Makers", "--purpose", "make things together"});
  const std::string code = ok_json(ada, {"invite"})["code"];
  ada.stop();  // nobody answers at the address in the code
  auto r = bob.zwerm({"join", code});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_FALSE(lines.empty()) << r.err;
  EXPECT_EQ(lines[0].rfind("dialing ", 0), 0u) << r.out;
  EXPECT_NE(r.err.find("could be reached"), std::string::npos) << r.err;
}

// status --watch: the status once, then a line per community whenever its records change.
TEST(JoinProgress, StatusWatchPrintsALineWhenTheRecordsChange) {
  node_harness ada{"ada"};
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  ok_json(ada, {"community", "create", "Makers", "--purpose", "make things together"});
  const std::int64_t before = records_of(ada);
  ASSERT_GT(before, 0);
  temp_dir scratch;
  child_process watch(capture_stdout,
                      {program("zwerm"), "--home", ada.home().string(), "status", "--watch"},
                      scratch.path() / "watch.log");
  auto wait_for = [&](const std::string& line, std::vector<std::string>& seen) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      watch.read_lines(&seen, 100, std::chrono::milliseconds(200));
      for (const auto& l : seen) {
        if (l == line) return true;
      }
    }
    return false;
  };
  std::vector<std::string> seen;
  const std::string first = "Makers: " + std::to_string(before) + " records, up to date";
  ASSERT_TRUE(wait_for(first, seen)) << ::testing::PrintToString(seen);
  EXPECT_NE(std::find(seen.begin(), seen.end(), "listen    " + ada.listen()), seen.end())
      << ::testing::PrintToString(seen);  // the status itself came first
  ok_json(ada, {"ask", "one more"});
  const std::string next = "Makers: " + std::to_string(before + 1) + " records, up to date";
  EXPECT_TRUE(wait_for(next, seen)) << ::testing::PrintToString(seen);
  // Nothing changed: no line repeats.
  EXPECT_EQ(std::count(seen.begin(), seen.end(), first), 1) << ::testing::PrintToString(seen);
}

}  // namespace
}  // namespace zwerm::testing
