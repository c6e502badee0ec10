#include "cli/table_layout.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace zwerm::cli {

const table_layout* layout_of(std::string_view field) {
  // Ids stay: commands take them (thank, endorse, contribute --answers). Dates and counts are
  // narrow and stay while they can; lists of ids and long secondary text go first. A proposal's
  // text, a member's skills, a feed entry (a thanks' note), a circle's and a community's purpose
  // wrap: they are what the view is read for. Request titles are one line each (PROTOCOL.md
  // §3.2) and stay one row each; next to them a request's status (when the page lists open and
  // answered ones) matters more than who asked, as a feed entry's type does. A circle's name
  // stays whole: commands take it.
  static const std::array<std::pair<std::string_view, table_layout>, 8> layouts{{
      {"requests", {"title", {"id", "status", "author", "ts", "tags", "answers"}}},
      {"proposals",
       {"text",
        {"id", "status", "author", "active_endorsers", "expires_ts", "action", "ts", "adopted_ts",
         "endorsers", "reason", "in_force"},
        true}},
      {"members",
       {"skills",
        {"name", "status", "last_active_ts", "given", "taken", "flags", "score", "id", "records",
         "joined_ts"},
        true}},
      {"entries", {"what", {"id", "type", "author", "ts", "tags", "circle"}, true}},
      {"agreements", {"text", {"id", "proposed_by", "adopted_ts"}, true}},
      {"circles",
       {"purpose",
        {"name", "id", "open", "members", "records", "opened_by", "ts"},
        true,
        {"name"}}},
      {"communities", {"purpose", {"name", "id", "active_members", "default"}, true, {"name"}}},
      // zwerm peers: why an address is not connected is what the list is read for.
      {"known", {"why", {"endpoint", "state", "name", "id", "failures", "sources"}, true}},
  }};
  for (const auto& [name, layout] : layouts) {
    if (name == field) return &layout;
  }
  return nullptr;
}

int keep_rank(const table_layout& layout, std::string_view column) {
  auto it = std::find(layout.keep.begin(), layout.keep.end(), column);
  if (it == layout.keep.end()) return 0;
  return static_cast<int>(layout.keep.end() - it);
}

bool keeps_whole(const table_layout& layout, std::string_view column) {
  return std::find(layout.whole.begin(), layout.whole.end(), column) != layout.whole.end();
}

}  // namespace zwerm::cli
