// Real signed records for the ingest tests and bench_store: `authors` feeds of `per_author`
// records each, written with node::write_record, payloads padded to exactly `payload_size`
// bytes. Returned round-robin (seq 1 of every author, then seq 2, ...), the way several feeds
// arrive interleaved.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "crypto/hash.hpp"
#include "crypto/sign.hpp"
#include "crypto/sodium.hpp"
#include "node/records/record_writer.hpp"

namespace zwerm::node::test {

inline crypto::key_pair feed_key(std::size_t n) {
  crypto::seed s{};
  for (std::size_t i = 0; i < s.size(); ++i) s.bytes[i] = static_cast<std::uint8_t>(n * 13 + i);
  s.bytes[0] = static_cast<std::uint8_t>(n);
  s.bytes[1] = static_cast<std::uint8_t>(n >> 8);
  s.bytes[2] = static_cast<std::uint8_t>(n >> 16);
  return crypto::key_pair_from_seed(s);
}

inline std::vector<record> signed_feeds(const community_id& community, std::size_t authors,
                                        std::size_t per_author, std::size_t payload_size = 300) {
  crypto::init();
  std::vector<crypto::key_pair> keys;
  for (std::size_t a = 0; a < authors; ++a) keys.push_back(feed_key(a));
  std::vector<std::optional<record>> last(authors);
  std::vector<record> out;
  out.reserve(authors * per_author);
  for (std::size_t seq = 1; seq <= per_author; ++seq) {
    for (std::size_t a = 0; a < authors; ++a) {
      record_fields f;
      f.community = community;
      f.seq = seq;
      if (last[a]) f.prev = last[a]->id;
      f.lamport = seq;
      f.ts = 1764240000000 + static_cast<std::int64_t>(seq);
      f.type = "contribution";
      const std::string head =
          R"({"kind":"help","title":"Tip )" + std::to_string(seq) + R"(","body":")";
      f.body = head + R"("})";
      auto probe = write_record(f, keys[a]);
      if (!probe.ok()) {
        std::fprintf(stderr, "writer refused a test record: %s\n", probe.error().message().c_str());
        std::abort();
      }
      const std::size_t size = probe->payload().size();
      if (size < payload_size) f.body = head + std::string(payload_size - size, 'x') + R"("})";
      auto r = write_record(f, keys[a]);
      if (!r.ok()) std::abort();
      last[a] = *r;
      out.push_back(std::move(r).value());
    }
  }
  return out;
}

}  // namespace zwerm::node::test
