// zwerm-gen-chain-vectors OUT_DIR: writes OUT_DIR/chain-auth.json, the vectors of
// authentication by chain (PROTOCOL.md §2.11; format in tests/vectors/README.md, "Authentication
// by chain"). Records are written and signed by zwerm's writer from fixed seeds; what each case
// expects is written out here by hand from the rule, not computed by the code under test.
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "crypto/sign.hpp"
#include "crypto/sodium.hpp"
#include "node/records/record_writer.hpp"

namespace zwerm {
namespace {

using json = nlohmann::json;
using node::record;

[[noreturn]] void die(const std::string& what) {
  std::cerr << "zwerm-gen-chain-vectors: " << what << "\n";
  std::exit(1);
}

crypto::key_pair key_from(unsigned first) {
  crypto::seed s;
  for (unsigned i = 0; i < 32; ++i) s.bytes[i] = static_cast<std::uint8_t>(first + i);
  return crypto::key_pair_from_seed(s);
}

constexpr std::int64_t t0 = 1764244800000;  // 2025-11-27 12:00 UTC

record must(result<record> r) {
  if (!r) die(r.error().message());
  return std::move(*r);
}

// A feed: the author's records 1..n in `community` (n >= 1); for the community's creator, record
// 1 is the genesis.
std::vector<record> feed(const crypto::key_pair& key, const community_id* community, std::size_t n,
                         std::uint64_t lamport0) {
  std::vector<record> out;
  if (!community) {
    out.push_back(must(node::write_genesis(R"({"name":"Keten","purpose":"vectors"})", t0, key)));
  }
  while (out.size() < n) {
    node::record_fields f;
    f.community = community ? *community : community_of_genesis(out.front().id);
    f.seq = out.size() + 1;
    if (!out.empty()) f.prev = out.back().id;
    f.lamport = lamport0 + out.size() + 1;
    f.ts = t0 + static_cast<std::int64_t>(out.size()) * 60000;
    f.type = "request";
    f.body = R"({"title":"vraag )" + std::to_string(f.seq) + R"("})";
    out.push_back(must(node::write_record(f, key)));
  }
  return out;
}

// The record with its last signature byte changed: payload and id intact, signature invalid.
std::string bad_signature(const record& r) {
  std::string b = r.bytes;
  b.back() = static_cast<char>(b.back() ^ 0x01);
  return b;
}

json item(const std::string& bytes, const std::string& note, const std::string& arrival,
          const std::string& later = "") {
  json j{
      {"record", crypto::to_hex(std::string_view(bytes))}, {"note", note}, {"on_arrival", arrival}};
  if (!later.empty()) j["later"] = later;
  return j;
}

}  // namespace
}  // namespace zwerm

int main(int argc, char** argv) {
  using namespace zwerm;
  if (argc != 2) die("usage: zwerm-gen-chain-vectors OUT_DIR");
  crypto::init();
  const auto ada = key_from(1);  // the creator
  const auto bob = key_from(33);
  auto a = feed(ada, nullptr, 6, 0);
  const community_id community = community_of_genesis(a.front().id);
  auto b = feed(bob, &community, 3, 10);
  // Ada's record 4 again, other body, signed: a fork of her feed at seq 4.
  node::record_fields f4;
  f4.community = community;
  f4.seq = 4;
  f4.prev = a[2].id;
  f4.lamport = a[3].lamport;
  f4.ts = a[3].ts;
  f4.type = "request";
  f4.body = R"({"title":"een andere vraag 4"})";
  const record a4x = must(node::write_record(f4, ada));

  json cases = json::array();
  auto add = [&](const std::string& name, const std::string& what, json items) {
    cases.push_back(json{{"name", name}, {"description", what}, {"message", std::move(items)}});
  };
  add("one_feed_chain",
      "Ada's records 1..6 in order: each chained to by the next; only record 6 is checked on "
      "arrival",
      json::array({item(a[0].bytes, "seq 1 (genesis)", "vouched", "valid"),
                   item(a[1].bytes, "seq 2", "vouched", "valid"),
                   item(a[2].bytes, "seq 3", "vouched", "valid"),
                   item(a[3].bytes, "seq 4", "vouched", "valid"),
                   item(a[4].bytes, "seq 5", "vouched", "valid"),
                   item(a[5].bytes, "seq 6", "checked")}));
  add("bad_middle_signature",
      "Ada's records 2..6 with record 4's signature bytes damaged: its payload is vouched for "
      "by record 5 (hence by 6); the background check finds the bad bytes (held_bad): the "
      "record counts, the receiver never ends a range it serves at it, nobody is blamed",
      json::array({item(a[1].bytes, "seq 2", "vouched", "valid"),
                   item(a[2].bytes, "seq 3", "vouched", "valid"),
                   item(bad_signature(a[3]), "seq 4, signature damaged", "vouched", "held_bad"),
                   item(a[4].bytes, "seq 5", "vouched", "valid"),
                   item(a[5].bytes, "seq 6", "checked")}));
  add("bad_last_signature",
      "Ada's records 2..5 with record 5's signature damaged: the run's check fails, so every "
      "record of the run is checked on its own; 5 is refused (bad_signature: the sender ended a "
      "range at a record whose signature it did not check)",
      json::array(
          {item(a[1].bytes, "seq 2", "checked"), item(a[2].bytes, "seq 3", "checked"),
           item(a[3].bytes, "seq 4", "checked"),
           item(bad_signature(a[4]), "seq 5, signature damaged", "refused:bad_signature")}));
  add("bad_last_and_middle_signatures",
      "As bad_last_signature, with record 3's signature damaged too: checked one by one, 3 and "
      "5 are refused",
      json::array(
          {item(a[1].bytes, "seq 2", "checked"),
           item(bad_signature(a[2]), "seq 3, signature damaged", "refused:bad_signature"),
           item(a[3].bytes, "seq 4", "checked"),
           item(bad_signature(a[4]), "seq 5, signature damaged", "refused:bad_signature")}));
  add("links_do_not_match",
      "Ada's 2, 3, then the other record 4 (its prev is record 3's id, but record 5's prev is "
      "the first record 4's id), then 5, 6: 4' is chained to by nothing, so the runs are 2..4' "
      "and 5..6",
      json::array({item(a[1].bytes, "seq 2", "vouched", "valid"),
                   item(a[2].bytes, "seq 3", "vouched", "valid"),
                   item(a4x.bytes, "the other seq 4", "checked"),
                   item(a[4].bytes, "seq 5", "vouched", "valid"),
                   item(a[5].bytes, "seq 6", "checked")}));
  add("two_feeds_interleaved",
      "Ada 2, Ada 3, Bob 1, Bob 2, Ada 4: a run is records next to each other in the message",
      json::array({item(a[1].bytes, "Ada seq 2", "vouched", "valid"),
                   item(a[2].bytes, "Ada seq 3", "checked"),
                   item(b[0].bytes, "Bob seq 1", "vouched", "valid"),
                   item(b[1].bytes, "Bob seq 2", "checked"),
                   item(a[3].bytes, "Ada seq 4", "checked")}));
  add("seq_gap", "Ada 2 then Ada 4: not chained, both checked",
      json::array({item(a[1].bytes, "seq 2", "checked"), item(a[3].bytes, "seq 4", "checked")}));
  add("same_seq_twice", "Ada 4, then her other 4: a fork, not a chain; both checked",
      json::array(
          {item(a[3].bytes, "seq 4", "checked"), item(a4x.bytes, "the other seq 4", "checked")}));
  add("malformed_between",
      "Ada 2, bytes that are no record, Ada 3: the malformed record breaks the run",
      json::array({item(a[1].bytes, "seq 2", "checked"),
                   item(std::string("{\"v\":1}") + std::string(64, '\0'), "not a record",
                        "refused:missing_field"),
                   item(a[2].bytes, "seq 3", "checked")}));
  add("other_author",
      "Bob 1 then Ada 2: Ada's record 2 does not chain to Bob's record 1 (another author), so "
      "both are checked",
      json::array(
          {item(b[0].bytes, "Bob seq 1", "checked"), item(a[1].bytes, "Ada seq 2", "checked")}));

  json doc{{"kind", "chain_auth"},
           {"description",
            "Authentication by chain (PROTOCOL.md §2.11). Each case is one records message, "
            "in order. on_arrival: checked (own signature verified at once), vouched (stored on "
            "the word of the next record, whose run ends at a checked record), or "
            "refused:<reject_reason>. later, for vouched records: valid or held_bad, what the "
            "check of its own signature finds."},
           {"cases", std::move(cases)}};
  const std::string path = std::string(argv[1]) + "/chain-auth.json";
  std::ofstream out(path, std::ios::binary);
  out << doc.dump(1) << "\n";
  if (!out) die("cannot write " + path);
  std::cout << "wrote " << path << "\n";
  return 0;
}
