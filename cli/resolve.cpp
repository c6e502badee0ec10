#include "cli/resolve.hpp"

#include <algorithm>
#include <cctype>

namespace zwerm::cli {
namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string list(const std::vector<member_ref>& candidates) {
  std::string out;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (i == 8) {
      out += ", and " + std::to_string(candidates.size() - 8) + " more";
      break;
    }
    if (i) out += ", ";
    out += describe_member(candidates[i]);
  }
  return out;
}

}  // namespace

std::string describe_member(const member_ref& m) {
  const std::string short_id = m.id.substr(0, 8);
  return m.name.empty() ? short_id : m.name + " (" + short_id + ")";
}

std::variant<member_ref, resolve_error> resolve_member(std::string_view query,
                                                       const std::vector<member_ref>& members) {
  const std::string q(query);
  if (query.empty()) return resolve_error{resolve_error::unknown, "no member given", {}};
  for (const auto& m : members) {
    if (m.id == query) return m;
  }
  std::vector<member_ref> by_name;
  for (const auto& m : members) {
    if (!m.name.empty() && equal_ignoring_case(m.name, query)) by_name.push_back(m);
  }
  if (by_name.size() == 1) return by_name.front();
  if (by_name.size() > 1) {
    return resolve_error{resolve_error::ambiguous,
                         std::to_string(by_name.size()) + " members are named '" + q +
                             "': " + list(by_name) + "; give an id prefix instead",
                         by_name};
  }
  std::vector<member_ref> by_prefix;
  for (const auto& m : members) {
    if (m.id.compare(0, query.size(), query) == 0) by_prefix.push_back(m);
  }
  if (by_prefix.size() == 1) return by_prefix.front();
  if (by_prefix.empty()) {
    return resolve_error{resolve_error::unknown,
                         "no member is named '" + q + "' or has an id starting with '" + q + "'",
                         {}};
  }
  return resolve_error{resolve_error::ambiguous,
                       "'" + q + "' is the start of " + std::to_string(by_prefix.size()) +
                           " member ids: " + list(by_prefix) + "; type more of the id",
                       by_prefix};
}

}  // namespace zwerm::cli
