// Replacing a small or large file so that a crash or a power cut leaves either the old contents
// or the new ones, never a mix: the community state snapshots (state_store) and the community
// secrets (community_host) in zwermd, a backup file in zwerm. Free functions, no shared state.
#pragma once

#include <filesystem>
#include <string_view>

#include "base/status.hpp"

namespace zwerm {

// Writes `bytes` to `file`.tmp (mode 0600, its directory made when missing), syncs it, renames
// it over `file` and syncs the directory. On an error the temporary file is removed and `file`
// is as it was. Errors: io_error "could not <step> <what> <path>: <reason>", e.g. `what` =
// "the state snapshot".
status replace_file(const std::filesystem::path& file, std::string_view bytes,
                    std::string_view what);

// Syncs a directory, so that a rename or a new file in it survives a power cut. Errors:
// io_error "could not sync the directory of <what> <dir>: <reason>".
status sync_directory(const std::filesystem::path& dir, std::string_view what);

}  // namespace zwerm
