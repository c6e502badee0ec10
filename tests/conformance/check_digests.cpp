// Checker for kind "digests" (tests/vectors/digests.json, format in tests/vectors/README.md):
// every feed_hash, bucket digest and frontier is computed twice, with node/sync/digest.hpp and
// directly from the definition in PROTOCOL.md §5.2 (byte concatenation and BLAKE2b-256), and
// both must equal the vector.
#include <array>
#include <string>
#include <vector>

#include "crypto/hash.hpp"
#include "crypto/sodium.hpp"
#include "node/sync/digest.hpp"
#include "tests/conformance/conformance.hpp"

namespace zwerm::conformance {
namespace {

using json = nlohmann::json;

template <class T>
T fixed_from_hex(const std::string& h) {
  T out;
  if (!T::from(from_hex(h), &out)) throw std::invalid_argument("not 32 bytes: " + h);
  return out;
}

struct head {
  crypto::public_key author;
  std::uint64_t seq = 0;
  record_id id;
  bool forked = false;
};

head head_of(const json& j) {
  head h;
  h.author = fixed_from_hex<crypto::public_key>(j.at("author").get<std::string>());
  h.seq = j.at("seq").get<std::uint64_t>();
  h.id = fixed_from_hex<record_id>(j.at("id").get<std::string>());
  const int forked = j.at("forked").get<int>();
  if (forked != 0 && forked != 1) throw std::invalid_argument("forked is 0 or 1");
  h.forked = forked == 1;
  return h;
}

// PROTOCOL.md §5.2 written out: author ‖ be64(seq) ‖ id ‖ forked byte.
crypto::digest spec_feed_hash(const head& h) {
  std::string in(h.author.view());
  for (int i = 7; i >= 0; --i) in.push_back(static_cast<char>(h.seq >> (8 * i) & 0xff));
  in += h.id.view();
  in.push_back(h.forked ? '\x01' : '\x00');
  return crypto::blake2b256(in);
}

outcome check_feed_hash(const json& v) {
  outcome o{v.at("name").get<std::string>(), true, ""};
  head h = head_of(v.at("head"));
  const std::string want = v.at("feed_hash").get<std::string>();
  if (to_hex(node::sync::feed_hash(h.author, h.seq, h.id, h.forked).view()) != want) {
    o.why = "node::sync::feed_hash differs";
  } else if (to_hex(spec_feed_hash(h).view()) != want) {
    o.why = "the definition of PROTOCOL.md §5.2 gives another hash";
  }
  o.pass = o.why.empty();
  return o;
}

outcome check_frontier(const json& v) {
  outcome o{v.at("name").get<std::string>(), true, ""};
  node::sync::bucket_digest_array project{};
  std::array<std::string, 256> spec;
  for (auto& b : spec) b.assign(32, '\0');
  for (const auto& j : v.at("heads")) {
    head h = head_of(j);
    node::sync::xor_into(project[h.author.bytes[0]],
                         node::sync::feed_hash(h.author, h.seq, h.id, h.forked));
    const std::string fh(spec_feed_hash(h).view());
    for (std::size_t i = 0; i < 32; ++i) spec[h.author.bytes[0]][i] ^= fh[i];
  }
  std::array<std::string, 256> want;
  for (auto& b : want) b.assign(32, '\0');
  for (const auto& e : v.at("buckets")) {
    const auto b = e.at("bucket").get<std::size_t>();
    if (b > 255) throw std::invalid_argument("bucket above 255");
    want[b] = from_hex(e.at("digest").get<std::string>());
  }
  std::string all;
  for (std::size_t b = 0; b < 256; ++b) {
    if (std::string(project[b].view()) != want[b])
      o.why += "bucket " + std::to_string(b) + " differs; ";
    if (spec[b] != want[b]) o.why += "bucket " + std::to_string(b) + " by the definition differs; ";
    all += spec[b];
  }
  const std::string frontier = v.at("frontier").get<std::string>();
  if (to_hex(node::sync::frontier_of(project).view()) != frontier) {
    o.why += "node::sync::frontier_of differs; ";
  }
  if (to_hex(crypto::blake2b256(all).view()) != frontier) {
    o.why += "BLAKE2b-256 of the 8192 bucket bytes differs; ";
  }
  o.pass = o.why.empty();
  return o;
}

std::vector<outcome> check_digests(const json& file) {
  crypto::init();
  std::vector<outcome> out;
  auto run = [&](const char* section, outcome (*fn)(const json&)) {
    run_section(out, file, section, true, [fn](const json& v) {
      outcome o = fn(v);
      return o.pass ? std::string() : o.why;
    });
  };
  run("feed_hashes", check_feed_hash);
  run("frontiers", check_frontier);
  return out;
}

ZWERM_CONFORMANCE_CHECKER("digests", check_digests);

}  // namespace
}  // namespace zwerm::conformance
