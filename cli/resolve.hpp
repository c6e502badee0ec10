// Turning what a person typed into a member id: a name (case-insensitive, exact) or the
// beginning of an id. Pure function over the member list the node sent (`members`).
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace zwerm::cli {

struct member_ref {
  std::string id;    // base64url member id (43 characters)
  std::string name;  // display name; may be empty
};

struct resolve_error {
  enum kind_t { unknown, ambiguous } kind = unknown;
  std::string message;                 // a sentence that lists the candidates when ambiguous
  std::vector<member_ref> candidates;  // for ambiguous
};

// Rules, in order: an exact id; an exact name (ignoring ASCII case), which must be unique;
// an id prefix, which must be unique. An empty query matches nobody.
std::variant<member_ref, resolve_error> resolve_member(std::string_view query,
                                                       const std::vector<member_ref>& members);

// "Ada (Kx3f9a2b)" or "Kx3f9a2b" when unnamed: how the CLI names a member.
std::string describe_member(const member_ref& m);

}  // namespace zwerm::cli
