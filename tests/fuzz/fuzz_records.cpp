// Fuzz target for the record parser (node/records/record_parse.hpp, node/records/record_scan.hpp).
//
// Input byte 0 picks a mode; the rest is the data:
//   even: the data is a whole record (payload ‖ 64 bytes), parsed as received from a peer;
//   odd:  the data is a body, placed into a fixed valid header, so the fuzzer reaches the body
//         scanner without having to invent the nine header fields first.
// Invariants (a violation aborts): an accepted record's fields are within the rules of
// docs/PROTOCOL.md §2, its id is the BLAKE2b of its payload, its body passes the standalone
// object check, and read_writer_prefix reads its author and seq or nothing; in body mode the
// parser and check_json_object agree on every input, and the community's body parser agrees
// with its nlohmann reference.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crypto/hash.hpp"
#include "crypto/sodium.hpp"
#include "node/community/body_json.hpp"
#include "node/records/record_parse.hpp"
#include "node/records/record_scan.hpp"

namespace {

using namespace zwerm::node;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_accepted(const record& r, std::string_view bytes) {
  std::string_view payload = bytes.substr(0, bytes.size() - signature_size);
  check(r.bytes == bytes);
  check(r.payload() == payload);
  check(r.id == zwerm::crypto::record_id_of(payload));
  check(r.seq >= 1 && r.seq <= static_cast<std::uint64_t>(max_json_integer));
  check(r.lamport >= 1 && r.lamport <= static_cast<std::uint64_t>(max_json_integer));
  check(r.ts >= 0 && r.ts <= max_json_integer);
  check((r.seq == 1) == !r.prev.has_value());
  check(!r.type.empty());
  if (r.is_genesis()) check(r.community == zwerm::community_of_genesis(r.id) && r.seq == 1);
  check(!check_json_object(r.body, /*compact=*/false).has_value());
}

const std::string header =
    R"({"v":1,"community":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",)"
    R"("author":"A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg","seq":1,"prev":null,)"
    R"("lamport":1,"ts":0,"type":"fuzz","body":)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool init = (zwerm::crypto::init(), true);
  (void)init;
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    auto r = parse_record(in, signature_check::skip);
    if (r.ok()) {
      check_accepted(*r, in);
      // The engine's shortcut to author and seq agrees with the scan whenever it reads.
      zwerm::crypto::public_key author;
      std::uint64_t seq = 0;
      if (read_writer_prefix(r->payload(), &author, &seq))
        check(author == r->author && seq == r->seq);
      // The full check can only differ by the signature.
      auto verified = parse_record(in);
      check(verified.ok() || verified.reason() == reject_reason::bad_signature);
    } else {
      check(!r.error().message.empty());
    }
    return 0;
  }
  std::string bytes = header;
  bytes.append(in);
  bytes += '}';
  if (bytes.size() - header.size() - 1 > max_payload_size - header.size() - 1) return 0;
  bytes.append(signature_size, '\0');
  auto r = parse_record(bytes, signature_check::skip);
  // Whitespace around the body is whitespace between payload tokens; the body itself is the
  // text between it.
  std::string_view body = in;
  auto is_ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!body.empty() && is_ws(body.front())) body.remove_prefix(1);
  while (!body.empty() && is_ws(body.back())) body.remove_suffix(1);
  bool body_ok = !check_json_object(body, /*compact=*/false).has_value();
  // A body that is one valid object must make the record valid, and nothing else may.
  check(r.ok() == body_ok);
  if (r.ok()) {
    check_accepted(*r, bytes);
    check(r->body == body);
  }
  // The community's body parser agrees with its reference (nlohmann) on any text but one that
  // starts with a byte-order mark (nlohmann skips one) or holds a NUL byte (nlohmann ends its
  // input there and ignores the rest), and takes every body a record may hold.
  if (!in.starts_with("\xEF\xBB\xBF") && in.find('\0') == std::string_view::npos) {
    const auto ours = zwerm::node::community::parse_body_json(in);
    const auto reference = zwerm::node::community::parse_body_json_reference(in);
    check(ours.has_value() == reference.has_value());
    if (ours) check(zwerm::node::community::same_body_value(*ours, *reference));
  }
  if (r.ok()) check(zwerm::node::community::parse_body_json(r->body).has_value());
  return 0;
}
