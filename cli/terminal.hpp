// How wide zwerm's output may be. Tables and detail views fit a terminal's width; output that is
// not a terminal (a pipe, a file: scripts read it) and --wide are never cut.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace zwerm::cli {

// The rule, without I/O: unlimited_width (cli/format.hpp) when `wide` or when stdout is not a
// terminal; else the terminal's columns when known (> 0), else $COLUMNS when it is a whole
// number above 0, else 80.
std::size_t choose_width(bool wide, bool is_terminal, std::optional<std::size_t> terminal_columns,
                         std::optional<std::string_view> columns_env);

// choose_width for this process's stdout: isatty(1), ioctl(TIOCGWINSZ) and getenv("COLUMNS").
std::size_t stdout_width(bool wide);

}  // namespace zwerm::cli
