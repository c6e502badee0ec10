// Replacing a small or large file so that a crash or a power cut leaves either the old contents
// or the new ones, never a mix: the community state snapshots (state_store) and the community
// secrets (community_host). Free functions, no shared state.
#pragma once

#include <filesystem>
#include <string_view>

#include "base/status.hpp"

namespace zwerm::node {

// Writes `bytes` to `file`.tmp (mode 0600, its directory made when missing), syncs it, renames
// it over `file` and syncs the directory. On an error the temporary file is removed and `file`
// is as it was. Errors: io_error "could not <step> <what> <path>: <reason>", e.g. `what` =
// "the state snapshot".
status replace_file(const std::filesystem::path& file, std::string_view bytes,
                    std::string_view what);

}  // namespace zwerm::node
