#include "node/records/record_writer.hpp"

#include <algorithm>

#include "base/base64url.hpp"
#include "node/records/record_parse.hpp"
#include "node/records/record_scan.hpp"

namespace zwerm::node {

namespace {

status invalid(std::string what) {
  return {status_code::invalid_argument, std::move(what)};
}

// JSON string literal for already-valid UTF-8: escapes '"', '\' and control characters.
void append_json_string(std::string* out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out->push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      default:
        if (c < 0x20) {
          *out += "\\u00";
          out->push_back(hex[c >> 4]);
          out->push_back(hex[c & 15]);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

}  // namespace

result<record> write_record(const record_fields& f, const crypto::key_pair& key) {
  bool genesis = f.type == genesis_type;
  if (f.type.empty()) return invalid("a record needs a type");
  if (genesis && f.community) return invalid("a community.create record has no community field");
  if (!genesis && !f.community) return invalid("a " + f.type + " record needs a community id");
  if (genesis && f.seq != 1) return invalid("a community.create record must have seq 1");
  const auto limit = static_cast<std::uint64_t>(max_json_integer);
  if (f.seq < 1 || f.seq > limit) return invalid("seq must be in [1, 2^53]");
  if (f.lamport < 1 || f.lamport > limit) return invalid("lamport must be in [1, 2^53]");
  if (f.ts < 0 || f.ts > max_json_integer) return invalid("ts must be in [0, 2^53]");
  if ((f.seq == 1) != !f.prev) return invalid("prev must be null exactly when seq is 1");
  // The type is checked as a JSON string's content; escaping it below cannot fail after that.
  std::string quoted_type;
  append_json_string(&quoted_type, f.type);
  if (auto e = check_json_object("{\"t\":" + quoted_type + "}", true)) {
    return invalid("the type is not valid UTF-8: " + e->message);
  }
  if (auto e = check_json_object(f.body, /*compact=*/true)) {
    return invalid("the body is not a compact JSON object zwerm accepts: " + e->message);
  }

  std::string payload;
  payload.reserve(220 + f.type.size() + f.body.size());
  payload += "{\"v\":1";
  if (f.community) {
    payload += ",\"community\":\"";
    payload += crypto::to_text(*f.community);
    payload += '"';
  }
  payload += ",\"author\":\"";
  payload += crypto::to_text(key.pk);
  payload += "\",\"seq\":";
  payload += std::to_string(f.seq);
  payload += ",\"prev\":";
  if (f.prev) {
    payload += '"';
    payload += crypto::to_text(*f.prev);
    payload += '"';
  } else {
    payload += "null";
  }
  payload += ",\"lamport\":";
  payload += std::to_string(f.lamport);
  payload += ",\"ts\":";
  payload += std::to_string(f.ts);
  payload += ",\"type\":";
  payload += quoted_type;
  payload += ",\"body\":";
  payload += f.body;
  payload += '}';
  if (payload.size() > max_payload_size) {
    return invalid("the payload would be " + std::to_string(payload.size()) +
                   " bytes; the limit is " + std::to_string(max_payload_size));
  }

  crypto::signature sig = crypto::sign(payload, key.sk);
  payload += sig.view();
  // The signature was just made with this key: parse without re-verifying it. Any refusal
  // here would be a writer bug, reported rather than returned as a record.
  auto parsed = parse_record(payload, signature_check::skip);
  if (!parsed)
    return invalid("internal error: the written record does not parse: " + parsed.error().message);
  return std::move(parsed).value();
}

result<record> write_genesis(std::string body, std::int64_t ts, const crypto::key_pair& key) {
  record_fields f;
  f.type = std::string(genesis_type);
  f.body = std::move(body);
  f.ts = ts;
  return write_record(f, key);
}

feed_writer::feed_writer(crypto::key_pair key, community_id community,
                         std::optional<feed_head> head, std::uint64_t max_lamport_seen)
    : key_(key),
      community_(community),
      head_(head),
      max_seen_(std::max(max_lamport_seen, head ? head->lamport : 0)) {}

feed_writer feed_writer::after_genesis(crypto::key_pair key, const record& genesis) {
  return feed_writer(key, genesis.community, head_after(genesis), genesis.lamport);
}

result<record> feed_writer::append(std::string type, std::string body, std::int64_t ts) {
  std::uint64_t lamport = next_lamport(max_seen_);
  if (lamport == 0) return invalid("the community's lamport clock is at its 2^53 limit");
  record_fields f;
  f.community = community_;
  f.seq = head_ ? head_->seq + 1 : 1;
  if (head_) f.prev = head_->id;
  f.lamport = lamport;
  f.ts = ts;
  f.type = std::move(type);
  f.body = std::move(body);
  auto r = write_record(f, key_);
  if (r) {
    head_ = head_after(*r);
    max_seen_ = r->lamport;
  }
  return r;
}

}  // namespace zwerm::node
