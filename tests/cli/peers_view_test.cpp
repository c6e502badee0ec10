// zwerm peers for people: the "why" of every address that is not connected, from the facts the
// node sends (state, until_ts, reason, banned_by, never_tried).
#include "cli/peers_view.hpp"

#include <gtest/gtest.h>

#include "cli/render.hpp"

namespace zwerm::cli {
namespace {

using json = nlohmann::json;
// 2027-01-15 08:00:00 UTC.
constexpr std::int64_t now = 1'800'000'000'000 - (1'800'000'000'000 % 86'400'000) + 8 * 3'600'000;

TEST(PeerWhy, SaysWhyInWordsFromTheNodesFacts) {
  EXPECT_EQ(peer_why(json{{"state", "connected"}}, now), "");
  EXPECT_EQ(peer_why(json{{"state", "banned"},
                          {"banned_by", "node"},
                          {"until_ts", now + 65 * 60'000},
                          {"reason", "sent a bad record"}},
                     now),
            "banned until 09:05 UTC (sent a bad record)");
  EXPECT_EQ(peer_why(json{{"state", "banned"},
                          {"banned_by", "operator"},
                          {"until_ts", now + 3 * 86'400'000LL},
                          {"reason", "banned by the operator"}},
                     now),
            "banned by the operator until 2027-01-18 08:00 UTC");
  EXPECT_EQ(
      peer_why(
          json{{"state", "backoff"}, {"until_ts", now + 120'000}, {"reason", "Connection refused"}},
          now),
      "backing off, next try in 2 min (Connection refused)");
  EXPECT_EQ(peer_why(json{{"state", "backoff"}, {"until_ts", now + 3'500}}, now),
            "backing off, next try in 4 s");
  EXPECT_EQ(peer_why(json{{"state", "ready"}, {"never_tried", true}}, now), "never tried");
  EXPECT_EQ(peer_why(json{{"state", "not_member"}}, now), "not a member");
  EXPECT_EQ(peer_why(json{{"state", "dialing"}}, now), "dialing");
  EXPECT_EQ(peer_why(json{{"state", "no_key"}}, now), "no member key known for it yet");
  EXPECT_EQ(peer_why(json{{"state", "self"}}, now), "this node itself");
}

TEST(PeerWhy, MalformedFactsNeitherThrowNorInventAReason) {
  EXPECT_EQ(peer_why(json::object(), now), "");
  EXPECT_EQ(peer_why(json{{"state", "banned"}, {"until_ts", "soon"}, {"reason", 7}}, now),
            "banned");
  EXPECT_EQ(peer_why(json{{"state", "something new"}, {"reason", "x"}}, now), "something new (x)");
}

TEST(PeersForPeople, FoldsTheFactsIntoOneWhyColumn) {
  json r{{"community", "c"},
         {"connections", json::array()},
         {"known", json::array({json{{"endpoint", "10.0.0.1:7411"},
                                     {"state", "backoff"},
                                     {"until_ts", now + 120'000},
                                     {"reason", "Connection refused"},
                                     {"failures", 3}},
                                json{{"endpoint", "10.0.0.2:7411"},
                                     {"state", "ready"},
                                     {"never_tried", true},
                                     {"failures", 0}}})},
         {"bans", json::array({json{{"address", "192.0.2.7"},
                                    {"since_ts", now - 60'000},
                                    {"until_ts", now + 3'600'000}}})}};
  const json out = peers_for_people(r, now);
  for (const auto& row : out["known"]) {
    EXPECT_FALSE(row.contains("until_ts"));
    EXPECT_FALSE(row.contains("reason"));
    EXPECT_FALSE(row.contains("never_tried"));
  }
  const std::string text = render_generic(out, now, 200);
  EXPECT_NE(text.find("backing off, next try in 2 min (Connection refused)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("never tried"), std::string::npos) << text;
  EXPECT_NE(text.find("192.0.2.7"), std::string::npos) << "the banned address shows: " << text;
}

}  // namespace
}  // namespace zwerm::cli
