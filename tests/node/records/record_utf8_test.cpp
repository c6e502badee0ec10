// Strings in payloads: UTF-8 validity (raw bytes) and escapes, in keys, header fields and body.
#include <gtest/gtest.h>

#include "node/records/record_parse.hpp"
#include "record_test_helpers.hpp"

namespace zwerm::node {
namespace {

using test::key_from;
using test::payload_parts;
using test::sign_payload;

class RecordStrings : public ::testing::Test {
 protected:
  crypto::key_pair key_ = key_from(2);

  record_result<record> with_body_string(std::string_view raw_json_string_content) {
    payload_parts p = payload_parts::make(key_);
    p.body = "{\"note\":\"" + std::string(raw_json_string_content) + "\"}";
    return parse_record(sign_payload(p.str(), key_));
  }
  record_result<record> with_type(std::string_view raw_json_string_content) {
    payload_parts p = payload_parts::make(key_);
    p.type = "\"" + std::string(raw_json_string_content) + "\"";
    return parse_record(sign_payload(p.str(), key_));
  }
};

struct bad_utf8 {
  const char* name;
  std::string bytes;
  const char* says;  // part of the message
};

TEST_F(RecordStrings, InvalidUtf8OfEveryKindIsRefused) {
  const bad_utf8 cases[] = {
      {"overlong two-byte slash", "\xC0\xAF", "overlong"},
      {"overlong two-byte C1", "\xC1\xBF", "overlong"},
      {"overlong three-byte", "\xE0\x80\xAF", "overlong"},
      {"overlong four-byte", "\xF0\x80\x80\xAF", "overlong"},
      {"encoded high surrogate", "\xED\xA0\x80", "surrogate"},
      {"encoded low surrogate", "\xED\xBF\xBF", "surrogate"},
      {"above U+10FFFF", "\xF4\x90\x80\x80", "U+10FFFF"},
      {"lead byte F5", "\xF5\x80\x80\x80", "never appears"},
      {"byte FF", "\xFF", "never appears"},
      {"stray continuation", "\x80", "continuation"},
      {"truncated three-byte", "\xE2\x82", "truncated"},
      {"truncated four-byte at the end of the string", "\xF0\x9F\x98", "truncated"},
      {"lead byte followed by ASCII", "\xC3(", "truncated"},
  };
  for (const bad_utf8& c : cases) {
    auto r = with_body_string("ok " + c.bytes + " ok");
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.reason(), reject_reason::invalid_utf8) << c.name << ": " << r.error().message;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos)
        << c.name << ": " << r.error().message;
    // The same bytes in a key and in the type are refused too.
    payload_parts p = payload_parts::make(key_);
    p.body = "{\"" + c.bytes + "\":1}";
    EXPECT_EQ(parse_record(sign_payload(p.str(), key_)).reason(), reject_reason::invalid_utf8)
        << c.name;
    EXPECT_EQ(with_type(c.bytes).reason(), reject_reason::invalid_utf8) << c.name;
  }
}

TEST_F(RecordStrings, ValidUtf8AtEveryLengthAndBoundaryIsAccepted) {
  const std::string fine[] = {
      "\xC2\x80",          // U+0080, smallest two-byte
      "\xDF\xBF",          // U+07FF
      "\xE0\xA0\x80",      // U+0800, smallest three-byte
      "\xED\x9F\xBF",      // U+D7FF, just below the surrogates
      "\xEE\x80\x80",      // U+E000, just above them
      "\xEF\xBF\xBF",      // U+FFFF
      "\xF0\x90\x80\x80",  // U+10000, smallest four-byte
      "\xF4\x8F\xBF\xBF",  // U+10FFFF, the largest
      "Zwerm \xE2\x80\x94 samen leren \xF0\x9F\x90\x9D",
  };
  for (const std::string& s : fine) {
    auto r = with_type(s);
    ASSERT_TRUE(r.ok()) << crypto::to_hex(std::string_view(s)) << ": " << r.error().message;
    EXPECT_EQ(r->type, s);
  }
}

TEST_F(RecordStrings, EscapesAreDecodedIncludingSurrogatePairs) {
  auto r = with_type(R"(a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20AC\ud83d\ude00)");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->type, "a\"b\\c/d\b\f\n\r\tA\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  // U+0000 is a valid escape.
  auto nul = with_type(R"(x\u0000y)");
  ASSERT_TRUE(nul.ok()) << nul.error().message;
  EXPECT_EQ(nul->type, std::string("x\0y", 3));
  // The body keeps its escapes as written.
  auto body = with_body_string(R"(\ud83d\ude00)");
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->body, R"({"note":"\ud83d\ude00"})");
}

TEST_F(RecordStrings, BrokenEscapesAreRefused) {
  const char* cases[] = {
      R"(\ud800)",        // lone high surrogate
      R"(\ud800x)",       // high surrogate followed by a plain character
      R"(\ud800\u0041)",  // high surrogate followed by a non-surrogate escape
      R"(\ud800\ud800)",  // two high surrogates
      R"(\udc00)",        // lone low surrogate
      R"(\ude00\ud83d)",  // a pair in the wrong order
      R"(\u12)",          // too few hex digits
      R"(\u12G4)",        // not hex
      R"(\x41)",          // not a JSON escape
      R"(\')",            // not a JSON escape
      R"(\U0041)",        // escapes are case-sensitive
  };
  for (const char* c : cases) {
    auto r = with_body_string(c);
    ASSERT_FALSE(r.ok()) << c;
    EXPECT_EQ(r.reason(), reject_reason::invalid_escape) << c << ": " << r.error().message;
  }
}

TEST_F(RecordStrings, RawControlCharactersAreRefused) {
  for (char c : {'\0', '\n', '\t', '\x1f'}) {
    auto r = with_body_string(std::string("a") + c + "b");
    ASSERT_FALSE(r.ok()) << int(c);
    EXPECT_EQ(r.reason(), reject_reason::control_character) << int(c);
  }
  // DEL (0x7f) is not a control character in JSON.
  EXPECT_TRUE(with_body_string("a\x7f"
                               "b")
                  .ok());
}

}  // namespace
}  // namespace zwerm::node
