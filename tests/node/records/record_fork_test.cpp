// Fork detection, fork proof verification and the proof's wire form.
#include "node/records/record_fork.hpp"

#include <gtest/gtest.h>

#include "node/records/record_parse.hpp"
#include "node/records/record_writer.hpp"
#include "record_test_helpers.hpp"

namespace zwerm::node {
namespace {

using test::key_from;

class RecordFork : public ::testing::Test {
 protected:
  crypto::key_pair key_ = key_from(4);
  community_id community_ = test::fake_community(8);

  record write(const crypto::key_pair& key, std::uint64_t seq, std::string body) {
    record_fields f;
    f.community = community_;
    f.seq = seq;
    if (seq > 1) f.prev = test::fake_id(static_cast<std::uint8_t>(seq));
    f.lamport = seq;
    f.ts = 5;
    f.type = "request";
    f.body = std::move(body);
    auto r = write_record(f, key);
    EXPECT_TRUE(r.ok()) << r.error().message();
    return r.ok() ? std::move(r).value() : record{};
  }
};

TEST_F(RecordFork, TwoRecordsForOneSeqMakeAProofThatVerifies) {
  record a = write(key_, 3, R"({"title":"ja"})");
  record b = write(key_, 3, R"({"title":"nee"})");
  auto proof = detect_fork(a, b);
  ASSERT_TRUE(proof.has_value());
  // One fork, one proof, whichever order the records arrived in.
  EXPECT_EQ(detect_fork(b, a), proof);
  EXPECT_LT(crypto::blake2b256(parse_record(proof->first)->payload()),
            crypto::blake2b256(parse_record(proof->second)->payload()));
  auto facts = verify_fork_proof(*proof);
  ASSERT_TRUE(facts.ok()) << facts.error().message;
  EXPECT_EQ(facts->community, community_);
  EXPECT_EQ(facts->author, key_.pk);
  EXPECT_EQ(facts->seq, 3u);
  EXPECT_NE(facts->first_id, facts->second_id);
}

TEST_F(RecordFork, NoForkWithoutTwoIdsForOneFeedPosition) {
  record a = write(key_, 3, R"({"title":"ja"})");
  EXPECT_FALSE(detect_fork(a, a).has_value());
  EXPECT_FALSE(detect_fork(a, write(key_, 4, R"({"title":"nee"})")).has_value());
  EXPECT_FALSE(detect_fork(a, write(key_from(5), 3, R"({"title":"nee"})")).has_value());
  record other_community = a;
  {
    record_fields f;
    f.community = test::fake_community(100);
    f.seq = 3;
    f.prev = test::fake_id(3);
    f.lamport = 3;
    f.type = "request";
    auto r = write_record(f, key_);
    ASSERT_TRUE(r.ok());
    other_community = std::move(r).value();
  }
  EXPECT_FALSE(detect_fork(a, other_community).has_value());
}

TEST_F(RecordFork, ATamperedProofIsRefused) {
  record a = write(key_, 3, R"({"title":"ja"})");
  record b = write(key_, 3, R"({"title":"nee"})");
  fork_proof proof = *detect_fork(a, b);
  // A flipped bit in either record's payload or signature.
  for (std::string fork_proof::*part : {&fork_proof::first, &fork_proof::second}) {
    for (std::size_t at : {std::size_t{20}, (proof.*part).size() - 10}) {
      fork_proof bad = proof;
      (bad.*part)[at] = static_cast<char>((bad.*part)[at] ^ 0x04);
      auto r = verify_fork_proof(bad);
      ASSERT_FALSE(r.ok()) << at;
      EXPECT_NE(r.error().message.find("fork proof is invalid"), std::string::npos);
    }
  }
  // A second record re-signed by someone else (an attempt to frame the author).
  fork_proof framed = proof;
  framed.second = test::sign_payload(parse_record(proof.second)->payload(), key_from(6));
  EXPECT_EQ(verify_fork_proof(framed).reason(), reject_reason::bad_signature);
  // Two valid records that are not a fork.
  EXPECT_EQ(verify_fork_proof({a.bytes, a.bytes}).reason(), reject_reason::not_a_fork);
  EXPECT_EQ(verify_fork_proof({a.bytes, write(key_, 4, "{}").bytes}).reason(),
            reject_reason::not_a_fork);
  EXPECT_EQ(verify_fork_proof({a.bytes, write(key_from(5), 3, "{}").bytes}).reason(),
            reject_reason::not_a_fork);
}

TEST_F(RecordFork, WireFormRoundTripsAndRefusesBrokenFraming) {
  fork_proof proof = *detect_fork(write(key_, 2, R"({"a":1})"), write(key_, 2, R"({"a":2})"));
  std::string wire = encode_fork_proof(proof);
  EXPECT_EQ(wire.size(), 8 + proof.first.size() + proof.second.size());
  auto back = decode_fork_proof(wire);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, proof);
  EXPECT_TRUE(verify_fork_proof(*back).ok());

  for (std::size_t cut : {std::size_t{0}, std::size_t{3}, std::size_t{4} + 10, wire.size() - 1}) {
    EXPECT_EQ(decode_fork_proof(wire.substr(0, cut)).reason(), reject_reason::malformed_fork_proof)
        << cut;
  }
  EXPECT_EQ(decode_fork_proof(wire + "x").reason(), reject_reason::malformed_fork_proof);
  std::string huge = wire;
  huge[0] = '\x7f';  // a length of about 2 GiB
  EXPECT_EQ(decode_fork_proof(huge).reason(), reject_reason::malformed_fork_proof);
}

}  // namespace
}  // namespace zwerm::node
