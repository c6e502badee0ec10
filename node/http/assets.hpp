// The dashboard's files (node/http/assets/), compiled into zwermd by a CMake step
// (cmake/embed_assets.cmake writes assets.cpp into the build tree). Nothing is read from disk
// or the network at run time.
#pragma once

#include <string_view>

namespace zwerm::node::http {

struct asset {
  std::string_view name;          // the file name, e.g. "dashboard.js"
  std::string_view content_type;  // from its extension
  std::string_view body;
};

// The asset called `name`, or nullptr.
const asset* find_asset(std::string_view name);

}  // namespace zwerm::node::http
