// What a CLI11 command-line definition says, as plain data: every command (the program and
// each subcommand, depth first), its options, positionals and subcommands. The man page and
// the shell completions (clidoc/man_page.hpp, clidoc/completion.hpp) are written from this,
// so they follow the definition: a command added to the program appears in both at the next
// build. Hidden options and subcommands (CLI11's empty group) are left out.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace zwerm::clidoc {

struct option_doc {
  std::vector<std::string> names;  // as typed: "--home", "-h"
  bool takes_value = false;
  std::string value_name;            // CLI11's type name without its validators: "TEXT", "UINT"
  std::vector<std::string> choices;  // from a CLI::IsMember check, else empty
  std::string description;
  std::string default_value;  // shown by CLI11 (capture_default_str), else empty
  bool required = false;
};

struct positional_doc {
  std::string name;
  std::string value_name;
  std::string description;
  bool required = false;
};

struct subcommand_doc {
  std::string name;
  std::string description;
};

struct command_doc {
  std::vector<std::string> path;  // {"zwerm", "community", "create"}
  std::string description;
  std::string footer;  // its own, empty when it only has its parent's
  bool needs_subcommand = false;
  std::vector<option_doc> options;    // its own
  std::vector<option_doc> inherited;  // its ancestors' that it accepts too (CLI11 fallthrough)
  std::vector<positional_doc> positionals;
  std::vector<subcommand_doc> subcommands;

  std::string joined_path() const;  // "zwerm community create"
};

// Every visible command of `app`, the program first, then depth first in definition order.
// Throws std::invalid_argument naming the word when a command name, option name or choice is
// not a plain word (letters, digits and . _ + - / @ only; a command name must not start with
// '-'), since a completion script could not offer it safely.
std::vector<command_doc> describe(const CLI::App& app);

// The first sentence of a description's first line, without a leading "<program>: " and the
// full stop: the man page's NAME line.
std::string summary(const std::string& program, const std::string& description);

}  // namespace zwerm::clidoc
