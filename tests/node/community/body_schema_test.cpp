// Body schemas (PROTOCOL.md §3.2): exact field sets, types, bounds, UTF-8 texts, ids.
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/base64url.hpp"
#include "node/community/body_schema.hpp"

namespace zwerm::node::community {
namespace {

using nlohmann::json;

const std::string an_id = crypto::base64url_encode(std::string(32, '\x11'));

status check(std::string_view type, const json& body) {
  auto r = parse_body(kind_of(type), body.dump());
  return r.ok() ? status{} : r.error();
}

json valid(std::string_view type) {
  if (type == "community.create") {
    return {{"name", "Makers"},
            {"purpose", "p"},
            {"policy", {{"invite_by", "member"}, {"quorum_pct", 50}}}};
  }
  if (type == "member.invite") return {{"invitee", an_id}, {"note", ""}, {"expires_ts", 5}};
  if (type == "member.join") return {{"invite", an_id}};
  if (type == "member.leave") return {{"reason", ""}};
  if (type == "profile") {
    return {{"name", "Ann"}, {"about", ""}, {"skills", {"a"}}, {"address", "h.example:1"}};
  }
  if (type == "request") return {{"title", "t"}, {"body", ""}, {"tags", json::array()}};
  if (type == "contribution") {
    return {{"kind", "help"},        {"title", "t"},       {"body", ""},
            {"tags", json::array()}, {"answers", nullptr}, {"circle", an_id}};
  }
  if (type == "thanks") return {{"contribution", an_id}, {"note", ""}};
  if (type == "proposal") return {{"action", "remove"}, {"member", an_id}, {"reason", ""}};
  if (type == "endorse") return {{"proposal", an_id}};
  if (type == "steward.handover") return {{"to", an_id}};
  if (type == "circle.open") return {{"name", "c"}, {"purpose", ""}};
  return {{"circle", an_id}};  // circle.join / leave / close
}

const char* all_types[] = {"community.create", "member.invite", "member.join",      "member.leave",
                           "profile",          "request",       "contribution",     "thanks",
                           "proposal",         "endorse",       "steward.handover", "circle.open",
                           "circle.join",      "circle.leave",  "circle.close"};

TEST(BodySchema, EveryTypeAcceptsItsValidBodyAndRefusesUnknownAndMissingFields) {
  for (const char* type : all_types) {
    SCOPED_TRACE(type);
    json body = valid(type);
    EXPECT_TRUE(check(type, body).ok()) << check(type, body).message();
    json extra = body;
    extra["surprise"] = 1;
    status s = check(type, extra);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("unknown field \"surprise\""), std::string::npos) << s.message();
    for (auto it = body.begin(); it != body.end(); ++it) {
      json missing = body;
      missing.erase(it.key());
      EXPECT_FALSE(check(type, missing).ok()) << "without " << it.key();
    }
    EXPECT_FALSE(parse_body(kind_of(type), "[]").ok());
  }
}

TEST(BodySchema, UnknownTypeIsNotASchema) {
  EXPECT_EQ(kind_of("poll.create"), record_kind::unknown);
  EXPECT_FALSE(parse_body(record_kind::unknown, "{}").ok());
}

TEST(BodySchema, TextBoundsAreBytes) {
  json b = valid("profile");
  b["name"] = std::string(64, 'n');
  EXPECT_TRUE(check("profile", b).ok());
  b["name"] = std::string(65, 'n');
  EXPECT_NE(check("profile", b).message().find("longer than 64 bytes"), std::string::npos);
  b["name"] = "";
  EXPECT_FALSE(check("profile", b).ok());
  json r = valid("request");
  r["title"] = std::string(201, 't');
  EXPECT_FALSE(check("request", r).ok());
  r["title"] = "t";
  r["body"] = std::string(8192, 'b');
  EXPECT_TRUE(check("request", r).ok());
  r["body"] = std::string(8193, 'b');
  EXPECT_FALSE(check("request", r).ok());
  r["body"] = "line one\nline two\ttab";
  EXPECT_TRUE(check("request", r).ok());
  r["title"] = "a\nb";  // single-line field
  EXPECT_NE(check("request", r).message().find("control character"), std::string::npos);
}

TEST(BodySchema, TagsAreBoundedAndDistinct) {
  json r = valid("request");
  json tags = json::array();
  for (int i = 0; i < 16; ++i) tags.push_back("t" + std::to_string(i));
  r["tags"] = tags;
  EXPECT_TRUE(check("request", r).ok());
  tags.push_back("t16");
  r["tags"] = tags;
  EXPECT_FALSE(check("request", r).ok());
  r["tags"] = {std::string(33, 'x')};
  EXPECT_FALSE(check("request", r).ok());
  r["tags"] = {"Rust", "rust"};
  EXPECT_FALSE(check("request", r).ok());
  r["tags"] = {1};
  EXPECT_FALSE(check("request", r).ok());
  r["tags"] = {""};
  EXPECT_FALSE(check("request", r).ok());
}

TEST(BodySchema, InvitesNameExactlyOneOfInviteeAndTokenHash) {
  json both = valid("member.invite");
  both["token_hash"] = an_id;
  EXPECT_FALSE(check("member.invite", both).ok());
  json neither = valid("member.invite");
  neither.erase("invitee");
  EXPECT_FALSE(check("member.invite", neither).ok());
  json token = neither;
  token["token_hash"] = an_id;
  auto parsed = parse_body(record_kind::member_invite, token.dump());
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(std::get<invite_body>(parsed.value()).token_hash.has_value());
  json negative = valid("member.invite");
  negative["expires_ts"] = -1;
  EXPECT_FALSE(check("member.invite", negative).ok());
  negative["expires_ts"] = 1.5;
  EXPECT_FALSE(check("member.invite", negative).ok());
}

TEST(BodySchema, IdsAre43CharactersOfBase64url) {
  json j = valid("member.join");
  j["invite"] = an_id.substr(1);
  EXPECT_FALSE(check("member.join", j).ok());
  j["invite"] = an_id + "A";
  EXPECT_FALSE(check("member.join", j).ok());
  j["invite"] = std::string(43, '+');
  EXPECT_FALSE(check("member.join", j).ok());
  j["invite"] = an_id;
  j["token"] = crypto::base64url_encode(std::string(31, 't'));  // tokens are 32 bytes
  EXPECT_FALSE(check("member.join", j).ok());
  j["token"] = crypto::base64url_encode(std::string(32, 't'));
  EXPECT_TRUE(check("member.join", j).ok());
}

TEST(BodySchema, PolicyAndEnumerations) {
  json c = valid("community.create");
  c["policy"]["quorum_pct"] = 100;
  EXPECT_FALSE(check("community.create", c).ok());
  c["policy"]["quorum_pct"] = 0;
  EXPECT_TRUE(check("community.create", c).ok());
  c["policy"]["invite_by"] = "anyone";
  EXPECT_FALSE(check("community.create", c).ok());
  c["policy"] = {{"invite_by", "steward"}, {"quorum_pct", 10}, {"x", 1}};
  EXPECT_FALSE(check("community.create", c).ok());
  json k = valid("contribution");
  k["kind"] = "gift";
  EXPECT_FALSE(check("contribution", k).ok());
}

TEST(BodySchema, ProposalFieldsDependOnTheAction) {
  EXPECT_TRUE(check("proposal", {{"action", "dissolve"}, {"reason", ""}}).ok());
  EXPECT_FALSE(check("proposal", {{"action", "dissolve"}, {"reason", ""}, {"text", "x"}}).ok());
  EXPECT_TRUE(
      check("proposal",
            {{"action", "agreement"}, {"text", "x"}, {"supersedes", nullptr}, {"reason", ""}})
          .ok());
  EXPECT_FALSE(check("proposal", {{"action", "agreement"}, {"text", "x"}, {"reason", ""}}).ok());
  EXPECT_TRUE(check("proposal", {{"action", "purpose"}, {"text", "x"}, {"reason", ""}}).ok());
  EXPECT_FALSE(check("proposal", {{"action", "purpose"}, {"text", ""}, {"reason", ""}}).ok());
  EXPECT_FALSE(check("proposal", {{"action", "vote"}, {"reason", ""}}).ok());
}

TEST(BodySchema, AddressesAreHostPortOrNull) {
  json p = valid("profile");
  for (const char* ok : {"node.example:7000", "10.0.0.1:1", "[::1]:65535", "a-b.c:80"}) {
    p["address"] = ok;
    EXPECT_TRUE(check("profile", p).ok()) << ok;
  }
  for (const char* bad : {"node.example", "node:0", "node:65536", "node:07", ":80", "no de:1",
                          "[]:80", "host:port"}) {
    p["address"] = bad;
    EXPECT_FALSE(check("profile", p).ok()) << bad;
  }
  p["address"] = nullptr;
  EXPECT_TRUE(check("profile", p).ok());
}

TEST(BodySchema, ControlCharactersEscapedInJsonAreRefused) {
  json p = valid("profile");
  p["name"] = std::string("a\x01", 2);
  EXPECT_FALSE(check("profile", p).ok());
  EXPECT_FALSE(parse_body(record_kind::profile, "{not json").ok());
}

}  // namespace
}  // namespace zwerm::node::community

namespace zwerm::node::community {
namespace {

TEST(BodySchema, DuplicateKeysFloatsAndBrokenJsonAreRefused) {
  EXPECT_TRUE(parse_body(record_kind::member_leave, R"({"reason":"a"})").ok());
  EXPECT_FALSE(parse_body(record_kind::member_leave, R"({"reason":"a","reason":"b"})").ok());
  EXPECT_FALSE(parse_body(record_kind::member_leave, R"({"reason":"a"} x)").ok());
  EXPECT_FALSE(parse_body(record_kind::member_leave, "{\"reason\":\"\xff\"}").ok());
  EXPECT_FALSE(
      parse_body(
          record_kind::member_invite,
          R"({"invitee":"ERERERERERERERERERERERERERERERERERERERERERE","note":"","expires_ts":1.0})")
          .ok());
  EXPECT_FALSE(parse_body(record_kind::member_leave, "").ok());
}

}  // namespace
}  // namespace zwerm::node::community

namespace zwerm::node::community {
namespace {

// Mutated bodies (bytes flipped, inserted, removed) never crash the schema check; it either
// accepts a still-valid body or refuses it with a sentence.
TEST(BodySchema, MutatedBodiesAreRefusedOrAcceptedNeverCrash) {
  std::mt19937_64 rng(99);
  int refused = 0;
  for (const char* type : all_types) {
    std::string base = valid(type).dump();
    for (int i = 0; i < 300; ++i) {
      std::string b = base;
      std::size_t at = std::uniform_int_distribution<std::size_t>(0, b.size() - 1)(rng);
      switch (i % 3) {
        case 0:
          b[at] = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
          break;
        case 1:
          b.insert(at, 1, "{}[]\",:0\\"[i % 9]);
          break;
        default:
          b.erase(at, 1);
      }
      auto r = parse_body(kind_of(type), b);
      if (!r.ok()) {
        ++refused;
        EXPECT_FALSE(r.error().message().empty());
      }
    }
  }
  EXPECT_GT(refused, 1000);
}

}  // namespace
}  // namespace zwerm::node::community
