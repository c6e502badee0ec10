// Passphrases for `zwerm backup` and `zwerm restore`: asked on the terminal (no echo), or read
// from a file for scripts. Never from the command line, where other users see it (ps).
#pragma once

#include <filesystem>
#include <string>

#include "base/status.hpp"

namespace zwerm::cli {

// The shortest passphrase `zwerm backup` accepts (it guards the identity away from the home).
inline constexpr std::size_t min_backup_passphrase = 8;

// The first line of `file` (without its line end). Errors: not_found, permission_denied (a
// regular file others may read: chmod 600 it), invalid_argument (empty, or over 1 KiB), io_error.
result<std::string> read_passphrase_file(const std::filesystem::path& file);

// Asks on the controlling terminal (/dev/tty) with echo off; with `confirm`, twice, and the two
// must match. Errors: invalid_argument (no terminal: use --passphrase-file; the two differ;
// empty), io_error.
result<std::string> ask_passphrase(const std::string& prompt, bool confirm);

}  // namespace zwerm::cli
