// parse_record: every rule of PROTOCOL.md §2.4 that refuses bytes, one test each, plus the
// flipped-bit sweep over a real record.
#include "node/records/record_parse.hpp"

#include <gtest/gtest.h>

#include <set>

#include "node/records/record_writer.hpp"
#include "record_test_helpers.hpp"

namespace zwerm::node {
namespace {

using test::key_from;
using test::payload_parts;
using test::sign_payload;

class RecordParse : public ::testing::Test {
 protected:
  crypto::key_pair key_ = key_from(1);

  // Signs `payload` with the test key and parses it.
  record_result<record> parse_signed(std::string_view payload) {
    return parse_record(sign_payload(payload, key_));
  }
  // Expects the payload to be refused for `reason`; returns the message.
  std::string refused(std::string_view payload, reject_reason reason) {
    auto r = parse_signed(payload);
    EXPECT_FALSE(r.ok()) << "accepted: " << payload;
    if (r.ok()) return {};
    EXPECT_EQ(to_string(r.reason()), to_string(reason)) << r.error().message << "\n  " << payload;
    EXPECT_FALSE(r.error().message.empty());
    return r.error().message;
  }
  payload_parts parts() const { return payload_parts::make(key_); }
};

TEST_F(RecordParse, AcceptsAWellFormedRecordAndFillsEveryField) {
  payload_parts p = parts();
  std::string payload = p.str();
  auto r = parse_signed(payload);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->payload(), payload);
  EXPECT_EQ(r->bytes.size(), payload.size() + 64);
  EXPECT_EQ(r->id, crypto::record_id_of(payload));
  EXPECT_EQ(r->community, test::fake_community(1));
  EXPECT_EQ(r->author, key_.pk);
  EXPECT_EQ(r->seq, 2u);
  ASSERT_TRUE(r->prev.has_value());
  EXPECT_EQ(*r->prev, test::fake_id(2));
  EXPECT_EQ(r->lamport, 5u);
  EXPECT_EQ(r->ts, 1764240000000);
  EXPECT_EQ(r->type, "request");
  EXPECT_EQ(r->body, p.body);
  EXPECT_FALSE(r->is_genesis());
}

TEST_F(RecordParse, EveryFlippedBitOfARealRecordIsRejected) {
  // A realistic record of about 300 bytes, made by the writer.
  record_fields f;
  f.community = test::fake_community(3);
  f.seq = 7;
  f.prev = test::fake_id(4);
  f.lamport = 42;
  f.ts = 1764240000123;
  f.type = "contribution";
  f.body =
      R"({"kind":"knowledge","title":"Snoeien in de herfst","body":"Zo doe je dat.","tags":["tuin"]})";
  auto written = write_record(f, key_);
  ASSERT_TRUE(written.ok()) << written.error().message();
  const std::string good = written->bytes;
  ASSERT_TRUE(parse_record(good).ok());
  std::set<std::string> reasons;
  for (std::size_t bit = 0; bit < good.size() * 8; ++bit) {
    std::string bad = good;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    auto r = parse_record(bad);
    ASSERT_FALSE(r.ok()) << "a record with bit " << bit << " flipped was accepted";
    reasons.insert(std::string(to_string(r.reason())));
  }
  // Flips in the signature, in strings and in digits all end up at the signature check, but
  // many flips break the format first: both kinds must occur.
  EXPECT_TRUE(reasons.count("bad_signature"));
  EXPECT_GT(reasons.size(), 3u);
}

TEST_F(RecordParse, RefusesABadSignatureAndAnotherAuthorsSignature) {
  std::string payload = parts().str();
  std::string bytes = sign_payload(payload, key_from(9));  // signed by someone else
  auto r = parse_record(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.reason(), reject_reason::bad_signature);
  // With the check skipped (own store), the same bytes parse.
  EXPECT_TRUE(parse_record(bytes, signature_check::skip).ok());
}

TEST_F(RecordParse, DuplicateTopLevelKeyIsNamedWithItsOffset) {
  payload_parts p = parts();
  std::string payload = p.str();
  payload.insert(payload.size() - 1, ",\"seq\":3");
  std::size_t at = payload.rfind("\"seq\"");
  EXPECT_EQ(refused(payload, reject_reason::duplicate_key),
            "duplicate key \"seq\" at byte " + std::to_string(at));
}

TEST_F(RecordParse, DuplicateKeysNestedInTheBodyAreRefused) {
  payload_parts p = parts();
  p.body = R"({"title":"a","tags":["x"],"title":"b"})";
  refused(p.str(), reject_reason::duplicate_key);
  p.body = R"({"a":{"b":1,"c":[{"d":1,"d":2}]}})";
  refused(p.str(), reject_reason::duplicate_key);
  // The same key in different objects is fine.
  p.body = R"({"a":{"d":1},"b":{"d":1},"d":[{"d":1},{"d":2}]})";
  EXPECT_TRUE(parse_signed(p.str()).ok());
}

TEST_F(RecordParse, DuplicateKeysAreComparedAfterUnescaping) {
  payload_parts p = parts();
  p.body = R"({"title":"a","\u0074itle":"b"})";
  refused(p.str(), reject_reason::duplicate_key);
  // An escaped header key is still that header key.
  std::string payload = p.str();
  payload_parts q = parts();
  std::string escaped = q.str();
  escaped.replace(escaped.find("\"seq\""), 5, "\"s\\u0065q\"");
  auto r = parse_signed(escaped);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->seq, 2u);
  escaped.insert(escaped.size() - 1, ",\"seq\":2");
  refused(escaped, reject_reason::duplicate_key);
}

TEST_F(RecordParse, DuplicateKeyInAnObjectWithManyKeys) {
  // Past the linear-scan limit the scanner switches to a hash set; the rule stays the same.
  payload_parts p = parts();
  std::string body = "{";
  for (int i = 0; i < 200; ++i) body += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  p.body = body + "\"k17\":0}";
  refused(p.str(), reject_reason::duplicate_key);
  p.body = body + "\"k200\":0}";
  EXPECT_TRUE(parse_signed(p.str()).ok());
}

TEST_F(RecordParse, FloatsAndExponentsAreRefusedAnywhere) {
  payload_parts p = parts();
  p.lamport = "5.0";
  EXPECT_NE(refused(p.str(), reject_reason::float_number).find("fraction"), std::string::npos);
  p = parts();
  p.ts = "1e12";
  EXPECT_NE(refused(p.str(), reject_reason::float_number).find("exponent"), std::string::npos);
  p = parts();
  p.body = R"({"amount":2.5})";
  refused(p.str(), reject_reason::float_number);
  p.body = R"({"list":[1,2,3E-2]})";
  refused(p.str(), reject_reason::float_number);
  p.body = R"({"x":0e0})";
  refused(p.str(), reject_reason::float_number);
}

TEST_F(RecordParse, IntegerRangeIsEnforcedAtBothEnds) {
  payload_parts p = parts();
  p.body = R"({"max":9007199254740992,"min":-9007199254740992,"zero":0})";
  EXPECT_TRUE(parse_signed(p.str()).ok());
  p.body = R"({"x":9007199254740993})";
  refused(p.str(), reject_reason::integer_out_of_range);
  p.body = R"({"x":-9007199254740993})";
  refused(p.str(), reject_reason::integer_out_of_range);
  p.body = R"({"x":123456789012345678901234567890})";
  refused(p.str(), reject_reason::integer_out_of_range);
  p = parts();
  p.lamport = "18446744073709551617";  // 2^64 + 1: must not wrap around
  refused(p.str(), reject_reason::integer_out_of_range);
  p = parts();
  p.seq = "9007199254740992";  // the largest seq is accepted
  EXPECT_TRUE(parse_signed(p.str()).ok());
}

TEST_F(RecordParse, NumberSyntaxIsStrict) {
  payload_parts p = parts();
  p.body = R"({"x":01})";
  refused(p.str(), reject_reason::invalid_number);
  p.body = R"({"x":-0})";
  refused(p.str(), reject_reason::invalid_number);
  p.body = R"({"x":-})";
  refused(p.str(), reject_reason::invalid_number);
  p.body = R"({"x":+1})";
  refused(p.str(), reject_reason::syntax_error);
  p.body = R"({"x":NaN})";
  refused(p.str(), reject_reason::syntax_error);
}

TEST_F(RecordParse, HeaderNumbersMustBeInTheirRanges) {
  payload_parts p = parts();
  p.seq = "0";
  refused(p.str(), reject_reason::field_out_of_range);
  p = parts();
  p.lamport = "0";
  refused(p.str(), reject_reason::field_out_of_range);
  p = parts();
  p.ts = "-1";
  refused(p.str(), reject_reason::field_out_of_range);
  p = parts();
  p.seq = "-5";
  refused(p.str(), reject_reason::field_out_of_range);
}

TEST_F(RecordParse, EachMissingFieldIsNamed) {
  const char* names[] = {"v",       "community", "author", "seq", "prev",
                         "lamport", "ts",        "type",   "body"};
  for (const char* name : names) {
    payload_parts p = parts();
    std::string payload = p.str();
    // Cut `"name":value,` (or `,"name":value` for the last field).
    std::size_t k = payload.find("\"" + std::string(name) + "\":");
    ASSERT_NE(k, std::string::npos);
    std::size_t end =
        std::string_view(name) == "body" ? payload.size() - 1 : payload.find(",\"", k) + 1;
    if (std::string_view(name) == "body") --k;  // take the comma before it
    payload.erase(k, end - k);
    auto reason = std::string_view(name) == "community" ? reject_reason::missing_community
                                                        : reject_reason::missing_field;
    std::string message = refused(payload, reason);
    EXPECT_NE(message.find("\"" + std::string(name) + "\""), std::string::npos) << message;
  }
}

TEST_F(RecordParse, AnExtraFieldIsRefused) {
  std::string payload = parts().str();
  payload.insert(payload.size() - 1, ",\"sig\":\"x\"");
  EXPECT_NE(refused(payload, reject_reason::unknown_field).find("\"sig\""), std::string::npos);
  // Even before the known fields.
  payload = parts().str();
  payload.insert(1, "\"extra\":{},");
  refused(payload, reject_reason::unknown_field);
}

TEST_F(RecordParse, UnknownVersionIsRefusedButUnknownTypeIsAccepted) {
  payload_parts p = parts();
  p.v = "2";
  refused(p.str(), reject_reason::unsupported_version);
  // A future version with its own field set is reported as a version problem, not a field one.
  std::string payload = p.str();
  payload.insert(1, "\"hops\":3,");
  refused(payload, reject_reason::unsupported_version);
  p = parts();
  p.v = "\"1\"";
  refused(p.str(), reject_reason::wrong_field_type);
  p = parts();
  p.type = "\"garden.harvest\"";  // not a v1 type: stored and relayed, ignored by views
  auto r = parse_signed(p.str());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->type, "garden.harvest");
}

TEST_F(RecordParse, FieldTypesAreChecked) {
  payload_parts p = parts();
  p.seq = "\"2\"";
  refused(p.str(), reject_reason::wrong_field_type);
  p = parts();
  p.type = "\"\"";
  refused(p.str(), reject_reason::empty_type);
  p = parts();
  p.type = "7";
  refused(p.str(), reject_reason::wrong_field_type);
  p = parts();
  p.body = "[1,2]";
  EXPECT_NE(refused(p.str(), reject_reason::wrong_field_type).find("\"body\" must be an object"),
            std::string::npos);
  p = parts();
  p.body = "\"text\"";
  refused(p.str(), reject_reason::wrong_field_type);
  p = parts();
  p.prev = "true";
  refused(p.str(), reject_reason::wrong_field_type);
  p = parts();
  p.author = "null";
  refused(p.str(), reject_reason::wrong_field_type);
}

TEST_F(RecordParse, IdsMustBeStrictBase64urlOf32Bytes) {
  std::string good = crypto::to_text(test::fake_id(5));
  ASSERT_EQ(good.size(), 43u);
  // The last character of 43 carries 2 unused bits: a non-zero one is a second spelling.
  std::string loose = good;
  loose.back() = loose.back() == 'A' ? 'B' : static_cast<char>(loose.back() + 1);
  std::string variants[] = {good.substr(0, 42),   good + "A", good + "=",
                            "+" + good.substr(1), loose,      ""};
  for (const std::string& bad : variants) {
    payload_parts p = parts();
    p.prev = "\"" + bad + "\"";
    refused(p.str(), reject_reason::invalid_id);
    p = parts();
    p.community = "\"" + bad + "\"";
    refused(p.str(), reject_reason::invalid_id);
  }
}

TEST_F(RecordParse, OversizedPayloadIsRefusedAndTheLimitItselfAccepted) {
  payload_parts p = parts();
  p.body = R"({"pad":""})";
  std::string base = p.str();
  std::size_t room = max_payload_size - base.size();
  p.body = "{\"pad\":\"" + std::string(room, 'x') + "\"}";
  ASSERT_EQ(p.str().size(), max_payload_size);
  EXPECT_TRUE(parse_signed(p.str()).ok());
  p.body = "{\"pad\":\"" + std::string(room + 1, 'x') + "\"}";
  std::string message = refused(p.str(), reject_reason::payload_too_large);
  EXPECT_NE(message.find("16385"), std::string::npos) << message;
}

TEST_F(RecordParse, TooShortInputIsRefused) {
  for (std::size_t n : {0u, 1u, 64u, 65u}) {
    auto r = parse_record(std::string(n, '{'));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.reason(), reject_reason::too_short);
  }
}

TEST_F(RecordParse, GenesisRules) {
  payload_parts p = parts();
  p.type = "\"community.create\"";
  p.seq = "1";
  p.prev = "null";
  p.lamport = "1";
  // With a community field: refused.
  refused(p.str(), reject_reason::genesis_with_community);
  // Without: accepted, and its community is its own id.
  std::string payload = p.str();
  payload.erase(payload.find(",\"community\""), 1 + 12 + 45);
  auto r = parse_signed(payload);
  ASSERT_TRUE(r.ok()) << r.error().message << "\n" << payload;
  EXPECT_TRUE(r->is_genesis());
  EXPECT_EQ(r->community, community_of_genesis(r->id));
  // A genesis must be the first record of its feed.
  std::string later = payload;
  later.replace(later.find("\"seq\":1"), 7, "\"seq\":2");
  later.replace(later.find("\"prev\":null"), 11,
                "\"prev\":\"" + crypto::to_text(test::fake_id(6)) + "\"");
  refused(later, reject_reason::genesis_not_first);
}

TEST_F(RecordParse, SeqAndPrevMustAgree) {
  payload_parts p = parts();
  p.seq = "1";
  refused(p.str(), reject_reason::seq_prev_mismatch);
  p = parts();
  p.prev = "null";
  refused(p.str(), reject_reason::seq_prev_mismatch);
}

TEST_F(RecordParse, DifferentSpacingAndKeyOrderVerifiesAsItsOwnBytes) {
  // The compact, standard-order form, as our writer makes it.
  record_fields f;
  f.community = test::fake_community(1);
  f.seq = 2;
  f.prev = test::fake_id(2);
  f.lamport = 5;
  f.ts = 1764240000000;
  f.type = "request";
  f.body = R"({"title":"Wie kent Asio?","tags":["cpp"]})";
  auto compact = write_record(f, key_);
  ASSERT_TRUE(compact.ok()) << compact.error().message();

  // The same fields as another implementation might write them: spaced, reordered.
  std::string other =
      "{\n  \"type\" : \"request\",\r\n\t\"seq\": 2, \"v\": 1,\n  \"body\": { \"title\": "
      "\"Wie kent Asio?\", \"tags\": [ \"cpp\" ] },\n  \"author\": \"" +
      crypto::to_text(key_.pk) + "\", \"prev\": \"" + crypto::to_text(test::fake_id(2)) +
      "\", \"lamport\": 5, \"ts\": 1764240000000,"
      " \"community\": \"" +
      crypto::to_text(test::fake_id(1)) + "\"\n}\n";
  auto spaced = parse_signed(other);
  ASSERT_TRUE(spaced.ok()) << spaced.error().message;
  EXPECT_EQ(spaced->payload(), other);  // kept byte for byte, never re-serialised
  EXPECT_EQ(spaced->id, crypto::record_id_of(other));
  EXPECT_NE(spaced->id, compact->id);
  EXPECT_EQ(spaced->body, R"({ "title": "Wie kent Asio?", "tags": [ "cpp" ] })");
  EXPECT_EQ(spaced->seq, compact->seq);
  EXPECT_EQ(spaced->lamport, compact->lamport);
  EXPECT_EQ(spaced->community, compact->community);
  EXPECT_EQ(spaced->prev, compact->prev);
  EXPECT_EQ(spaced->type, compact->type);
  // The compact record's signature does not carry over to the spaced bytes.
  std::string swapped = other + std::string(compact->bytes.substr(compact->payload().size()));
  EXPECT_EQ(parse_record(swapped).reason(), reject_reason::bad_signature);
}

TEST_F(RecordParse, SyntaxErrorsAreRefused) {
  std::string good = parts().str();
  auto mutate = [&](std::string from, std::string to) {
    std::string s = good;
    std::size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    s.replace(at, from.size(), to);
    return s;
  };
  refused(mutate("\"v\":1", "\"v\" 1"), reject_reason::syntax_error);       // missing colon
  refused(mutate("\"v\":1,", "\"v\":1,,"), reject_reason::syntax_error);    // double comma
  refused(mutate("[\"cpp\"]", "[\"cpp\",]"), reject_reason::syntax_error);  // trailing comma
  refused(mutate("\"v\":1", "'v':1"), reject_reason::syntax_error);         // single quotes
  refused(mutate("\"v\":1", "v:1"), reject_reason::syntax_error);           // bare key
  refused(good + "x", reject_reason::syntax_error);                         // bytes after
  refused(good + "{}", reject_reason::syntax_error);                        // two objects
  refused(good.substr(0, good.size() - 1), reject_reason::syntax_error);    // cut short
  refused(mutate("\"cpp\"", "\"cpp"), reject_reason::syntax_error);         // string runs on
  refused(mutate("[\"cpp\"]", "[tru]"), reject_reason::syntax_error);
  refused("[" + good + "]", reject_reason::not_an_object);
  refused("\xEF\xBB\xBF" + good, reject_reason::not_an_object);  // a byte-order mark is no space
  EXPECT_TRUE(parse_signed(" \n" + good + "\t\r\n").ok());       // whitespace around is
}

TEST_F(RecordParse, DeepNestingIsBounded) {
  payload_parts p = parts();
  // The body is depth 2; 30 more arrays inside reach the limit of 32 exactly.
  p.body = "{\"a\":" + std::string(30, '[') + std::string(30, ']') + "}";
  EXPECT_TRUE(parse_signed(p.str()).ok());
  p.body = "{\"a\":" + std::string(31, '[') + std::string(31, ']') + "}";
  refused(p.str(), reject_reason::nesting_too_deep);
  // Far deeper than any stack would like: still a clean refusal.
  p.body = "{\"a\":" + std::string(8000, '[') + std::string(8000, ']') + "}";
  refused(p.str(), reject_reason::nesting_too_deep);
}

TEST_F(RecordParse, EveryReasonHasAName) {
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(reject_reason::not_a_fork); ++i) {
    std::string_view name = to_string(static_cast<reject_reason>(i));
    EXPECT_NE(name, "unknown_reason") << i;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(reject_reason::not_a_fork) + 1);
}

}  // namespace
}  // namespace zwerm::node
