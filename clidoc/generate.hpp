// `<program> --generate man|bash|zsh`: prints the program's man page or a completion script,
// written from its CLI11 definition. The build runs it to make the installed man pages and
// completions (clidoc/CMakeLists.txt); a user of a source build can run it too. It is no CLI11
// option (which would appear in --help and clash with a required subcommand): the program asks
// generate_if_asked() before it parses.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace zwerm::clidoc {

// `args`: the arguments after the program's name. When the first is not "--generate",
// nullopt: parse as usual. Else writes the requested text to `out` and returns 0, or writes
// why not to `err` and returns 2 (not exactly one of man, bash, zsh after it) or 1 (the
// definition holds a name no completion can offer, or `out` failed).
// `source`: the man page's footer, e.g. "zwerm 0.1.0".
std::optional<int> generate_if_asked(const CLI::App& app, const std::vector<std::string>& args,
                                     const std::string& source, std::ostream& out,
                                     std::ostream& err);

}  // namespace zwerm::clidoc
