// Shell completion scripts for bash and zsh, written from a command-line definition
// (clidoc/model.hpp). Each holds the definition's tree as data: per command, its subcommands,
// the options it accepts (its own and, with CLI11's fallthrough, its ancestors'), which of them
// take a value and the choices of those with a CLI::IsMember check. Completing walks the words
// typed so far down that tree: after an option that takes a value it offers the choices (else
// file names), on a word that starts with '-' the options, else the subcommands.
#pragma once

#include <string>
#include <vector>

#include "clidoc/model.hpp"

namespace zwerm::clidoc {

// For /usr/share/bash-completion/completions/<program> (or `source` it).
std::string bash_completion(const std::vector<command_doc>& commands);
// For /usr/share/zsh/vendor-completions/_<program> (a directory on $fpath), or `source` it
// after compinit.
std::string zsh_completion(const std::vector<command_doc>& commands);

}  // namespace zwerm::clidoc
