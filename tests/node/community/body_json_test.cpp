// parse_body_json against its reference (nlohmann's SAX parser, what it replaced): the same
// accept/refuse decision and the same value on hand-picked edge cases and on random texts.
#include "node/community/body_json.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace zwerm::node::community {
namespace {

void expect_same(const std::string& text) {
  const auto ours = parse_body_json(text);
  const auto reference = parse_body_json_reference(text);
  ASSERT_EQ(ours.has_value(), reference.has_value()) << "text: " << text;
  if (ours) {
    EXPECT_TRUE(same_body_value(*ours, *reference)) << "text: " << text;
  }
}

TEST(BodyJson, EdgeCasesAgreeWithTheReference) {
  const std::vector<std::string> cases = {
      // values and structure
      "{}",
      "[]",
      "{\"a\":1}",
      " { \"a\" : [ 1 , 2 , { } ] } ",
      "null",
      "true",
      "false",
      "\"s\"",
      "{\"title\":\"question 12\",\"body\":\"xxxxxxxxxxxx\",\"tags\":[\"bench\"]}",
      "[[[[[[[[[[]]]]]]]]]]",
      "{\"a\":{\"b\":{\"c\":[true,false,null]}}}",
      // numbers
      "0",
      "-0",
      "1",
      "-1",
      "123456789",
      "0.5",
      "-0.5",
      "1e3",
      "1E+3",
      "1e-3",
      "1.5e10",
      "9223372036854775807",
      "9223372036854775808",
      "-9223372036854775808",
      "-9223372036854775809",
      "18446744073709551615",
      "18446744073709551616",
      "123456789012345678901234567890",
      "01",
      "-",
      "1.",
      ".5",
      "1e",
      "1e+",
      "+1",
      "--1",
      "0x1",
      "1.0e",
      "-01",
      "00",
      // strings and escapes
      "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
      "\"\\u0041\\u00e9\\u20ac\"",
      "\"\\ud83d\\ude00\"",
      "\"\\ud83d\"",
      "\"\\ude00\"",
      "\"\\ud83d\\u0041\"",
      "\"\\ud83dx\"",
      "\"\\u12\"",
      "\"\\x\"",
      "\"\\u0000\"",
      "\"a\tb\"",
      "\"a\nb\"",
      "\"\x7f\"",
      "\"\xc3\xa9\"",
      "\"\xe2\x82\xac\"",
      "\"\xf0\x9f\x98\x80\"",
      "\"\xc0\xaf\"",
      "\"\xc1\xbf\"",
      "\"\xe0\x80\xaf\"",
      "\"\xed\xa0\x80\"",
      "\"\xf4\x90\x80\x80\"",
      "\"\xf5\x80\x80\x80\"",
      "\"\x80\"",
      "\"\xc3\"",
      "\"\xe2\x82\"",
      "\"unterminated",
      // objects
      "{\"a\":1,\"a\":2}",
      "{\"a\":1,\"\\u0061\":2}",
      "{\"a\":1,}",
      "{,}",
      "{\"a\"}",
      "{\"a\":}",
      "{a:1}",
      "{\"a\":1 \"b\":2}",
      "[1,]",
      "[,1]",
      "[1 2]",
      "{\"a\":1}}",
      "{\"a\":1} x",
      "",
      " ",
      "{",
      "[",
      "tru",
      "nul",
      "falsey",
      "{\"\":0}",
  };
  for (const auto& c : cases) expect_same(c);
}

TEST(BodyJson, RandomTextsAgreeWithTheReference) {
  // Texts built from JSON's own tokens and a few stray bytes, so that most are near-misses.
  const std::vector<std::string> tokens = {"{",
                                           "}",
                                           "[",
                                           "]",
                                           ",",
                                           ":",
                                           "\"a\"",
                                           "\"b\"",
                                           "\"\\u00e9\"",
                                           "1",
                                           "-2",
                                           "0",
                                           "3.5",
                                           "1e2",
                                           "true",
                                           "false",
                                           "null",
                                           " ",
                                           "\"\\ud83d\\ude00\"",
                                           "\"",
                                           "\\",
                                           "x",
                                           "\xc3\xa9",
                                           "\xff",
                                           "18446744073709551616",
                                           "-9223372036854775809",
                                           "\t"};
  std::mt19937_64 rng(7);
  int accepted = 0;
  for (int i = 0; i < 200'000; ++i) {
    std::string text;
    const int n = 1 + static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) text += tokens[rng() % tokens.size()];
    expect_same(text);
    if (parse_body_json(text)) ++accepted;
    if (HasFailure()) return;
  }
  EXPECT_GT(accepted, 1000);  // the generator reaches valid texts too
}

TEST(BodyJson, StricterThanTheReferenceAboutByteOrderMarksAndNulBytes) {
  // nlohmann skips a leading byte-order mark and ends its input at a NUL byte; neither can
  // occur in a record's body (PROTOCOL.md §2.2), and this parser refuses both.
  for (const std::string& text :
       {std::string("\xEF\xBB\xBF{}"), std::string("{}\0x", 4), std::string("1\0", 2)}) {
    EXPECT_TRUE(parse_body_json_reference(text).has_value());
    EXPECT_FALSE(parse_body_json(text).has_value());
  }
}

TEST(BodyJson, NestingIsBounded) {
  const std::string deep =
      std::string(max_body_json_depth, '[') + std::string(max_body_json_depth, ']');
  EXPECT_TRUE(parse_body_json(deep).has_value());
  EXPECT_FALSE(parse_body_json("[" + deep + "]").has_value());
}

}  // namespace
}  // namespace zwerm::node::community
