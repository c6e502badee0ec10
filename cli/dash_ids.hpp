// Ids (member keys, record ids) are base64url, so one in 64 starts with '-', and a command-line
// parser takes such an id for an option. quote_dash_ids() rewrites the arguments before CLI11
// sees them, so that `zwerm thank -AbC1234` and `--answers -AbC1234` mean what they say:
//   - after an option that takes a value (`--answers`), the id becomes `--answers=-AbC1234`;
//   - anywhere else (a positional), the id moves to the end, after one `--`, which CLI11 hands
//     to the last subcommand's positionals (zwerm's subcommands have at most one each).
// An argument counts as such an id when it is '-' and at least three base64url characters and
// is not `--…`; or, one in 4,096 ids, when it is `--` and at least eight base64url characters
// with an upper-case letter or a digit (no option of zwerm's has either) and is no option named
// in `options`. Arguments after an explicit `--` are left alone. Pure function.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace zwerm::cli {

// `flags`: the long options (with their dashes) that take no value, e.g. "--json".
// `options`: every long option (with its dashes); empty: `--…` is never taken for an id.
std::vector<std::string> quote_dash_ids(const std::vector<std::string>& args,
                                        const std::set<std::string>& flags,
                                        const std::set<std::string>& options = {});

// Every long option of `app` and its subcommands that takes no value.
std::set<std::string> long_flags(const CLI::App& app);
// Every long option of `app` and its subcommands.
std::set<std::string> long_options(const CLI::App& app);

}  // namespace zwerm::cli
