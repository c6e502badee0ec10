// Internal helpers shared by the view functions.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "base/base64url.hpp"
#include "node/community/state.hpp"

namespace zwerm::node::community {

// Status word of a member as the views show it: a forked member shows "forked" whatever
// their membership status.
std::string_view status_word(const state& s, index m);
// True when m is active and not forked (the members every aggregate view counts).
bool counts_as_active(const state& s, index m);
// {"id": ..., "name": ...}
nlohmann::json member_ref(const state& s, index m);
nlohmann::json member_id_or_null(const state& s, index m);
template <class T>
std::string text(const T& fixed) {
  return crypto::to_text(fixed);
}
std::size_t clamp_limit(std::size_t limit);

}  // namespace zwerm::node::community
