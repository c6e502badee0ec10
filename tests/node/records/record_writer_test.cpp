// The writer: compact payloads in the fixed field order, round trips through the parser,
// feeds that chain correctly, and refusals of fields that would break a rule.
#include "node/records/record_writer.hpp"

#include <gtest/gtest.h>

#include "node/records/record_parse.hpp"
#include "record_test_helpers.hpp"

namespace zwerm::node {
namespace {

using test::key_from;

class RecordWriter : public ::testing::Test {
 protected:
  crypto::key_pair key_ = key_from(7);
};

TEST_F(RecordWriter, WritesTheCompactPayloadInTheFixedOrder) {
  record_fields f;
  f.community = test::fake_community(1);
  f.seq = 4;
  f.prev = test::fake_id(2);
  f.lamport = 12;
  f.ts = 1764240000000;
  f.type = "thanks";
  f.body = R"({"contribution":"x","note":"dank je"})";
  auto r = write_record(f, key_);
  ASSERT_TRUE(r.ok()) << r.error().message();
  std::string expected =
      "{\"v\":1,\"community\":\"" + crypto::to_text(test::fake_id(1)) + "\",\"author\":\"" +
      crypto::to_text(key_.pk) + "\",\"seq\":4,\"prev\":\"" + crypto::to_text(test::fake_id(2)) +
      "\",\"lamport\":12,\"ts\":1764240000000,\"type\":\"thanks\",\"body\":" + f.body + "}";
  EXPECT_EQ(r->payload(), expected);
  EXPECT_EQ(r->id, crypto::record_id_of(expected));
  crypto::signature sig;
  ASSERT_TRUE(crypto::signature::from(std::string_view(r->bytes).substr(expected.size()), &sig));
  EXPECT_TRUE(crypto::verify(sig, expected, key_.pk));
}

TEST_F(RecordWriter, RoundTripsThroughTheParser) {
  record_fields f;
  f.community = test::fake_community(3);
  f.seq = 1;
  f.lamport = 1;
  f.ts = 0;
  f.type = "ty\"pe\n\xE2\x82\xAC";  // quotes, control characters and UTF-8 are escaped/kept
  f.body = R"({"n":-9007199254740992,"list":[true,false,null,{"k":"\u00e9"}],"e":{}})";
  auto w = write_record(f, key_);
  ASSERT_TRUE(w.ok()) << w.error().message();
  auto p = parse_record(w->bytes);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->bytes, w->bytes);
  EXPECT_EQ(p->id, w->id);
  EXPECT_EQ(p->community, *f.community);
  EXPECT_EQ(p->author, key_.pk);
  EXPECT_EQ(p->seq, f.seq);
  EXPECT_FALSE(p->prev.has_value());
  EXPECT_EQ(p->lamport, f.lamport);
  EXPECT_EQ(p->ts, f.ts);
  EXPECT_EQ(p->type, f.type);
  EXPECT_EQ(p->body, f.body);
}

TEST_F(RecordWriter, GenesisAndAFeedThatChains) {
  auto genesis = write_genesis(
      R"({"name":"Tuinkring","purpose":"Samen tuinieren","policy":{"invite_by":"member","quorum_pct":50}})",
      1764240000000, key_);
  ASSERT_TRUE(genesis.ok()) << genesis.error().message();
  EXPECT_TRUE(genesis->is_genesis());
  EXPECT_EQ(genesis->community, community_of_genesis(genesis->id));
  EXPECT_EQ(genesis->payload().find("\"community\""), std::string::npos);
  ASSERT_TRUE(parse_record(genesis->bytes).ok());

  feed_writer feed = feed_writer::after_genesis(key_, *genesis);
  std::optional<feed_head> head = head_after(*genesis);
  for (int i = 0; i < 5; ++i) {
    if (i == 2) feed.observe(40);  // a record by someone else with lamport 40 arrived
    feed.observe(1);               // an older one changes nothing
    auto r = feed.append("request", R"({"title":"vraag )" + std::to_string(i) + "\"}",
                         1764240000001 + i);
    ASSERT_TRUE(r.ok()) << r.error().message();
    auto parsed = parse_record(r->bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->community, community_of_genesis(genesis->id));
    EXPECT_EQ(check_chain(*parsed, head).verdict, chain_verdict::next) << i;
    EXPECT_EQ(parsed->seq, static_cast<std::uint64_t>(i + 2));
    EXPECT_EQ(parsed->lamport, i < 2 ? static_cast<std::uint64_t>(i + 2) : 41u + (i - 2));
    head = head_after(*parsed);
  }
  EXPECT_EQ(feed.head()->seq, 6u);
  EXPECT_EQ(feed.max_lamport_seen(), 43u);
}

TEST_F(RecordWriter, AFreshFeedInAnExistingCommunityStartsAtSeqOne) {
  feed_writer feed(key_, test::fake_community(5), std::nullopt, 99);
  auto r = feed.append("member.join", R"({"invite":"x"})", 1);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->seq, 1u);
  EXPECT_FALSE(r->prev.has_value());
  EXPECT_EQ(r->lamport, 100u);
}

TEST_F(RecordWriter, RefusesBodiesTheParserWouldRefuse) {
  feed_writer feed(key_, test::fake_community(5), std::nullopt, 0);
  const char* bad_bodies[] = {
      R"({"a":1.5})",
      R"({"a":1,"a":2})",
      R"({"a": 1})",
      R"([1])",
      R"({"a":1}x)",
      "{\"a\":\"\xC0\xAF\"}",
      R"({"a":1e3})",
      "",
      R"({"a":9007199254740993})",
  };
  for (const char* body : bad_bodies) {
    auto r = feed.append("request", body, 1);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code(), status_code::invalid_argument);
    EXPECT_NE(r.error().message().find("body"), std::string::npos) << r.error().message();
  }
  EXPECT_FALSE(feed.head().has_value()) << "a refused record must not advance the feed";
}

TEST_F(RecordWriter, BodyNestingLimitMatchesTheParsers) {
  // The body is nesting level 2 of the payload; 30 arrays inside it reach the limit of 32.
  feed_writer feed(key_, test::fake_community(5), std::nullopt, 0);
  auto deepest =
      feed.append("request", "{\"a\":" + std::string(30, '[') + std::string(30, ']') + "}", 1);
  ASSERT_TRUE(deepest.ok()) << deepest.error().message();
  EXPECT_TRUE(parse_record(deepest->bytes).ok());
  auto deeper =
      feed.append("request", "{\"a\":" + std::string(31, '[') + std::string(31, ']') + "}", 1);
  ASSERT_FALSE(deeper.ok());
  // Refused by the body check itself, not by the writer's final self-check.
  EXPECT_EQ(deeper.error().message().find("the body is not"), 0u) << deeper.error().message();
  EXPECT_NE(deeper.error().message().find("nesting deeper than 32"), std::string::npos)
      << deeper.error().message();
}

TEST_F(RecordWriter, RefusesFieldsThatBreakARule) {
  record_fields good;
  good.community = test::fake_community(1);
  good.type = "request";
  ASSERT_TRUE(write_record(good, key_).ok());
  auto refuse = [&](record_fields f, const char* why) {
    auto r = write_record(f, key_);
    EXPECT_FALSE(r.ok()) << why;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), status_code::invalid_argument) << why;
    }
  };
  record_fields f = good;
  f.type = "";
  refuse(f, "empty type");
  f = good;
  f.type = "bad\xFF";
  refuse(f, "type not UTF-8");
  f = good;
  f.community.reset();
  refuse(f, "no community");
  f = good;
  f.type = "community.create";
  refuse(f, "genesis with community");
  f = good;
  f.seq = 2;
  refuse(f, "seq 2 without prev");
  f = good;
  f.prev = test::fake_id(3);
  refuse(f, "seq 1 with prev");
  f = good;
  f.seq = 0;
  refuse(f, "seq 0");
  f = good;
  f.lamport = 0;
  refuse(f, "lamport 0");
  f = good;
  f.lamport = (std::uint64_t{1} << 53) + 1;
  refuse(f, "lamport too large");
  f = good;
  f.ts = -1;
  refuse(f, "negative ts");
  f = good;
  f.body = "{\"pad\":\"" + std::string(max_payload_size, 'x') + "\"}";
  refuse(f, "payload over 16 KiB");
}

}  // namespace
}  // namespace zwerm::node
