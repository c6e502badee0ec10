// zwerm-gen-record-vectors OUT_DIR: writes OUT_DIR/records.json and OUT_DIR/digests.json, the
// record-layer and digest vectors described in tests/vectors/README.md (sections
// `records.json` and `digests.json`), with the project's own
// writer, parser, fork code and digest functions. Deterministic: fixed seeds and timestamps,
// and Ed25519 signatures are deterministic, so a rerun writes the same bytes. Every refusal is
// checked against parse_record while generating (the program stops when a vector would not
// show the reason it is meant to show).
//
//   cmake --build build --target zwerm-gen-record-vectors
//   build/tests/conformance/zwerm-gen-record-vectors tests/vectors
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
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
#include "node/sync/digest.hpp"

namespace {

using json = nlohmann::ordered_json;
using namespace zwerm;
using node::record;

[[noreturn]] void die(const std::string& what) {
  std::cerr << "zwerm-gen-record-vectors: " << what << "\n";
  std::exit(1);
}

std::string hex(std::string_view b) {
  return crypto::to_hex(b);
}

struct member {
  std::string name;
  crypto::seed seed;
  crypto::key_pair key;
};

// Seed bytes first, first+1, …, first+31.
member make_member(std::string name, unsigned first) {
  member m;
  m.name = std::move(name);
  for (unsigned i = 0; i < 32; ++i) m.seed.bytes[i] = static_cast<std::uint8_t>(first + i);
  m.key = crypto::key_pair_from_seed(m.seed);
  return m;
}

template <class Id>
std::string text(const Id& d) {
  return crypto::to_text(d);
}

std::string signed_record(const std::string& payload, const crypto::key_pair& key) {
  return payload + std::string(crypto::sign(payload, key.sk).view());
}

// Replaces the one occurrence of `from` in `s`.
std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  if (at == std::string::npos || s.find(from, at + 1) != std::string::npos) {
    die("replace: \"" + from + "\" does not occur exactly once in " + s);
  }
  return s.replace(at, from.size(), to);
}

// The JSON value of the body as a vector shows it (key order as in the payload).
json body_json(std::string_view body) {
  return json::parse(body);
}

json describe(const std::string& name, const member& m, const record& r, bool writer_form,
              const std::string& note) {
  json v;
  v["name"] = name;
  if (!note.empty()) v["note"] = note;
  v["seed"] = hex(m.seed.view());
  v["payload"] = std::string(r.payload());
  v["record"] = hex(r.bytes);
  v["signature"] = hex(r.signature_bytes());
  v["id"] = hex(r.id.view());
  v["id_text"] = text(r.id);
  v["community_id"] = text(r.community);
  json f;
  f["v"] = 1;
  f["community"] = r.is_genesis() ? json(nullptr) : json(text(r.community));
  f["author"] = crypto::to_text(r.author);
  f["seq"] = r.seq;
  f["prev"] = r.prev ? json(text(*r.prev)) : json(nullptr);
  f["lamport"] = r.lamport;
  f["ts"] = r.ts;
  f["type"] = r.type;
  f["body"] = body_json(r.body);
  v["fields"] = f;
  v["body_text"] = r.body;
  v["writer_form"] = writer_form;
  auto kind = node::community::kind_of(r.type);
  v["body_schema"] =
      kind == node::community::record_kind::unknown
          ? json("unknown_type")
          : json(node::community::parse_body(kind, r.body).ok() ? "valid" : "invalid");
  return v;
}

// The community the valid vectors are written in: every writer sees every record, so lamports
// follow PROTOCOL.md §2.6.
struct history {
  std::map<std::string, node::feed_writer> writers;
  std::uint64_t max_lamport = 0;
  json out = json::array();
  std::vector<record> all;

  void seen(const record& r) {
    all.push_back(r);
    if (r.lamport > max_lamport) max_lamport = r.lamport;
    for (auto& [n, w] : writers) w.observe(r.lamport);
  }
  node::feed_writer& writer(const member& m, const community_id& c) {
    auto it = writers.find(m.name);
    if (it == writers.end()) {
      it = writers.emplace(m.name, node::feed_writer(m.key, c, std::nullopt, max_lamport)).first;
    }
    return it->second;
  }
  record add(const std::string& name, const member& m, const community_id& c,
             const std::string& type, const json& body, std::int64_t ts,
             const std::string& note = "") {
    auto r = writer(m, c).append(type, body.dump(), ts);
    if (!r) die(name + ": " + r.error().message());
    seen(*r);
    out.push_back(describe(name, m, *r, true, note));
    return *r;
  }
};

json refusal(const std::string& name, const std::string& bytes, node::reject_reason expected,
             const std::string& note) {
  auto r = node::parse_record(bytes);
  if (r.ok()) die(name + ": the record parses");
  if (r.reason() != expected) {
    die(name + ": refused with " + std::string(to_string(r.reason())) + " (" + r.error().message +
        "), not " + std::string(to_string(expected)));
  }
  json v;
  v["name"] = name;
  v["note"] = note;
  v["record"] = hex(bytes);
  v["error"] = std::string(to_string(expected));
  v["offset"] =
      r.error().offset == node::rejection::no_offset ? json(nullptr) : json(r.error().offset);
  return v;
}

json body_case(const std::string& name, const std::string& type, const std::string& body,
               bool valid, const std::string& note) {
  auto r = node::community::parse_body(node::community::kind_of(type), body);
  if (r.ok() != valid) {
    die(name + ": parse_body says " + (r.ok() ? "valid" : "invalid: " + r.error().message()));
  }
  // The body must also be acceptable inside a record, so the case is about the schema only.
  if (auto e = node::check_json_object(body, false))
    die(name + ": not a record body: " + e->message);
  json v;
  v["name"] = name;
  v["note"] = note;
  v["type"] = type;
  v["body_text"] = body;
  v["valid"] = valid;
  return v;
}

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

constexpr std::int64_t t0 = 1764244800000;  // 2025-11-27 12:00 UTC
constexpr std::int64_t hour = 3600000;

void write_file(const std::string& path, const json& doc) {
  std::ofstream f(path, std::ios::binary);
  f << doc.dump(1) << "\n";
  if (!f) die("cannot write " + path);
  std::cout << "wrote " << path << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: zwerm-gen-record-vectors OUT_DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  crypto::init();

  const member ada = make_member("ada", 0x00);  // the key of PROTOCOL.md §2.9
  const member bob = make_member("bob", 0x20);
  const member cleo = make_member("cleo", 0x40);
  const member dan = make_member("dan", 0x60);

  // ---- Valid records: every body type of PROTOCOL.md §3.2, in one community. ----
  history h;
  auto genesis = node::write_genesis(
      R"({"name":"Tuinkring","purpose":"Samen tuinieren en van elkaar leren","policy":{"invite_by":"member","quorum_pct":50}})",
      t0, ada.key);
  if (!genesis) die(genesis.error().message());
  const community_id c = genesis->community;
  h.writers.emplace("ada", node::feed_writer::after_genesis(ada.key, *genesis));
  h.seen(*genesis);
  h.out.push_back(describe("community.create", ada, *genesis, true,
                           "the genesis record of PROTOCOL.md §2.9; its id is the community id"));

  const std::string token_raw(32, '\x77');
  const crypto::digest token_hash = crypto::blake2b256(token_raw);
  const std::string token_text = crypto::base64url_encode(token_raw);

  auto inv_bob = h.add("member.invite (invitee)", ada, c, "member.invite",
                       {{"invitee", crypto::to_text(bob.key.pk)},
                        {"note", "Welkom Bob"},
                        {"expires_ts", t0 + 7 * 24 * hour}},
                       t0 + hour);
  auto inv_token =
      h.add("member.invite (token_hash)", ada, c, "member.invite",
            {{"token_hash", text(token_hash)}, {"note", ""}, {"expires_ts", t0 + 48 * hour}},
            t0 + 2 * hour, "token = 32 bytes 0x77; token_hash = BLAKE2b-256(token)");
  h.add("member.join (invitee)", bob, c, "member.join", {{"invite", text(inv_bob.id)}},
        t0 + 3 * hour);
  h.add("member.join (token)", cleo, c, "member.join",
        {{"invite", text(inv_token.id)}, {"token", token_text}}, t0 + 4 * hour);
  h.add("profile", bob, c, "profile",
        {{"name", "Bob"},
         {"about", "Imker.\nHoudt van appels."},
         {"skills", json::array({"bijen", "Snoeien"})},
         {"address", "bob.example.org:8008"}},
        t0 + 5 * hour);
  h.add("profile (address null, non-ASCII name)", cleo, c, "profile",
        {{"name", "Cléo 🌱"}, {"about", ""}, {"skills", json::array()}, {"address", nullptr}},
        t0 + 5 * hour + 1, "non-ASCII name: 9 bytes of UTF-8");
  h.add("profile (IPv6 address)", cleo, c, "profile",
        {{"name", "Cleo"},
         {"about", "tab\there"},
         {"skills", json::array({"compost"})},
         {"address", "[::1]:8008"}},
        t0 + 5 * hour + 2);
  auto req = h.add("request", ada, c, "request",
                   {{"title", "Wie weet hoe je appelbomen snoeit?"},
                    {"body", "Onze bomen zijn vijf jaar oud."},
                    {"tags", json::array({"tuin", "snoeien"})}},
                   t0 + 6 * hour);
  auto contrib = h.add("contribution (answers)", bob, c, "contribution",
                       {{"kind", "knowledge"},
                        {"title", "Snoeien in de winter"},
                        {"body", "Knip schuin, boven een knop. \"Niet\" bij vorst."},
                        {"tags", json::array({"snoeien"})},
                        {"answers", text(req.id)},
                        {"circle", nullptr}},
                       t0 + 7 * hour, "the body holds escaped quotes");
  h.add("thanks", ada, c, "thanks", {{"contribution", text(contrib.id)}, {"note", "Dank je!"}},
        t0 + 8 * hour);
  auto circle = h.add("circle.open", cleo, c, "circle.open",
                      {{"name", "Compost"}, {"purpose", "Samen composteren"}}, t0 + 9 * hour);
  h.add("circle.join", bob, c, "circle.join", {{"circle", text(circle.id)}}, t0 + 10 * hour);
  h.add("contribution (circle)", bob, c, "contribution",
        {{"kind", "event"},
         {"title", "Zeefdag"},
         {"body", ""},
         {"tags", json::array()},
         {"answers", nullptr},
         {"circle", text(circle.id)}},
        t0 + 11 * hour);
  h.add("circle.leave", bob, c, "circle.leave", {{"circle", text(circle.id)}}, t0 + 12 * hour);
  h.add("circle.close", cleo, c, "circle.close", {{"circle", text(circle.id)}}, t0 + 13 * hour);
  auto agreement = h.add("proposal (agreement)", ada, c, "proposal",
                         {{"action", "agreement"},
                          {"text", "We delen gereedschap."},
                          {"supersedes", nullptr},
                          {"reason", ""}},
                         t0 + 14 * hour);
  h.add("endorse", bob, c, "endorse", {{"proposal", text(agreement.id)}}, t0 + 15 * hour);
  h.add("proposal (agreement, supersedes)", ada, c, "proposal",
        {{"action", "agreement"},
         {"text", "We delen gereedschap en zaden."},
         {"supersedes", text(agreement.id)},
         {"reason", "zaden erbij"}},
        t0 + 16 * hour);
  h.add("proposal (purpose)", bob, c, "proposal",
        {{"action", "purpose"}, {"text", "Samen tuinieren"}, {"reason", "korter"}}, t0 + 17 * hour);
  h.add("proposal (steward)", cleo, c, "proposal",
        {{"action", "steward"}, {"member", crypto::to_text(bob.key.pk)}, {"reason", ""}},
        t0 + 18 * hour);
  h.add("proposal (remove)", bob, c, "proposal",
        {{"action", "remove"}, {"member", crypto::to_text(cleo.key.pk)}, {"reason", "test"}},
        t0 + 19 * hour);
  h.add("steward.handover", ada, c, "steward.handover", {{"to", crypto::to_text(bob.key.pk)}},
        t0 + 20 * hour);
  h.add("member.leave", cleo, c, "member.leave", {{"reason", "Verhuisd"}}, t0 + 21 * hour);
  h.add("proposal (dissolve)", ada, c, "proposal", {{"action", "dissolve"}, {"reason", ""}},
        t0 + 22 * hour);
  h.add(
      "unknown type (forward compatibility)", dan, c, "x.poll",
      {{"question", "Koffie?"}, {"options", json::array({"ja", "nee"})}, {"n", 9007199254740992LL}},
      t0 + 23 * hour,
      "a type this version does not know passes the record layer; views ignore it. The "
      "body holds 2^53, the largest integer the grammar accepts");

  // Records that are valid but not in the writer's form: the id and signature are over the
  // exact bytes; nothing is re-serialised.
  auto raw_valid = [&](const std::string& name, const member& m, const std::string& payload,
                       const std::string& note) {
    std::string bytes = signed_record(payload, m.key);
    auto r = node::parse_record(bytes);
    if (!r) die(name + ": " + r.error().message);
    h.out.push_back(describe(name, m, *r, false, note));
    return *r;
  };
  const std::string ada_text = crypto::to_text(ada.key.pk);
  const std::string c_text = text(c);
  const std::string req_payload(req.payload());
  raw_valid("whitespace and key order", ada,
            "\r\n {\"body\" : {\"tags\" : [ \"tuin\" ] , \"body\":\"\" ,\"title\":\"Hek\"},\t"
            "\"type\":\"request\",\"ts\":" +
                std::to_string(t0) + ",\"lamport\":40,\"prev\":\"" + text(req.id) +
                "\",\"seq\":9,\"author\":\"" + ada_text + "\",\"community\":\"" + c_text +
                "\",\"v\":1} \n",
            "fields in any order, whitespace around tokens and the object; body_text keeps "
            "the body's inner whitespace");
  raw_valid("escaped header strings", ada,
            replace(replace(req_payload, "\"type\":\"request\"", "\"type\":\"re\\u0071uest\""),
                    "\"author\":\"A6EH", "\"author\":\"\\u00416EH"),
            "type and ids are compared after JSON unescaping: \"re\\u0071uest\" is the type "
            "request, \"\\u00416EH…\" is the author A6EH…");
  raw_valid("escaped genesis type", ada,
            replace(std::string(genesis->payload()), "\"type\":\"community.create\"",
                    "\"type\":\"community\\u002ecreate\""),
            "an escaped community.create is a genesis record (no community field; its "
            "community id is its own id)");
  {
    node::record_fields f;
    f.type = "community.create";
    f.lamport = 5;
    f.ts = t0;
    f.body =
        R"({"name":"Vijf","purpose":"lamport 5","policy":{"invite_by":"steward","quorum_pct":0}})";
    auto r = node::write_record(f, dan.key);
    if (!r) die(r.error().message());
    h.out.push_back(describe("genesis with lamport 5", dan, *r, true,
                             "nothing checks a genesis record's lamport (PROTOCOL.md §2.6): "
                             "any lamport >= 1 passes §2.4"));
  }
  {
    // The largest payload: exactly 16384 bytes.
    node::record_fields f;
    f.community = c;
    f.seq = 1;
    f.lamport = 1;
    f.ts = 0;
    f.type = "x.pad";
    f.body = R"({"pad":""})";
    auto probe = node::write_record(f, dan.key);
    if (!probe) die(probe.error().message());
    std::size_t missing = node::max_payload_size - probe->payload().size();
    f.body = "{\"pad\":\"" + std::string(missing, 'x') + "\"}";
    auto r = node::write_record(f, dan.key);
    if (!r || r->payload().size() != node::max_payload_size) die("16384-byte payload");
    h.out.push_back(describe("payload of exactly 16384 bytes", dan, *r, true,
                             "the size limit is inclusive; ts 0 is the smallest ts"));
  }
  {
    // The deepest nesting: the payload is level 1, the body level 2, 30 more arrays = 32.
    node::record_fields f;
    f.community = c;
    f.seq = 1;
    f.lamport = 9007199254740992LL;
    f.ts = 9007199254740992LL;
    f.type = "x.deep";
    f.body = "{\"a\":" + repeat("[", 30) + repeat("]", 30) + "}";
    auto r = node::write_record(f, dan.key);
    if (!r) die(r.error().message());
    h.out.push_back(describe("nesting 32 levels, lamport and ts 2^53", dan, *r, true,
                             "payload level 1, body level 2, 30 nested arrays: level 32, the "
                             "limit"));
  }

  // ---- Refusals: one or more per reason, in PROTOCOL.md §2.4 order. ----
  json refusals = json::array();
  using rr = node::reject_reason;
  auto sgn = [&](const std::string& payload) { return signed_record(payload, ada.key); };
  auto mut = [&](const std::string& from, const std::string& to) {
    return sgn(replace(req_payload, from, to));
  };
  const std::string good_sig(req.signature_bytes());
  const std::string seq_kv = "\"seq\":" + std::to_string(req.seq);
  refusals.push_back(refusal("empty", "", rr::too_short, "0 bytes"));
  refusals.push_back(refusal("65 bytes", "{" + good_sig, rr::too_short,
                             "one payload byte and a signature: below the 66-byte minimum"));
  refusals.push_back(refusal("payload of 16385 bytes",
                             sgn("{\"v\":1,\"pad\":\"" + std::string(16385 - 16, 'x') + "\"}"),
                             rr::payload_too_large, "refused before anything is scanned"));
  refusals.push_back(refusal("array payload", sgn("[1]"), rr::not_an_object, ""));
  refusals.push_back(refusal("byte-order mark", sgn("\xEF\xBB\xBF" + req_payload),
                             rr::not_an_object, "a BOM is not whitespace"));
  refusals.push_back(
      refusal("bytes after the object", sgn(req_payload + "x"), rr::syntax_error, ""));
  refusals.push_back(refusal("two objects", sgn(req_payload + "{}"), rr::syntax_error, ""));
  refusals.push_back(refusal("missing comma", mut(",\"seq\":", " \"seq\":"), rr::syntax_error, ""));
  refusals.push_back(refusal("minimal payload {}", sgn("{}"), rr::missing_field,
                             "66 bytes pass the size rule; then v is missing"));
  refusals.push_back(refusal(
      "nesting 33 levels",
      mut("\"tags\":[\"tuin\",\"snoeien\"]", "\"tags\":" + repeat("[", 31) + repeat("]", 31)),
      rr::nesting_too_deep, "payload 1, body 2, 31 arrays: level 33 (32 is the limit)"));
  refusals.push_back(refusal("duplicate top-level key",
                             mut(",\"lamport\":", ",\"seq\":2,\"lamport\":"), rr::duplicate_key,
                             "\"seq\" twice"));
  refusals.push_back(refusal("duplicate key after unescaping",
                             mut("\"tags\":", "\"t\\u0061gs\":[],\"tags\":"), rr::duplicate_key,
                             "\"t\\u0061gs\" and \"tags\" in the body are the same key"));
  refusals.push_back(
      refusal("fraction", mut("\"lamport\":", "\"x\":1.0,\"lamport\":"), rr::float_number, ""));
  refusals.push_back(
      refusal("exponent", mut("\"lamport\":", "\"x\":0E0,\"lamport\":"), rr::float_number, ""));
  refusals.push_back(refusal("leading zero",
                             mut(seq_kv, seq_kv.substr(0, 6) + "0" + seq_kv.substr(6)),
                             rr::invalid_number, ""));
  refusals.push_back(
      refusal("negative zero", mut("\"ts\":", "\"x\":-0,\"ts\":"), rr::invalid_number, ""));
  refusals.push_back(
      refusal("lone minus", mut("\"ts\":", "\"x\":-,\"ts\":"), rr::invalid_number, ""));
  refusals.push_back(refusal("integer 2^53+1", mut("\"ts\":", "\"x\":9007199254740993,\"ts\":"),
                             rr::integer_out_of_range, ""));
  refusals.push_back(refusal("integer -2^53-1", mut("\"tags\":[", "\"tags\":[-9007199254740993,"),
                             rr::integer_out_of_range, "in the body"));
  refusals.push_back(
      refusal("overlong UTF-8", mut("snoeit?", "snoeit\xC0\xBF"), rr::invalid_utf8, "C0 BF"));
  refusals.push_back(refusal("encoded surrogate", mut("snoeit?", "snoeit\xED\xA0\x80"),
                             rr::invalid_utf8, "ED A0 80"));
  refusals.push_back(refusal("above U+10FFFF", mut("snoeit?", "snoeit\xF4\x90\x80\x80"),
                             rr::invalid_utf8, "F4 90 80 80"));
  refusals.push_back(refusal("truncated UTF-8", mut("snoeit?", "snoeit\xE2\x82"), rr::invalid_utf8,
                             "E2 82 then a quote"));
  refusals.push_back(
      refusal("unknown escape", mut("snoeit?", "snoeit\\x"), rr::invalid_escape, "\\x"));
  refusals.push_back(refusal("lone high surrogate escape", mut("snoeit?", "snoeit\\ud800"),
                             rr::invalid_escape, ""));
  refusals.push_back(refusal("lone low surrogate escape", mut("snoeit?", "snoeit\\uDC00"),
                             rr::invalid_escape, ""));
  refusals.push_back(
      refusal("short \\u escape", mut("snoeit?", "snoeit\\u12"), rr::invalid_escape, ""));
  refusals.push_back(refusal("raw control byte", mut("snoeit?", "snoeit\x01"),
                             rr::control_character, "byte 0x01 in a string"));
  refusals.push_back(refusal("raw tab in a string", mut("snoeit?", "snoeit\t"),
                             rr::control_character, "tab must be escaped inside strings"));
  refusals.push_back(refusal("v 2", mut("\"v\":1", "\"v\":2"), rr::unsupported_version, ""));
  refusals.push_back(refusal("v 2 with an unknown field", mut("\"v\":1", "\"v\":2,\"w\":0"),
                             rr::unsupported_version,
                             "the version is checked before the field set"));
  refusals.push_back(refusal("unknown field", mut("\"lamport\":", "\"extra\":null,\"lamport\":"),
                             rr::unknown_field, ""));
  refusals.push_back(refusal("unknown field before a missing type",
                             mut(",\"type\":\"request\"", ",\"Type\":\"request\""),
                             rr::unknown_field, "field names are case-sensitive"));
  for (const char* field : {"author", "seq", "prev", "lamport", "ts", "body"}) {
    std::string p = req_payload;
    auto key = std::string("\"") + field + "\":";
    auto at = p.find(key);
    auto end = std::string(field) == "body" ? p.size() - 1 : p.find(",\"", at + key.size());
    if (std::string(field) == "prev") end = p.find(",\"lamport\"");
    p.erase(at - 1, end - at + 1);
    refusals.push_back(refusal(std::string("missing ") + field, sgn(p), rr::missing_field, ""));
  }
  refusals.push_back(refusal("missing v", mut("\"v\":1,", ""), rr::missing_field, ""));
  refusals.push_back(
      refusal("missing type", mut(",\"type\":\"request\"", ""), rr::missing_field, ""));
  refusals.push_back(
      refusal("v as a string", mut("\"v\":1", "\"v\":\"1\""), rr::wrong_field_type, ""));
  refusals.push_back(refusal("seq as a string", mut(seq_kv, "\"seq\":\"" + seq_kv.substr(6) + "\""),
                             rr::wrong_field_type, ""));
  refusals.push_back(refusal("prev as a number",
                             mut("\"prev\":\"" + text(req.prev.value()) + "\"", "\"prev\":7"),
                             rr::wrong_field_type, ""));
  refusals.push_back(refusal("type as an array",
                             mut("\"type\":\"request\"", "\"type\":[\"request\"]"),
                             rr::wrong_field_type, ""));
  refusals.push_back(refusal("community as null",
                             mut("\"community\":\"" + c_text + "\"", "\"community\":null"),
                             rr::wrong_field_type, ""));
  {
    std::string p = req_payload;
    auto at = p.find(",\"body\":");
    p = p.substr(0, at) + ",\"body\":[]}";
    refusals.push_back(refusal("body as an array", sgn(p), rr::wrong_field_type, ""));
  }
  refusals.push_back(refusal("author of 42 characters", mut(ada_text, ada_text.substr(0, 42)),
                             rr::invalid_id, ""));
  refusals.push_back(
      refusal("author with padding", mut(ada_text, ada_text + "="), rr::invalid_id, ""));
  refusals.push_back(
      refusal("author with non-zero unused bits",
              mut("\"author\":\"" + ada_text, "\"author\":\"" + ada_text.substr(0, 42) + "h"),
              rr::invalid_id, "the last character of A6EH…Mbg is g; h sets an unused low bit"));
  refusals.push_back(refusal("community in standard base64", mut(c_text, replace(c_text, "-", "+")),
                             rr::invalid_id, "'+' is not in the base64url alphabet"));
  refusals.push_back(refusal("prev in hex",
                             mut("\"prev\":\"" + text(req.prev.value()) + "\"",
                                 "\"prev\":\"" + hex(req.prev->view()) + "\""),
                             rr::invalid_id, ""));
  refusals.push_back(refusal("seq 0", mut(seq_kv, "\"seq\":0"), rr::field_out_of_range, ""));
  refusals.push_back(refusal("lamport 0 and an unknown field",
                             mut("\"lamport\":", "\"lamport\":0,\"x\":"), rr::unknown_field,
                             "an unknown field comes before the lamport range"));
  {
    std::string p = req_payload;
    auto at = p.find("\"lamport\":") + 10;
    auto end = p.find(',', at);
    refusals.push_back(refusal("lamport 0 (alone)", sgn(p.replace(at, end - at, "0")),
                               rr::field_out_of_range, ""));
    p = req_payload;
    at = p.find("\"ts\":") + 5;
    end = p.find(',', at);
    refusals.push_back(
        refusal("ts -1", sgn(p.replace(at, end - at, "-1")), rr::field_out_of_range, ""));
  }
  refusals.push_back(
      refusal("empty type", mut("\"type\":\"request\"", "\"type\":\"\""), rr::empty_type, ""));
  refusals.push_back(refusal("genesis with a community field",
                             sgn(replace(std::string(genesis->payload()), "\"v\":1,",
                                         "\"v\":1,\"community\":\"" + c_text + "\",")),
                             rr::genesis_with_community, ""));
  refusals.push_back(refusal("missing community", mut("\"community\":\"" + c_text + "\",", ""),
                             rr::missing_community, ""));
  refusals.push_back(
      refusal("genesis with seq 2",
              sgn(replace(replace(std::string(genesis->payload()), "\"seq\":1", "\"seq\":2"),
                          "\"prev\":null", "\"prev\":\"" + c_text + "\"")),
              rr::genesis_not_first, ""));
  refusals.push_back(refusal("seq 2 with prev null",
                             mut("\"prev\":\"" + text(req.prev.value()) + "\"", "\"prev\":null"),
                             rr::seq_prev_mismatch, ""));
  refusals.push_back(
      refusal("seq 1 with a prev id", mut(seq_kv, "\"seq\":1"), rr::seq_prev_mismatch, ""));
  {
    std::string flipped = req.bytes;
    flipped[flipped.size() - 1] = static_cast<char>(flipped.back() ^ 0x01);
    refusals.push_back(refusal("flipped signature bit", flipped, rr::bad_signature, ""));
    std::string other =
        std::string(req.payload()) + std::string(crypto::sign(req.payload(), bob.key.sk).view());
    refusals.push_back(refusal("signed by another key", other, rr::bad_signature,
                               "a valid signature of bob over ada's payload"));
    std::string changed = replace(req_payload, "vijf", "zes");
    refusals.push_back(
        refusal("payload changed after signing", changed + good_sig, rr::bad_signature, ""));
  }

  // ---- Fork proofs. ----
  json forks = json::array();
  {
    // bob's next record, written twice.
    node::feed_writer w = h.writer(bob, c);
    node::feed_writer w2 = w;
    auto a = w.append("request",
                      json({{"title", "Ladder?"}, {"body", ""}, {"tags", json::array()}}).dump(),
                      t0 + 30 * hour);
    auto b = w2.append(
        "request", json({{"title", "Kruiwagen?"}, {"body", ""}, {"tags", json::array()}}).dump(),
        t0 + 30 * hour);
    if (!a || !b) die("fork records");
    auto proof = node::detect_fork(*a, *b);
    if (!proof) die("no fork");
    auto facts = node::verify_fork_proof(*proof);
    if (!facts) die("fork proof: " + facts.error().message);
    std::string enc = node::encode_fork_proof(*proof);
    json v;
    v["name"] = "fork of bob at one seq";
    v["note"] =
        "record_a and record_b share community, author and seq; proof puts the smaller id first";
    v["seed"] = hex(bob.seed.view());
    v["record_a"] = hex(a->bytes);
    v["record_b"] = hex(b->bytes);
    v["proof"] = hex(enc);
    v["community"] = text(facts->community);
    v["author"] = crypto::to_text(facts->author);
    v["seq"] = facts->seq;
    v["first_id"] = hex(facts->first_id.view());
    v["second_id"] = hex(facts->second_id.view());
    forks.push_back(v);
    {
      // The same two records, the larger id first: not the writer's order, still a proof.
      node::fork_proof swapped{proof->second, proof->first};
      auto sf = node::verify_fork_proof(swapped);
      if (!sf) die("swapped proof: " + sf.error().message);
      json w;
      w["name"] = "larger id first";
      w["note"] = "the order is not checked by decode or verify: first_id is then the larger id";
      w["proof"] = hex(node::encode_fork_proof(swapped));
      w["community"] = text(sf->community);
      w["author"] = crypto::to_text(sf->author);
      w["seq"] = sf->seq;
      w["first_id"] = hex(sf->first_id.view());
      w["second_id"] = hex(sf->second_id.view());
      forks.push_back(w);
    }

    auto bad = [&](const std::string& name, const std::string& bytes, rr expected,
                   const std::string& note) {
      auto d = node::decode_fork_proof(bytes);
      std::optional<node::rejection> got;
      if (!d) {
        got = d.error();
      } else {
        auto f = node::verify_fork_proof(*d);
        if (f) die(name + ": the proof verifies");
        got = f.error();
      }
      if (got->reason != expected) {
        die(name + ": " + std::string(to_string(got->reason)) + ": " + got->message);
      }
      json e;
      e["name"] = name;
      e["note"] = note;
      e["proof"] = hex(bytes);
      e["error"] = std::string(to_string(expected));
      forks.push_back(e);
    };
    auto u32 = [](std::size_t n) {
      std::string s;
      for (int shift = 24; shift >= 0; shift -= 8)
        s.push_back(static_cast<char>(n >> shift & 0xff));
      return s;
    };
    bad("empty proof", "", rr::malformed_fork_proof, "no length field");
    bad("trailing byte", enc + "x", rr::malformed_fork_proof,
        "nothing may follow the second record");
    bad("second record cut short", enc.substr(0, enc.size() - 1), rr::malformed_fork_proof, "");
    bad("length field cut short", enc.substr(0, 4 + proof->first.size() + 3),
        rr::malformed_fork_proof, "");
    bad("length above 16448", u32(16449) + proof->first, rr::malformed_fork_proof,
        "each record is at most 16384 + 64 bytes; the length alone refuses the proof");
    bad("the same record twice", u32(a->bytes.size()) + a->bytes + u32(a->bytes.size()) + a->bytes,
        rr::not_a_fork, "one id");
    {
      const record& other_seq = h.all[3];  // bob's member.join, seq 1
      bad("two seqs of one feed",
          u32(a->bytes.size()) + a->bytes + u32(other_seq.bytes.size()) + other_seq.bytes,
          rr::not_a_fork, "same community and author, different seq");
    }
    {
      const record& ada_req = req;
      bad("two authors",
          u32(a->bytes.size()) + a->bytes + u32(ada_req.bytes.size()) + ada_req.bytes,
          rr::not_a_fork, "different authors");
    }
    {
      std::string broken = b->bytes;
      broken.back() = static_cast<char>(broken.back() ^ 0x80);
      bad("second record badly signed",
          u32(a->bytes.size()) + a->bytes + u32(broken.size()) + broken, rr::bad_signature,
          "a record of the proof that fails §2.4 refuses the proof with its reason");
    }
    bad("first record too short", u32(3) + "{}x" + u32(b->bytes.size()) + b->bytes, rr::too_short,
        "framing is fine; the first record is refused");
  }

  // ---- Body schemas: the rules PROTOCOL.md §3.2 states precisely for edge cases. ----
  json bodies = json::array();
  const std::string id_ok = text(req.id);
  bodies.push_back(
      body_case("name 64 bytes after unescaping", "circle.open",
                "{\"name\":\"" + repeat("\\u0041", 64) + "\",\"purpose\":\"\"}", true,
                "lengths count the bytes of the decoded UTF-8 text, not the escaped JSON"));
  bodies.push_back(body_case("name 65 bytes after unescaping", "circle.open",
                             "{\"name\":\"" + repeat("\\u0041", 65) + "\",\"purpose\":\"\"}", false,
                             ""));
  bodies.push_back(body_case("name 64 bytes of UTF-8 (32 x é)", "circle.open",
                             "{\"name\":\"" + repeat("\xC3\xA9", 32) + "\",\"purpose\":\"\"}", true,
                             "lengths are UTF-8 bytes, not characters"));
  bodies.push_back(body_case("name 66 bytes of UTF-8 (33 x é)", "circle.open",
                             "{\"name\":\"" + repeat("\xC3\xA9", 33) + "\",\"purpose\":\"\"}",
                             false, ""));
  bodies.push_back(
      body_case("line text with C1 control U+0085", "circle.open",
                "{\"name\":\"a\xC2\x85"
                "b\",\"purpose\":\"\"}",
                true, "only code points below U+0020 and U+007F are refused; C1 controls pass"));
  bodies.push_back(body_case(
      "line text with U+2028 and U+2029", "circle.open",
      "{\"name\":\"a\\u2028b\xE2\x80\xA9"
      "c\",\"purpose\":\"\"}",
      true, "LINE SEPARATOR (escaped) and PARAGRAPH SEPARATOR (raw) pass in a line text"));
  bodies.push_back(body_case("line text with DEL", "circle.open",
                             "{\"name\":\"a\x7f"
                             "b\",\"purpose\":\"\"}",
                             false, "U+007F is refused"));
  bodies.push_back(body_case("line text with escaped tab", "circle.open",
                             "{\"name\":\"a\\tb\",\"purpose\":\"\"}", false,
                             "escaped control characters are checked after unescaping"));
  bodies.push_back(body_case("multi-line text with tab, LF, CR", "circle.open",
                             "{\"name\":\"a\",\"purpose\":\"x\\ty\\nz\\r\"}", true, ""));
  bodies.push_back(body_case("multi-line text with \\u0000", "circle.open",
                             "{\"name\":\"a\",\"purpose\":\"x\\u0000\"}", false,
                             "the record grammar allows \\u0000; the schema refuses it in texts"));
  bodies.push_back(body_case("multi-line text with DEL", "circle.open",
                             "{\"name\":\"a\",\"purpose\":\"x\\u007f\"}", false, ""));
  bodies.push_back(body_case("tag with C1 control", "request",
                             "{\"title\":\"t\",\"body\":\"\",\"tags\":[\"a\xC2\x80\"]}", true, ""));
  bodies.push_back(body_case("tags equal after ASCII lower-casing", "request",
                             "{\"title\":\"t\",\"body\":\"\",\"tags\":[\"Tuin\",\"tUIN\"]}", false,
                             ""));
  bodies.push_back(body_case("tags differing only in non-ASCII case", "request",
                             "{\"title\":\"t\",\"body\":\"\",\"tags\":[\"\xC3\x89\",\"\xC3\xA9\"]}",
                             true, "É and é are different tags: only A-Z are lower-cased"));
  bodies.push_back(body_case(
      "tag of 33 bytes", "request",
      "{\"title\":\"t\",\"body\":\"\",\"tags\":[\"" + std::string(33, 't') + "\"]}", false, ""));
  bodies.push_back(body_case(
      "17 tags", "request",
      "{\"title\":\"t\",\"body\":\"\",\"tags\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\","
      "\"h\",\"i\",\"j\",\"k\",\"l\",\"m\",\"n\",\"o\",\"p\",\"q\"]}",
      false, "at most 16"));
  bodies.push_back(
      body_case("body id escaped", "endorse",
                "{\"proposal\":\"\\u00" + hex(id_ok.substr(0, 1)) + id_ok.substr(1) + "\"}", true,
                "ids in bodies are decoded after JSON unescaping, like header ids"));
  bodies.push_back(
      body_case("body id with padding", "endorse", "{\"proposal\":\"" + id_ok + "=\"}", false, ""));
  bodies.push_back(body_case("body id of 42 characters", "endorse",
                             "{\"proposal\":\"" + id_ok.substr(0, 42) + "\"}", false, ""));
  {
    // Same id with a non-zero unused low bit in the last character.
    std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string noisy = id_ok;
    noisy[42] = alphabet[alphabet.find(noisy[42]) | 1];
    if (noisy == id_ok) noisy[42] = alphabet[alphabet.find(noisy[42]) ^ 2];
    bodies.push_back(body_case(
        "body id with non-zero unused bits", "endorse", "{\"proposal\":\"" + noisy + "\"}", false,
        "strict base64url as in §2.1: every 32-byte value has one text form"));
  }
  bodies.push_back(body_case("body id in standard base64", "steward.handover",
                             "{\"to\":\"+" + crypto::to_text(bob.key.pk).substr(1) + "\"}", false,
                             ""));
  bodies.push_back(body_case("token of 32 bytes", "member.join",
                             "{\"invite\":\"" + id_ok + "\",\"token\":\"" + token_text + "\"}",
                             true, ""));
  bodies.push_back(body_case("token of 31 bytes", "member.join",
                             "{\"invite\":\"" + id_ok + "\",\"token\":\"" +
                                 crypto::base64url_encode(std::string(31, '\x77')) + "\"}",
                             false, "a token is exactly 32 bytes (43 characters)"));
  bodies.push_back(body_case("token with padding", "member.join",
                             "{\"invite\":\"" + id_ok + "\",\"token\":\"" + token_text + "=\"}",
                             false, ""));
  bodies.push_back(body_case("token null", "member.join",
                             "{\"invite\":\"" + id_ok + "\",\"token\":null}", false,
                             "to join an id invite the token field is absent, not null"));
  bodies.push_back(body_case("invite with invitee and token_hash", "member.invite",
                             "{\"invitee\":\"" + crypto::to_text(bob.key.pk) +
                                 "\",\"token_hash\":\"" + text(token_hash) +
                                 "\",\"note\":\"\",\"expires_ts\":0}",
                             false, "exactly one of the two"));
  bodies.push_back(body_case(
      "quorum_pct 99", "community.create",
      R"({"name":"n","purpose":"p","policy":{"invite_by":"member","quorum_pct":99}})", true, ""));
  bodies.push_back(body_case(
      "quorum_pct 100", "community.create",
      R"({"name":"n","purpose":"p","policy":{"invite_by":"member","quorum_pct":100}})", false, ""));
  bodies.push_back(body_case("extra field", "member.leave", R"({"reason":"","x":1})", false,
                             "exactly the listed fields"));
  bodies.push_back(body_case("dissolve with a text", "proposal",
                             R"({"action":"dissolve","text":"t","reason":""})", false,
                             "dissolve has only action and reason"));
  bodies.push_back(body_case(
      "contribution kind escaped", "contribution",
      R"({"kind":"h\u0065lp","title":"t","body":"","tags":[],"answers":null,"circle":null})", true,
      "enumerated strings are compared after unescaping"));
  bodies.push_back(body_case("address port 0", "profile",
                             R"({"name":"n","about":"","skills":[],"address":"host:0"})", false,
                             ""));
  bodies.push_back(body_case("address port with leading zero", "profile",
                             R"({"name":"n","about":"","skills":[],"address":"host:080"})", false,
                             ""));
  bodies.push_back(body_case("address without port", "profile",
                             R"({"name":"n","about":"","skills":[],"address":"host"})", false, ""));
  bodies.push_back(body_case("address port 65535", "profile",
                             R"({"name":"n","about":"","skills":[],"address":"a-b.c:65535"})", true,
                             ""));

  json records;
  records["kind"] = "records";
  records["about"] =
      "Record-layer vectors of docs/PROTOCOL.md §2-§3.2, written by zwerm's own code "
      "(tests/conformance/gen_record_vectors.cpp). Format: tests/vectors/README.md, section "
      "records.json. Bytes are "
      "lowercase hex; ids also in text form (base64url).";
  records["records"] = h.out;
  records["refusals"] = refusals;
  records["fork_proofs"] = forks;
  records["bodies"] = bodies;
  write_file(dir + "/records.json", records);

  // ---- Digests (PROTOCOL.md §5.2). ----
  json digests;
  digests["kind"] = "digests";
  digests["about"] =
      "feed_hash, bucket and frontier digests of docs/PROTOCOL.md §5.2, computed by zwerm's "
      "node/sync/digest.hpp (tests/conformance/gen_record_vectors.cpp). Format: "
      "tests/vectors/README.md, section digests.json. Bytes are lowercase hex.";
  struct head {
    crypto::public_key author;
    std::uint64_t seq;
    record_id id;
    bool forked;
  };
  auto head_json = [](const head& x) {
    json v;
    v["author"] = hex(x.author.view());
    v["seq"] = x.seq;
    v["id"] = hex(x.id.view());
    v["forked"] = x.forked ? 1 : 0;
    return v;
  };
  json feed_hashes = json::array();
  auto fh = [&](const std::string& name, const head& x) {
    json v;
    v["name"] = name;
    v["head"] = head_json(x);
    v["feed_hash"] = hex(node::sync::feed_hash(x.author, x.seq, x.id, x.forked).view());
    feed_hashes.push_back(v);
  };
  // Heads of the community of records.json: the last record of each author there.
  std::map<std::string, head> last;
  for (const auto& r : h.all) {
    if (r.community != c) continue;
    last[crypto::to_text(r.author)] = head{r.author, r.seq, r.id, false};
  }
  head ada_head = last.at(crypto::to_text(ada.key.pk));
  head bob_head = last.at(crypto::to_text(bob.key.pk));
  head cleo_head = last.at(crypto::to_text(cleo.key.pk));
  head dan_head = last.at(crypto::to_text(dan.key.pk));
  fh("ada's head, not forked", ada_head);
  head ada_forked = ada_head;
  ada_forked.forked = true;
  fh("ada's head, forked", ada_forked);
  fh("bob's head", bob_head);
  fh("genesis as a head", head{ada.key.pk, 1, genesis_of(c), false});
  crypto::public_key all_ff;
  all_ff.bytes.fill(0xff);
  record_id zero_id;
  fh("author ff..ff, seq 2^64-1, id 00..00, forked",
     head{all_ff, 0xffffffffffffffffULL, zero_id, true});
  fh("seq 2^53 (be64 0020000000000000)",
     head{bob.key.pk, 9007199254740992ULL, genesis_of(c), false});

  // Two keys whose first byte is equal: the first collision among the seeds k, k+1, …, k+31
  // for k = 0x80, 0x81, …, found deterministically.
  std::optional<member> same_a, same_b;
  {
    std::map<std::uint8_t, member> by_first;
    for (unsigned k = 0x80; k < 0x80 + 200 && !same_a; ++k) {
      member m = make_member("m" + std::to_string(k), k);
      auto [it, fresh] = by_first.emplace(m.key.pk.bytes[0], m);
      if (!fresh) {
        same_a = it->second;
        same_b = m;
      }
    }
    if (!same_a) die("no two keys with one first byte");
  }
  json sets = json::array();
  auto frontier_case = [&](const std::string& name, const std::vector<head>& heads,
                           const std::string& note) {
    node::sync::bucket_digest_array buckets{};
    for (const auto& x : heads) {
      node::sync::xor_into(buckets[x.author.bytes[0]],
                           node::sync::feed_hash(x.author, x.seq, x.id, x.forked));
    }
    json v;
    v["name"] = name;
    if (!note.empty()) v["note"] = note;
    json hs = json::array();
    for (const auto& x : heads) hs.push_back(head_json(x));
    v["heads"] = hs;
    json bs = json::array();
    for (std::size_t b = 0; b < 256; ++b) {
      if (buckets[b].is_zero()) continue;
      json e;
      e["bucket"] = b;
      e["digest"] = hex(buckets[b].view());
      bs.push_back(e);
    }
    v["buckets"] = bs;
    v["frontier"] = hex(node::sync::frontier_of(buckets).view());
    sets.push_back(v);
  };
  frontier_case("no heads", {}, "256 zero buckets: BLAKE2b-256 of 8192 zero bytes");
  frontier_case("one head", {ada_head}, "");
  frontier_case("community of records.json", {ada_head, bob_head, cleo_head, dan_head},
                "the last record of each author there (its valid records written in order)");
  frontier_case("same heads, other order", {dan_head, cleo_head, ada_head, bob_head},
                "the frontier does not depend on the order of the heads");
  frontier_case(
      "cleo forked",
      {ada_head, bob_head, head{cleo_head.author, cleo_head.seq, cleo_head.id, true}, dan_head},
      "");
  const head sa{same_a->key.pk, 3, crypto::record_id_of("a"), false};
  const head sb{same_b->key.pk, 7, crypto::record_id_of("b"), true};
  frontier_case("two heads in one bucket", std::vector<head>{sa, sb, ada_head},
                "the first two authors share their first byte (seeds " + hex(same_a->seed.view()) +
                    " and " + hex(same_b->seed.view()) +
                    "): their bucket is the XOR of both feed hashes");
  frontier_case("one head of that bucket", {sb, ada_head}, "");
  digests["feed_hashes"] = feed_hashes;
  digests["frontiers"] = sets;
  write_file(dir + "/digests.json", digests);
  return 0;
}
