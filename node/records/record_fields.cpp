#include "node/records/record_fields.hpp"

#include "base/base64url.hpp"

namespace zwerm::node::detail {

namespace {

std::string_view kind_name(kind k) {
  switch (k) {
    case kind::string:
      return "a string";
    case kind::number:
      return "an integer";
    case kind::object:
      return "an object";
    case kind::array:
      return "an array";
    case kind::boolean:
      return "a boolean";
    case kind::null:
      return "null";
    case kind::none:
      break;
  }
  return "nothing";
}

rejection field_error(reject_reason reason, std::size_t at, std::string what) {
  if (at != rejection::no_offset) {
    what += " at byte ";
    what += std::to_string(at);
  }
  return rejection{reason, at, std::move(what)};
}

std::optional<rejection> require(const value_info& f, int idx, kind k) {
  std::string name = quote(field_names[static_cast<std::size_t>(idx)]);
  if (f.k == kind::none) {
    return field_error(reject_reason::missing_field, rejection::no_offset,
                       "the required field " + name + " is missing");
  }
  if (f.k != k) {
    return field_error(reject_reason::wrong_field_type, f.offset,
                       "field " + name + " must be " + std::string(kind_name(k)) + ", not " +
                           std::string(kind_name(f.k)));
  }
  return std::nullopt;
}

template <class T>
std::optional<rejection> decode_id(const value_info& f, int idx, T* out) {
  if (f.str.size() != 43 || !crypto::from_text(f.str, out)) {
    return field_error(reject_reason::invalid_id, f.offset,
                       "field " + quote(field_names[static_cast<std::size_t>(idx)]) +
                           " is not a 43-character base64url id");
  }
  return std::nullopt;
}

std::optional<rejection> check_min(const value_info& f, int idx, std::int64_t min) {
  if (f.integer < min) {
    return field_error(reject_reason::field_out_of_range, f.offset,
                       "field " + quote(field_names[static_cast<std::size_t>(idx)]) + " is " +
                           std::to_string(f.integer) + "; it must be at least " +
                           std::to_string(min));
  }
  return std::nullopt;
}

}  // namespace

std::optional<rejection> apply_field_rules(const std::array<value_info, field_count>& fs,
                                           const value_info& unknown, record* out) {
  // 1. The version decides what the rest means, so it is checked first.
  const value_info& v = fs[f_v];
  if (auto e = require(v, f_v, kind::number)) return e;
  if (v.integer != 1) {
    return field_error(reject_reason::unsupported_version, v.offset,
                       "version " + std::to_string(v.integer) + " is not supported (only 1 is)");
  }
  // 2. The exact field set.
  if (unknown.k != kind::none) {
    return field_error(reject_reason::unknown_field, unknown.key_offset,
                       "unknown field " + quote(unknown.key));
  }
  // 3. type, which decides whether a community field belongs.
  const value_info& type = fs[f_type];
  if (auto e = require(type, f_type, kind::string)) return e;
  if (type.str.empty()) {
    return field_error(reject_reason::empty_type, type.offset, "field \"type\" is empty");
  }
  bool genesis = type.str == "community.create";
  // 4. community.
  const value_info& community = fs[f_community];
  if (genesis && community.k != kind::none) {
    return field_error(reject_reason::genesis_with_community, community.key_offset,
                       "a community.create record must not have a \"community\" field");
  }
  if (!genesis) {
    if (community.k == kind::none) {
      return field_error(reject_reason::missing_community, rejection::no_offset,
                         "the required field \"community\" is missing (only community.create "
                         "records go without it)");
    }
    if (auto e = require(community, f_community, kind::string)) return e;
    if (auto e = decode_id(community, f_community, &out->community)) return e;
  }
  // 5. author.
  if (auto e = require(fs[f_author], f_author, kind::string)) return e;
  if (auto e = decode_id(fs[f_author], f_author, &out->author)) return e;
  // 6. seq.
  if (auto e = require(fs[f_seq], f_seq, kind::number)) return e;
  if (auto e = check_min(fs[f_seq], f_seq, 1)) return e;
  // 7. prev: null or an id.
  const value_info& prev = fs[f_prev];
  if (prev.k == kind::none) {
    return field_error(reject_reason::missing_field, rejection::no_offset,
                       "the required field \"prev\" is missing");
  }
  if (prev.k == kind::null) {
    out->prev.reset();
  } else if (prev.k == kind::string) {
    record_id id;
    if (auto e = decode_id(prev, f_prev, &id)) return e;
    out->prev = id;
  } else {
    return field_error(
        reject_reason::wrong_field_type, prev.offset,
        "field \"prev\" must be a string or null, not " + std::string(kind_name(prev.k)));
  }
  // 8. lamport, ts.
  if (auto e = require(fs[f_lamport], f_lamport, kind::number)) return e;
  if (auto e = check_min(fs[f_lamport], f_lamport, 1)) return e;
  if (auto e = require(fs[f_ts], f_ts, kind::number)) return e;
  if (auto e = check_min(fs[f_ts], f_ts, 0)) return e;
  // 9. body.
  if (auto e = require(fs[f_body], f_body, kind::object)) return e;
  // 10. The chain fields agree with each other.
  std::int64_t seq = fs[f_seq].integer;
  if (genesis && seq != 1) {
    return field_error(reject_reason::genesis_not_first, fs[f_seq].offset,
                       "a community.create record must have seq 1, not " + std::to_string(seq));
  }
  if (seq == 1 && out->prev) {
    return field_error(reject_reason::seq_prev_mismatch, prev.offset,
                       "a record with seq 1 must have prev null");
  }
  if (seq > 1 && !out->prev) {
    return field_error(
        reject_reason::seq_prev_mismatch, prev.offset,
        "a record with seq " + std::to_string(seq) + " must have a prev id, not null");
  }
  out->seq = static_cast<std::uint64_t>(seq);
  out->lamport = static_cast<std::uint64_t>(fs[f_lamport].integer);
  out->ts = fs[f_ts].integer;
  out->type = std::string(type.str);
  out->body = std::string(fs[f_body].raw);
  return std::nullopt;
}

// A string for messages: printable ASCII as is, anything else as \xNN, at most 40 characters.
std::string quote(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  std::size_t shown = 0;
  for (char ch : s) {
    if (shown == 40) {
      out += "...";
      break;
    }
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out.push_back(ch);
    } else {
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
    ++shown;
  }
  out += "\"";
  return out;
}

}  // namespace zwerm::node::detail
