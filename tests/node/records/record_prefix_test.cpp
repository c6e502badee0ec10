// read_writer_prefix: the engine's shortcut to author and seq. It must agree with the full scan
// on every payload the scan accepts, and step aside (false) for any other form.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "node/records/record_parse.hpp"
#include "node/records/record_scan.hpp"
#include "node/records/record_writer.hpp"
#include "record_test_helpers.hpp"

namespace zwerm::node {
namespace {

using test::key_from;
using test::payload_parts;

struct prefix {
  bool read = false;
  crypto::public_key author;
  std::uint64_t seq = 0;
};

prefix read(std::string_view payload) {
  prefix p;
  p.read = read_writer_prefix(payload, &p.author, &p.seq);
  return p;
}

TEST(RecordPrefix, ReadsWhatTheWriterWroteAndAgreesWithTheScan) {
  const crypto::key_pair key = key_from(3);
  std::vector<record_fields> cases(3);
  cases[0].type = "community.create";  // genesis: no community field
  cases[0].body = R"({"name":"Zwerm","purpose":"leren"})";
  for (std::size_t i = 1; i < cases.size(); ++i) {
    cases[i].community = test::fake_community(1);
    cases[i].prev = test::fake_id(2);
    cases[i].type = "request";
    cases[i].body = R"({"title":"Wie kent Asio?"})";
  }
  cases[1].seq = 2;
  cases[2].seq = std::uint64_t{1} << 53;  // the largest seq there is
  for (const auto& f : cases) {
    auto w = write_record(f, key);
    ASSERT_TRUE(w.ok()) << w.error().message();
    const prefix p = read(w->payload());
    ASSERT_TRUE(p.read) << w->payload();
    EXPECT_EQ(p.author, key.pk);
    EXPECT_EQ(p.seq, f.seq);
    record scanned;
    ASSERT_FALSE(scan_payload(w->payload(), &scanned).has_value());
    EXPECT_EQ(p.author, scanned.author);
    EXPECT_EQ(p.seq, scanned.seq);
  }
}

TEST(RecordPrefix, StepsAsideForEveryOtherForm) {
  const crypto::key_pair key = key_from(3);
  const std::string good = payload_parts::make(key).str();
  ASSERT_TRUE(read(good).read);
  auto with_seq = [&](std::string seq) {
    payload_parts p = payload_parts::make(key);
    p.seq = std::move(seq);
    return p.str();
  };
  const std::string author = crypto::to_text(key.pk);
  const std::vector<std::string> others = {
      " " + good,                                  // leading whitespace
      std::string(good).insert(6, " "),            // whitespace after the first member
      std::string(good).replace(2, 1, "\\u0076"),  // an escaped key
      with_seq("0"),                               // seq out of range (the scan refuses it)
      with_seq("02"),                              // a leading zero
      with_seq("-1"),                              // negative
      with_seq("9007199254740993"),                // 2^53 + 1
      with_seq("90071992547409920"),               // 17 digits
      with_seq("1.0"),                             // not an integer
      with_seq("\"2\""),                           // a string
      R"({"v":1,"seq":2,"author":")" + author + R"(","prev":null})",           // another key order
      R"({"v":1,"author":")" + author.substr(0, 42) + "\\u0041\",\"seq\":1,",  // an escape in it
      R"({"v":2,"author":")" + author + R"(","seq":1,)",                       // another version
      R"({"v":1,"author":")" + author + R"(","seq":1)",                        // cut after seq
      R"({"v":1,"author":")" + author + R"(","seq":)",                         // cut before it
      R"({"v":1,"community":"short","author":")" + author + R"(","seq":1,)",
      "",
      "{",
  };
  for (const auto& p : others) EXPECT_FALSE(read(p).read) << p;
}

TEST(RecordPrefix, WhatItReadsFromAnAcceptedPayloadIsWhatTheScanReads) {
  // The writer's prefix followed by anything: when the scan accepts the whole, both agree;
  // when it refuses, the engine's later full check refuses the record (so the prefix may read).
  const crypto::key_pair key = key_from(4);
  for (const char* seq : {"1", "7", "10", "123456789", "9007199254740992"}) {
    payload_parts p = payload_parts::make(key);
    p.seq = seq;
    p.prev = std::string(seq) == "1" ? "null" : p.prev;
    const std::string payload = p.str();
    record scanned;
    const bool accepted = !scan_payload(payload, &scanned).has_value();
    const prefix r = read(payload);
    ASSERT_TRUE(r.read) << payload;
    ASSERT_TRUE(accepted) << payload;
    EXPECT_EQ(r.author, scanned.author);
    EXPECT_EQ(r.seq, scanned.seq);
  }
}

}  // namespace
}  // namespace zwerm::node
