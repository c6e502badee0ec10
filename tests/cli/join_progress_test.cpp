#include "cli/join_progress.hpp"

#include <gtest/gtest.h>

namespace zwerm::cli {
namespace {

using json = nlohmann::json;
const std::string cid = "C0mmunity111111111111111111111111111111111A";

json event(const char* step, const char* text) {
  return json{{"ts", 1}, {"step", step}, {"text", text}};
}

json status_with(json events, bool running, std::int64_t records, std::int64_t behind) {
  return json{
      {"joins", json::array({json{{"community", cid}, {"running", running}, {"events", events}}})},
      {"communities", json::array({json{{"id", cid}, {"name", "Makers"}, {"records", records}}})},
      {"lag", json::array({json{{"community", "Makers"}, {"behind", behind}}})}};
}

TEST(JoinProgressView, PipedStepsAreLinesOnceEachThenRecordsWithRateAndEstimate) {
  join_progress_view v(false);
  json events = json::array({event("dialing", "dialing 127.0.0.1:7411")});
  EXPECT_EQ(v.on_status(status_with(events, true, 0, 0), 1000),
            "dialing 127.0.0.1:7411\n");  // no records yet: no records line
  events.push_back(event("connected", "connected to 1 member node"));
  EXPECT_EQ(v.on_status(status_with(events, true, 100, 900), 1500),
            "connected to 1 member node\nrecords: 100 received, 200/s, about 5 s left\n");
  // Through a pipe, records come at most once a second.
  EXPECT_EQ(v.on_status(status_with(events, true, 200, 800), 2000), "");
  EXPECT_EQ(v.on_status(status_with(events, true, 300, 700), 2600),
            "records: 300 received, 188/s, about 4 s left\n");
  events.push_back(event("admitted", "admitted: the join took effect"));
  events.push_back(event("done", "joined Makers"));
  // The answer brings the steps the polls missed; "done" becomes the last line.
  EXPECT_EQ(
      v.on_result(json{
          {"community_id", cid}, {"name", "Makers"}, {"active_members", 2}, {"events", events}}),
      "admitted: the join took effect\njoined Makers: 2 active members\n");
}

TEST(JoinProgressView, OnATerminalOneLineIsRewritten) {
  join_progress_view v(true);
  json events = json::array({event("dialing", "dialing a:1")});
  EXPECT_EQ(v.on_status(status_with(events, true, 5, 0), 0),
            "\r\033[Kdialing a:1\r\033[Krecords: 5 received");
  EXPECT_EQ(v.interrupt(), "\n");
  EXPECT_EQ(v.interrupt(), "");
}

TEST(JoinProgressView, AnAttemptNotRunningIsNotFollowedAndAnswersStandAlone) {
  join_progress_view v(false);
  EXPECT_EQ(v.on_status(status_with(json::array({event("done", "joined Old")}), false, 5, 0), 0),
            "");
  EXPECT_EQ(v.on_result(json{{"community_id", cid},
                             {"name", "Makers"},
                             {"active_members", 3},
                             {"events", json::array({event("dialing", "dialing b:2"),
                                                     event("done", "joined Makers")})}}),
            "dialing b:2\njoined Makers: 3 active members\n");
}

TEST(CatchUpView, ALineWhenSomethingChangedWithRateAndTimeLeft) {
  catch_up_view v(false);
  EXPECT_EQ(v.on_status(status_with(json::array(), false, 100, 900), 0),
            "Makers: 100 records, 900 to come\n");
  EXPECT_EQ(v.on_status(status_with(json::array(), false, 100, 900), 500), "");  // no change
  EXPECT_EQ(v.on_status(status_with(json::array(), false, 600, 400), 1000),
            "Makers: 600 records, 400 to come, 500/s, about 1 s left\n");
  EXPECT_EQ(v.on_status(status_with(json::array(), false, 1000, 0), 2000),
            "Makers: 1000 records, up to date\n");
  catch_up_view tty(true);
  EXPECT_EQ(tty.on_status(status_with(json::array(), false, 1, 0), 0),
            "\r\033[KMakers: 1 records, up to date");
}

}  // namespace
}  // namespace zwerm::cli
