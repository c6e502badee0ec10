// Checker for kind "records" (tests/vectors/records.json, format in tests/vectors/README.md):
// each valid record is decoded with parse_record and compared field by field, re-signed from
// its seed and, when it is in the writer's form, re-encoded with write_record and compared byte
// for byte; each refusal must be refused with exactly its reason name (and zwerm's offset);
// fork proofs are encoded, decoded and verified; body cases go through the body schema.
#include <optional>
#include <string>
#include <vector>

#include "base/base64url.hpp"
#include "crypto/hash.hpp"
#include "crypto/sign.hpp"
#include "crypto/sodium.hpp"
#include "node/community/body_schema.hpp"
#include "node/records/record_fork.hpp"
#include "node/records/record_parse.hpp"
#include "node/records/record_scan.hpp"
#include "node/records/record_writer.hpp"
#include "tests/conformance/conformance.hpp"

namespace zwerm::conformance {
namespace {

using json = nlohmann::json;

// Collects what differs; a vector passes when nothing does.
struct diff {
  std::string why;
  void add(const std::string& what) {
    if (!why.empty()) why += "; ";
    why += what;
  }
  template <class A, class B>
  void expect_eq(const std::string& what, const A& got, const B& want) {
    if (!(got == want)) add(what + " differs");
  }
};

std::string text_or_null(const json& j) {
  return j.is_null() ? std::string("null") : j.get<std::string>();
}

crypto::key_pair key_from_seed_hex(const std::string& seed_hex) {
  crypto::seed s;
  if (!crypto::seed::from(from_hex(seed_hex), &s)) throw std::invalid_argument("seed not 32 bytes");
  return crypto::key_pair_from_seed(s);
}

template <class T>
T fixed_from_text(const std::string& t) {
  T out;
  if (!crypto::from_text(t, &out)) throw std::invalid_argument("not a 32-byte text form: " + t);
  return out;
}

void check_valid(const json& v, diff& d) {
  const std::string bytes = from_hex(v.at("record").get<std::string>());
  const std::string payload = v.at("payload").get<std::string>();
  const std::string sig = from_hex(v.at("signature").get<std::string>());
  const json& f = v.at("fields");
  d.expect_eq("record = payload ‖ signature", bytes, payload + sig);
  d.expect_eq("id = BLAKE2b-256(payload)", to_hex(crypto::blake2b256(payload).view()),
              v.at("id").get<std::string>());

  // Decode: bytes -> fields.
  auto r = node::parse_record(bytes);
  if (!r) {
    d.add("refused: " + r.error().message);
    return;
  }
  d.expect_eq("payload", std::string(r->payload()), payload);
  d.expect_eq("id", to_hex(r->id.view()), v.at("id").get<std::string>());
  d.expect_eq("id_text", crypto::to_text(r->id), v.at("id_text").get<std::string>());
  d.expect_eq("community_id", crypto::to_text(r->community),
              v.at("community_id").get<std::string>());
  d.expect_eq("v", f.at("v").get<int>(), 1);
  if (r->is_genesis()) {
    if (!f.at("community").is_null()) d.add("community: a genesis record has none");
    d.expect_eq("genesis community id = id", r->community, community_of_genesis(r->id));
  } else {
    d.expect_eq("community", crypto::to_text(r->community), text_or_null(f.at("community")));
  }
  d.expect_eq("author", crypto::to_text(r->author), f.at("author").get<std::string>());
  d.expect_eq("seq", r->seq, f.at("seq").get<std::uint64_t>());
  d.expect_eq("prev", r->prev ? crypto::to_text(*r->prev) : std::string("null"),
              text_or_null(f.at("prev")));
  d.expect_eq("lamport", r->lamport, f.at("lamport").get<std::uint64_t>());
  d.expect_eq("ts", r->ts, f.at("ts").get<std::int64_t>());
  d.expect_eq("type", r->type, f.at("type").get<std::string>());
  d.expect_eq("body_text", r->body, v.at("body_text").get<std::string>());
  d.expect_eq("body", json::parse(r->body), f.at("body"));

  // Encode: seed and fields -> signature, and -> bytes for the writer's form.
  const crypto::key_pair key = key_from_seed_hex(v.at("seed").get<std::string>());
  d.expect_eq("author = public key of the seed", crypto::to_text(key.pk),
              f.at("author").get<std::string>());
  d.expect_eq("signature re-made from the seed", std::string(crypto::sign(payload, key.sk).view()),
              sig);
  if (v.at("writer_form").get<bool>()) {
    node::record_fields wf;
    if (!f.at("community").is_null()) {
      wf.community = fixed_from_text<community_id>(f.at("community").get<std::string>());
    }
    wf.seq = f.at("seq").get<std::uint64_t>();
    if (!f.at("prev").is_null()) {
      wf.prev = fixed_from_text<record_id>(f.at("prev").get<std::string>());
    }
    wf.lamport = f.at("lamport").get<std::uint64_t>();
    wf.ts = f.at("ts").get<std::int64_t>();
    wf.type = f.at("type").get<std::string>();
    wf.body = v.at("body_text").get<std::string>();
    auto w = node::write_record(wf, key);
    if (!w) {
      d.add("write_record refused the fields: " + w.error().message());
    } else {
      d.expect_eq("re-encoded bytes", w->bytes, bytes);
    }
  }

  // The body against its type's schema (PROTOCOL.md §3.2).
  auto kind = node::community::kind_of(r->type);
  std::string schema = "unknown_type";
  if (kind != node::community::record_kind::unknown) {
    schema = node::community::parse_body(kind, r->body).ok() ? "valid" : "invalid";
  }
  d.expect_eq("body_schema", schema, v.at("body_schema").get<std::string>());
}

void check_refusal(const json& v, diff& d) {
  const std::string bytes = from_hex(v.at("record").get<std::string>());
  auto r = node::parse_record(bytes);
  if (r) {
    d.add("accepted; expected " + v.at("error").get<std::string>());
    return;
  }
  const std::string got(to_string(r.reason()));
  if (got != v.at("error").get<std::string>()) {
    d.add("refused with " + got + " (" + r.error().message + "), expected " +
          v.at("error").get<std::string>());
  }
  const json& off = v.at("offset");
  if (off.is_null() != (r.error().offset == node::rejection::no_offset) ||
      (!off.is_null() && off.get<std::size_t>() != r.error().offset)) {
    d.add("offset differs: " + r.error().message);
  }
}

void check_fork(const json& v, diff& d) {
  const std::string proof_bytes = from_hex(v.at("proof").get<std::string>());
  if (v.contains("error")) {
    const std::string want = v.at("error").get<std::string>();
    auto p = node::decode_fork_proof(proof_bytes);
    std::optional<node::rejection> got;
    if (!p) {
      got = p.error();
    } else if (auto facts = node::verify_fork_proof(*p); !facts) {
      got = facts.error();
    }
    if (!got) {
      d.add("the proof verifies; expected " + want);
    } else if (to_string(got->reason) != want) {
      d.add("refused with " + std::string(to_string(got->reason)) + ", expected " + want);
    }
    return;
  }
  if (!v.contains("record_a")) {
    // Decode and verify only (a proof not in the writer's order).
    auto p = node::decode_fork_proof(proof_bytes);
    if (!p) return d.add("decode refused: " + p.error().message);
    auto facts = node::verify_fork_proof(*p);
    if (!facts) return d.add("verify refused: " + facts.error().message);
    d.expect_eq("community", crypto::to_text(facts->community),
                v.at("community").get<std::string>());
    d.expect_eq("author", crypto::to_text(facts->author), v.at("author").get<std::string>());
    d.expect_eq("seq", facts->seq, v.at("seq").get<std::uint64_t>());
    d.expect_eq("first_id", to_hex(facts->first_id.view()), v.at("first_id").get<std::string>());
    d.expect_eq("second_id", to_hex(facts->second_id.view()), v.at("second_id").get<std::string>());
    return;
  }
  auto a = node::parse_record(from_hex(v.at("record_a").get<std::string>()));
  auto b = node::parse_record(from_hex(v.at("record_b").get<std::string>()));
  if (!a || !b) {
    d.add("a record of the fork does not parse");
    return;
  }
  const crypto::key_pair key = key_from_seed_hex(v.at("seed").get<std::string>());
  d.expect_eq("record_a signature re-made", std::string(crypto::sign(a->payload(), key.sk).view()),
              std::string(a->signature_bytes()));
  d.expect_eq("record_b signature re-made", std::string(crypto::sign(b->payload(), key.sk).view()),
              std::string(b->signature_bytes()));
  // Encode: the two records -> proof bytes, in either argument order.
  auto ab = node::detect_fork(*a, *b);
  auto ba = node::detect_fork(*b, *a);
  if (!ab || !ba) {
    d.add("detect_fork finds no fork");
    return;
  }
  d.expect_eq("proof from (a, b)", node::encode_fork_proof(*ab), proof_bytes);
  d.expect_eq("proof from (b, a)", node::encode_fork_proof(*ba), proof_bytes);
  // Decode: proof bytes -> two records -> facts.
  auto p = node::decode_fork_proof(proof_bytes);
  if (!p) {
    d.add("decode refused: " + p.error().message);
    return;
  }
  d.expect_eq("decoded proof", *p, *ab);
  auto facts = node::verify_fork_proof(*p);
  if (!facts) {
    d.add("verify refused: " + facts.error().message);
    return;
  }
  d.expect_eq("community", crypto::to_text(facts->community), v.at("community").get<std::string>());
  d.expect_eq("author", crypto::to_text(facts->author), v.at("author").get<std::string>());
  d.expect_eq("seq", facts->seq, v.at("seq").get<std::uint64_t>());
  d.expect_eq("first_id", to_hex(facts->first_id.view()), v.at("first_id").get<std::string>());
  d.expect_eq("second_id", to_hex(facts->second_id.view()), v.at("second_id").get<std::string>());
  if (!(facts->first_id < facts->second_id)) d.add("first_id is not the smaller id");
}

void check_body(const json& v, diff& d) {
  const std::string body = v.at("body_text").get<std::string>();
  if (auto e = node::check_json_object(body, /*compact=*/false)) {
    d.add("not a record body: " + e->message);
  }
  auto kind = node::community::kind_of(v.at("type").get<std::string>());
  if (kind == node::community::record_kind::unknown) {
    d.add("unknown type");
    return;
  }
  auto r = node::community::parse_body(kind, body);
  if (r.ok() != v.at("valid").get<bool>()) {
    d.add(r.ok() ? std::string("accepted; expected a refusal") : "refused: " + r.error().message());
  }
}

std::vector<outcome> check_records(const json& file) {
  crypto::init();
  std::vector<outcome> out;
  auto run = [&](const char* section, void (*fn)(const json&, diff&)) {
    run_section(out, file, section, true, [fn](const json& v) {
      diff d;
      try {
        fn(v, d);
      } catch (const std::exception& e) {
        d.add(std::string("bad vector: ") + e.what());
      }
      return d.why;
    });
  };
  run("records", check_valid);
  run("refusals", check_refusal);
  run("fork_proofs", check_fork);
  run("bodies", check_body);
  return out;
}

ZWERM_CONFORMANCE_CHECKER("records", check_records);

}  // namespace
}  // namespace zwerm::conformance
