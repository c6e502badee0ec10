// Which column of a view's table matters most, and which columns stay longest when a terminal
// is narrow. The renderer is generic (cli/render.hpp); a layout only ranks the columns a view's
// rows already have, so a field the node adds later still shows, ranked last.
#pragma once

#include <string_view>
#include <vector>

namespace zwerm::cli {

struct table_layout {
  // The field whose text people read the row for (a request's title, a proposal's text); it
  // takes the room the other columns leave (cli/format.hpp, table).
  std::string_view main;
  // The other fields, the one to keep longest first; fields not named are left out first.
  std::vector<std::string_view> keep;
  // The main text continues on further lines instead of being cut.
  bool wrap = false;
  // Fields shown whole or not at all, though text: names people type into other commands (a
  // circle's name), which a cut would turn into something no command takes.
  std::vector<std::string_view> whole = {};
};

// The layout of the table a result holds under `field` ("requests", "proposals", "members",
// "entries", "agreements", "circles", "communities", and `peers`' "known"), or nullptr for tables
// without one (they fit as before: flexible columns shrink first).
const table_layout* layout_of(std::string_view field);

// The rank `keep` gives `column` in `layout`: higher stays longer; 0 when not named.
int keep_rank(const table_layout& layout, std::string_view column);

// Whether `layout` shows `column` whole or not at all.
bool keeps_whole(const table_layout& layout, std::string_view column);

}  // namespace zwerm::cli
