// zwerm: the member's command line. It reaches the node only through <home>/zwermd.sock.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/init_command.hpp"

namespace {

// Exit codes (DESIGN.md §10).
constexpr int exit_ok = 0;
constexpr int exit_refused = 1;
constexpr int exit_usage = 2;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"zwerm: your node in a community that works and learns together.\n"
               "Example: zwerm init --name Ada"};
  app.require_subcommand(1);
  app.fallthrough();
  std::optional<std::string> home;
  app.add_option("--home", home, "The node's home directory (default: $ZWERM_HOME or "
                                 "~/.local/share/zwerm)");

  zwerm::cli::init_options init;
  auto* init_cmd = app.add_subcommand(
      "init", "Create a home with a new identity and a default config.\n"
              "Example: zwerm init --name Ada --home ~/zwerm-ada");
  init_cmd->add_option("--name", init.name, "Your display name in communities");
  init_cmd->add_option("--listen", init.listen, "Address zwermd listens on for peers")
      ->capture_default_str();
  bool ask_passphrase = false;
  init_cmd->add_flag("--passphrase", ask_passphrase,
                     "Protect the key with a passphrase (read from $ZWERM_PASSPHRASE)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? exit_ok : exit_usage;
  }

  if (*init_cmd) {
    init.home = home;
    if (ask_passphrase) {
      const char* p = std::getenv("ZWERM_PASSPHRASE");
      if (!p || !*p) {
        std::cerr << "zwerm: --passphrase needs the passphrase in $ZWERM_PASSPHRASE\n";
        return exit_usage;
      }
      init.passphrase = std::string(p);
    }
    auto done = zwerm::cli::run_init(init);
    if (!done) {
      std::cerr << "zwerm: " << done.error().message() << "\n";
      return exit_refused;
    }
    std::cout << "Created an identity in " << done->home << "\n"
              << "Your member id: " << done->member_id << "\n"
              << "Next: start your node with `zwermd --home " << done->home << "`\n";
    return exit_ok;
  }
  return exit_usage;
}
