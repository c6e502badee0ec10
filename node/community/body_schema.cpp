#include "node/community/body_schema.hpp"

#include <array>
#include <charconv>
#include <set>

#include "base/base64url.hpp"
#include "node/community/body_json.hpp"

namespace zwerm::node::community {

namespace {

using json = body_value;

constexpr std::array<std::string_view, record_kind_count> kind_names = {
    "community.create", "member.invite", "member.join", "member.leave", "profile",
    "request",          "contribution",  "thanks",      "proposal",     "endorse",
    "steward.handover", "circle.open",   "circle.join", "circle.leave", "circle.close",
};

constexpr std::int64_t max_integer = std::int64_t{1} << 53;

// Reads one body object: every accessor records the field as known; finish() refuses the
// object when it holds a field no accessor asked for, and reports the first problem found.
class reader {
 public:
  reader(std::string_view type, json& obj) : type_(type), obj_(obj) {}

  bool ok() const { return error_.empty(); }
  bool has(const char* key) const { return obj_.find(key) != nullptr; }

  std::string text(const char* key, std::size_t min, std::size_t max, bool multiline) {
    json* v = get(key);
    if (!v) return {};
    if (!v->is_string()) return fail(key, "is not a string"), std::string();
    const auto& s = v->str();
    if (s.size() < min) return fail(key, min == 1 ? "is empty" : "is too short"), std::string();
    if (s.size() > max) {
      return fail(key, "is longer than " + std::to_string(max) + " bytes"), std::string();
    }
    for (unsigned char c : s) {
      bool allowed_ws = multiline && (c == '\n' || c == '\r' || c == '\t');
      if ((c < 0x20 || c == 0x7f) && !allowed_ws) {
        return fail(key, "contains a control character"), std::string();
      }
    }
    return v->take_str();
  }

  template <class T>
  std::optional<T> id(const char* key, bool nullable) {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (nullable && v->is_null()) return std::nullopt;
    T out;
    if (!v->is_string() || !crypto::from_text(v->str(), &out)) {
      fail(key, "is not a 43-character base64url id");
      return std::nullopt;
    }
    return out;
  }

  std::int64_t integer(const char* key, std::int64_t min, std::int64_t max) {
    const json* v = get(key);
    if (!v) return 0;
    std::int64_t n = 0;
    if (v->is_number_unsigned()) {
      auto u = v->unsigned_integer();
      if (u > static_cast<std::uint64_t>(max_integer)) return fail(key, "is out of range"), 0;
      n = static_cast<std::int64_t>(u);
    } else if (v->is_number_integer()) {
      n = v->integer();
    } else {
      return fail(key, "is not an integer"), 0;
    }
    if (n < min || n > max) {
      return fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max)), 0;
    }
    return n;
  }

  std::vector<std::string> tags(const char* key) {
    const json* v = get(key);
    std::vector<std::string> out;
    if (!v) return out;
    if (!v->is_array()) return fail(key, "is not an array"), out;
    if (v->items().size() > limits::tags) {
      return fail(key, "holds more than " + std::to_string(limits::tags) + " entries"), out;
    }
    std::set<std::string> seen;
    for (const auto& item : v->items()) {
      if (!item.is_string()) return fail(key, "holds a value that is not a string"), out;
      const auto& s = item.str();
      if (s.empty() || s.size() > limits::tag) {
        return fail(key, "holds an entry that is empty or longer than 32 bytes"), out;
      }
      for (unsigned char c : s) {
        if (c < 0x20 || c == 0x7f) return fail(key, "holds an entry with a control character"), out;
      }
      if (!seen.insert(normalize_topic(s)).second) {
        return fail(key, "holds the same entry twice (compared ignoring ASCII case)"), out;
      }
      out.push_back(s);
    }
    return out;
  }

  std::string one_of(const char* key, std::initializer_list<std::string_view> choices) {
    std::string s = text(key, 1, 64, false);
    if (!ok()) return s;
    for (auto c : choices) {
      if (s == c) return s;
    }
    std::string list;
    for (auto c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
    fail(key, "must be one of " + list);
    return s;
  }

  // Marks a field whose value is null as known (the caller checked the value).
  void accept_null(const char* key) { (void)get(key); }

  json* object(const char* key) {
    json* v = get(key);
    if (v && !v->is_object()) return fail(key, "is not an object"), nullptr;
    return v;
  }

  // Call last: refuses unknown fields. Returns the error status (ok when none).
  status finish() {
    if (ok()) {
      for (const auto& [field, value] : obj_.fields()) {
        bool known = false;
        for (std::size_t i = 0; i < known_count_; ++i) known = known || field == known_[i];
        if (!known) {
          error_ = std::string(type_) + ": unknown field \"" + field + "\"";
          break;
        }
      }
    }
    if (ok()) return {};
    return {status_code::invalid_argument, error_};
  }

  void fail(std::string_view key, const std::string& what) {
    if (ok()) error_ = std::string(type_) + ": field \"" + std::string(key) + "\" " + what;
  }

 private:
  json* get(const char* key) {
    if (known_count_ < known_.size()) known_[known_count_++] = key;
    json* v = obj_.find(key);
    if (!v) fail(key, "is missing");
    return v;
  }

  std::string_view type_;
  json& obj_;
  std::array<const char*, 8> known_{};  // no body type has more than 6 fields
  std::size_t known_count_ = 0;
  std::string error_;
};

bool valid_port(std::string_view s) {
  if (s.empty() || s.size() > 5 || s[0] == '0') return false;
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
  return ec == std::errc() && ptr == s.data() + s.size() && port >= 1 && port <= 65535;
}

bool valid_address(std::string_view a) {
  auto colon = a.rfind(':');
  if (colon == std::string_view::npos || !valid_port(a.substr(colon + 1))) return false;
  std::string_view host = a.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    if (host.empty()) return false;
    for (char c : host) {
      bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex && c != ':' && c != '.') return false;
    }
    return true;
  }
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

template <class B>
result<body> done(reader& r, B b) {
  if (auto s = r.finish(); !s.ok()) return s;
  return body(std::move(b));
}

result<body> parse_object(record_kind kind, std::string_view type, json& obj) {
  reader r(type, obj);
  switch (kind) {
    case record_kind::community_create: {
      create_body b;
      b.name = r.text("name", 1, limits::name, false);
      b.purpose = r.text("purpose", 1, limits::purpose, true);
      if (json* pol = r.object("policy")) {
        reader p("community.create policy", *pol);
        b.invite_by = p.one_of("invite_by", {"member", "steward"}) == "steward"
                          ? invite_policy::steward
                          : invite_policy::member;
        b.quorum_pct =
            static_cast<std::uint32_t>(p.integer("quorum_pct", 0, limits::max_quorum_pct));
        if (auto s = p.finish(); !s.ok()) return s;
      }
      return done(r, std::move(b));
    }
    case record_kind::member_invite: {
      invite_body b;
      if (r.has("invitee") == r.has("token_hash")) {
        r.fail("invitee", "and \"token_hash\": exactly one of the two must be present");
      } else if (r.has("invitee")) {
        b.invitee = r.id<member_id>("invitee", false);
      } else {
        b.token_hash = r.id<crypto::digest>("token_hash", false);
      }
      b.note = r.text("note", 0, limits::note, true);
      b.expires_ts = r.integer("expires_ts", 0, max_integer);
      return done(r, std::move(b));
    }
    case record_kind::member_join: {
      join_body b;
      if (auto id = r.id<record_id>("invite", false)) b.invite = *id;
      if (r.has("token")) b.token = r.id<invite_token>("token", false);
      return done(r, std::move(b));
    }
    case record_kind::member_leave: {
      leave_body b;
      b.reason = r.text("reason", 0, limits::reason, true);
      return done(r, std::move(b));
    }
    case record_kind::profile: {
      profile_body b;
      b.name = r.text("name", 1, limits::name, false);
      b.about = r.text("about", 0, limits::about, true);
      b.skills = r.tags("skills");
      if (r.has("address") && obj.find("address")->is_null()) {
        r.accept_null("address");
      } else {
        std::string a = r.text("address", 1, limits::address, false);
        if (r.ok() && !valid_address(a)) r.fail("address", "is not host:port or null");
        b.address = std::move(a);
      }
      return done(r, std::move(b));
    }
    case record_kind::request: {
      request_body b;
      b.title = r.text("title", 1, limits::title, false);
      b.body = r.text("body", 0, limits::body, true);
      b.tags = r.tags("tags");
      return done(r, std::move(b));
    }
    case record_kind::contribution: {
      contribution_body b;
      std::string k =
          r.one_of("kind", {"knowledge", "help", "event", "introduction", "content", "other"});
      for (int i = 0; i <= static_cast<int>(contribution_kind::other); ++i) {
        if (to_string(static_cast<contribution_kind>(i)) == k) {
          b.kind = static_cast<contribution_kind>(i);
        }
      }
      b.title = r.text("title", 1, limits::title, false);
      b.body = r.text("body", 0, limits::body, true);
      b.tags = r.tags("tags");
      b.answers = r.id<record_id>("answers", true);
      b.circle = r.id<record_id>("circle", true);
      return done(r, std::move(b));
    }
    case record_kind::thanks: {
      thanks_body b;
      if (auto id = r.id<record_id>("contribution", false)) b.contribution = *id;
      b.note = r.text("note", 0, limits::note, true);
      return done(r, std::move(b));
    }
    case record_kind::proposal: {
      proposal_body b;
      std::string a = r.one_of("action", {"agreement", "purpose", "remove", "steward", "dissolve"});
      if (!r.ok()) return r.finish();
      if (a == "agreement") {
        b.action = proposal_action::agreement;
        b.text = r.text("text", 1, limits::text, true);
        b.supersedes = r.id<record_id>("supersedes", true);
      } else if (a == "purpose") {
        b.action = proposal_action::purpose;
        b.text = r.text("text", 1, limits::purpose, true);
      } else if (a == "remove" || a == "steward") {
        b.action = a == "remove" ? proposal_action::remove : proposal_action::steward;
        b.member = r.id<member_id>("member", false);
      } else {
        b.action = proposal_action::dissolve;
      }
      b.reason = r.text("reason", 0, limits::reason, true);
      return done(r, std::move(b));
    }
    case record_kind::endorse: {
      endorse_body b;
      if (auto id = r.id<record_id>("proposal", false)) b.proposal = *id;
      return done(r, std::move(b));
    }
    case record_kind::steward_handover: {
      handover_body b;
      if (auto id = r.id<member_id>("to", false)) b.to = *id;
      return done(r, std::move(b));
    }
    case record_kind::circle_open: {
      circle_open_body b;
      b.name = r.text("name", 1, limits::name, false);
      b.purpose = r.text("purpose", 0, limits::purpose, true);
      return done(r, std::move(b));
    }
    case record_kind::circle_join:
    case record_kind::circle_leave:
    case record_kind::circle_close: {
      circle_ref_body b;
      if (auto id = r.id<record_id>("circle", false)) b.circle = *id;
      return done(r, std::move(b));
    }
    case record_kind::unknown:
      break;
  }
  return status(status_code::invalid_argument, "unknown record type");
}

}  // namespace

record_kind kind_of(std::string_view type) {
  for (std::size_t i = 0; i < kind_names.size(); ++i) {
    if (kind_names[i] == type) return static_cast<record_kind>(i);
  }
  return record_kind::unknown;
}

std::string_view type_name(record_kind kind) {
  auto i = static_cast<std::size_t>(kind);
  return i < kind_names.size() ? kind_names[i] : std::string_view();
}

std::string_view to_string(contribution_kind kind) {
  static constexpr std::array<std::string_view, 6> names = {"knowledge",    "help",    "event",
                                                            "introduction", "content", "other"};
  return names[static_cast<std::size_t>(kind)];
}

std::string_view to_string(proposal_action action) {
  static constexpr std::array<std::string_view, 5> names = {"agreement", "purpose", "remove",
                                                            "steward", "dissolve"};
  return names[static_cast<std::size_t>(action)];
}

std::string normalize_topic(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

result<body> parse_body(record_kind kind, std::string_view body_json) {
  std::string_view type = type_name(kind);
  if (type.empty()) return status(status_code::invalid_argument, "unknown record type");
  std::optional<body_value> parsed = parse_body_json(body_json);
  if (!parsed) {
    return status(status_code::invalid_argument,
                  std::string(type) + ": the body is not valid JSON");
  }
  body_value& obj = *parsed;
  if (!obj.is_object()) {
    return status(status_code::invalid_argument, std::string(type) + ": the body is not an object");
  }
  return parse_object(kind, type, obj);
}

}  // namespace zwerm::node::community
