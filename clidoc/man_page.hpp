// A section-1 man page in roff (the man macros), written from a command-line definition
// (clidoc/model.hpp): NAME, SYNOPSIS, DESCRIPTION, OPTIONS, COMMANDS (every subcommand with
// its arguments and options) and the program's footer as EXAMPLES. Text is escaped for roff:
// backslashes, a leading '.' or '\'', '-' (as \-) and every non-ASCII character (as \[uXXXX]),
// so `groff -man -ww` renders it without a warning. No date, so a build is reproducible.
#pragma once

#include <string>
#include <vector>

#include "clidoc/model.hpp"

namespace zwerm::clidoc {

// `commands`: describe()'s result (the program first). `source`: the .TH footer, e.g.
// "zwerm 0.1.0".
std::string man_page(const std::vector<command_doc>& commands, const std::string& source);

// One line of plain text escaped for roff (exposed for the tests).
std::string roff_escape(const std::string& text);

}  // namespace zwerm::clidoc
