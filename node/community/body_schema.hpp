// Body schemas of the v1 record types (PROTOCOL.md §3.2).
//
// parse_body() turns a record's `type` and raw body JSON text into a typed body, checking the
// exact field set (no unknown or missing fields), JSON types, size bounds, UTF-8 text without
// control characters (multi-line texts may hold \t \n \r) and 43-character base64url ids. A body
// that fails is reported with a sentence naming the field; the state machine then gives the
// record no effect (it is still stored and relayed). Pure functions, no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "base/status.hpp"
#include "node/records/record.hpp"

namespace zwerm::node::community {

// The one-time secret of a token invite: 32 random bytes; the invite carries its BLAKE2b-256.
using invite_token = crypto::fixed_bytes<32, struct invite_token_tag>;

// Bounds, in bytes of UTF-8 (PROTOCOL.md §3.2 lists them with every field).
struct limits {
  static constexpr std::size_t name = 64;       // community, profile and circle names (≥ 1)
  static constexpr std::size_t purpose = 1000;  // community and circle purposes
  static constexpr std::size_t title = 200;     // request and contribution titles (≥ 1)
  static constexpr std::size_t body = 8192;     // request and contribution bodies
  static constexpr std::size_t note = 500;      // invite and thanks notes
  static constexpr std::size_t reason = 1000;   // leave and proposal reasons
  static constexpr std::size_t about = 1000;    // profile about
  static constexpr std::size_t text = 4000;     // agreement text / new purpose in a proposal
  static constexpr std::size_t tag = 32;        // one tag or skill (≥ 1)
  static constexpr std::size_t tags = 16;       // tags or skills per record
  static constexpr std::size_t address = 300;   // "host:port"
  static constexpr std::uint32_t max_quorum_pct = 99;
};

// Every record type of v1. `unknown` covers any other type string (no effect on the state).
enum class record_kind : std::uint8_t {
  community_create,
  member_invite,
  member_join,
  member_leave,
  profile,
  request,
  contribution,
  thanks,
  proposal,
  endorse,
  steward_handover,
  circle_open,
  circle_join,
  circle_leave,
  circle_close,
  unknown,
};
inline constexpr std::size_t record_kind_count = static_cast<std::size_t>(record_kind::unknown);

record_kind kind_of(std::string_view type);
// The wire name of a known kind ("member.join"); "" for unknown.
std::string_view type_name(record_kind kind);

enum class invite_policy : std::uint8_t { member, steward };

struct create_body {
  std::string name;
  std::string purpose;
  invite_policy invite_by = invite_policy::member;
  std::uint32_t quorum_pct = 50;
};
struct invite_body {
  std::optional<member_id> invitee;          // exactly one of invitee and token_hash
  std::optional<crypto::digest> token_hash;  // BLAKE2b-256 of the raw 32-byte token
  std::string note;
  std::int64_t expires_ts = 0;
};
struct join_body {
  record_id invite;
  std::optional<invite_token> token;  // present exactly when joining a token invite
};
struct leave_body {
  std::string reason;
};
struct profile_body {
  std::string name;
  std::string about;
  std::vector<std::string> skills;
  std::optional<std::string> address;  // "host:port" or null
};
struct request_body {
  std::string title;
  std::string body;
  std::vector<std::string> tags;
};
enum class contribution_kind : std::uint8_t {
  knowledge,
  help,
  event,
  introduction,
  content,
  other
};
std::string_view to_string(contribution_kind kind);
struct contribution_body {
  contribution_kind kind = contribution_kind::other;
  std::string title;
  std::string body;
  std::vector<std::string> tags;
  std::optional<record_id> answers;  // a request
  std::optional<record_id> circle;   // a circle the author is in
};
struct thanks_body {
  record_id contribution;
  std::string note;
};
enum class proposal_action : std::uint8_t { agreement, purpose, remove, steward, dissolve };
std::string_view to_string(proposal_action action);
struct proposal_body {
  proposal_action action = proposal_action::agreement;
  std::string text;                     // agreement, purpose
  std::optional<record_id> supersedes;  // agreement: an agreement (its proposal id) or null
  std::optional<member_id> member;      // remove, steward
  std::string reason;
};
struct endorse_body {
  record_id proposal;
};
struct handover_body {
  member_id to;
};
struct circle_open_body {
  std::string name;
  std::string purpose;
};
struct circle_ref_body {  // circle.join, circle.leave, circle.close
  record_id circle;
};

using body = std::variant<create_body, invite_body, join_body, leave_body, profile_body,
                          request_body, contribution_body, thanks_body, proposal_body, endorse_body,
                          handover_body, circle_open_body, circle_ref_body>;

// Parses and checks a body for a known kind. Errors: invalid_argument with a sentence such as
// `member.invite: field "note" is longer than 500 bytes`; `kind` unknown is also an error.
result<body> parse_body(record_kind kind, std::string_view body_json);

// Lowercases ASCII letters; the key under which tags, skills and who-knows topics are compared.
std::string normalize_topic(std::string_view text);

}  // namespace zwerm::node::community
