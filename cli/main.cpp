// zwerm: the member's command line. It reaches the node only through <home>/zwermd.sock.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "cli/dash_ids.hpp"
#include "cli/exit_codes.hpp"
#include "cli/session.hpp"
#include "clidoc/generate.hpp"
#include "node/rpc_contract/contract.hpp"

namespace {

void allow_extras_everywhere(CLI::App& app) {
  app.allow_extras();
  for (CLI::App* sub : app.get_subcommands({})) allow_extras_everywhere(*sub);
}

// Names the arguments no command took, in the order typed; false when there are none.
bool report_extras(const CLI::App& app) {
  std::vector<std::string> extras;
  for (auto& arg : app.remaining(true)) {
    if (arg != "--") extras.push_back(arg);  // the separator itself is no argument
  }
  if (extras.empty()) return false;
  std::string list;
  for (const auto& arg : extras) list += (list.empty() ? "" : " ") + arg;
  std::cerr << "zwerm: not expected: " << list << "\nRun with --help for more information.\n";
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace zwerm::cli;
  CLI::App app{
      "zwerm: your node in a community that works and learns together.\n"
      "Exit codes: 0 ok, 1 the node refused (reason printed), 2 usage, 3 no node "
      "running.",
      "zwerm"};
  app.set_version_flag("--version",
                       std::string("zwerm ") + ZWERM_VERSION + " (sync protocol " +
                           std::to_string(zwerm::rpc_contract::sync_protocol_min) + ".." +
                           std::to_string(zwerm::rpc_contract::sync_protocol_max) + ")");
  app.footer("Example: zwerm init --name Ada && zwermd & zwerm status");
  app.require_subcommand(1);
  app.fallthrough();
  session s;
  app.add_option("--home", s.flags.home,
                 "The node's home directory (default: $ZWERM_HOME or ~/.local/share/zwerm)");
  app.add_flag("--json", s.flags.json, "Print the node's answer as JSON, as is");
  app.add_flag("--wide", s.flags.wide,
               "Cut nothing: tables show every column whole, whatever the terminal's width "
               "(output that is not a terminal is never cut)");
  app.add_option("--community", s.flags.community,
                 "Community name or id (prefix); needed only when your node is in several");

  add_init_command(app, s);
  add_backup_commands(app, s);
  add_node_commands(app, s);
  add_community_commands(app, s);
  add_record_commands(app, s);
  add_view_commands(app, s);
  add_picture_commands(app, s);
  add_dashboard_command(app, s);
  add_plain_commands(app, s);

  // CLI11 (2.1) names unexpected arguments last first ("not expected: c b a"), as it reads
  // them; every command collects them instead, and they are named here in the order typed.
  allow_extras_everywhere(app);

  // Ids that start with '-' are passed as what they are, not as options (cli/dash_ids.hpp).
  std::vector<std::string> args(argv + 1, argv + argc);
  // `zwerm --generate man|bash|zsh`: the man page or a completion script (clidoc/).
  if (auto rc = zwerm::clidoc::generate_if_asked(app, args, std::string("zwerm ") + ZWERM_VERSION,
                                                 std::cout, std::cerr)) {
    return *rc;
  }
  args = quote_dash_ids(args, long_flags(app), long_options(app));
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last first
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    // An unexpected argument is the first thing to fix, before what it left missing.
    if (e.get_exit_code() != 0 && report_extras(app)) return exit_usage;
    const int rc = app.exit(e);
    return rc == 0 ? exit_ok : exit_usage;
  }
  if (report_extras(app)) return exit_usage;
  if (!s.has_action()) {
    std::cerr << "zwerm: choose a command; see zwerm --help\n";
    return exit_usage;
  }
  return s.run();
}
