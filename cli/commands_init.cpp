// `zwerm init`: works without a node (it makes the home a node then runs in).
#include <cstdlib>
#include <iostream>

#include "cli/exit_codes.hpp"
#include "cli/init_command.hpp"
#include "cli/session.hpp"

namespace zwerm::cli {

void add_init_command(CLI::App& app, session& s) {
  auto options = std::make_shared<init_options>();
  auto ask_passphrase = std::make_shared<bool>(false);
  auto* cmd = with_example(
      app.add_subcommand("init", "Create a home with a new identity and a default config."),
      "zwerm init --name Ada --home ~/zwerm-ada");
  cmd->add_option("--name", options->name, "Your display name in communities");
  cmd->add_option("--listen", options->listen, "Address zwermd listens on for peers")
      ->capture_default_str();
  cmd->add_flag("--passphrase", *ask_passphrase,
                "Protect the key with a passphrase (read from $ZWERM_PASSPHRASE)");
  cmd->callback([&s, options, ask_passphrase] {
    s.set_action([options, ask_passphrase](session& s) {
      init_options init = *options;
      init.home = s.flags.home;
      if (*ask_passphrase) {
        const char* p = std::getenv("ZWERM_PASSPHRASE");
        if (!p || !*p) {
          return session::fail(exit_usage,
                               "--passphrase needs the passphrase in $ZWERM_PASSPHRASE");
        }
        init.passphrase = std::string(p);
      }
      auto done = run_init(init);
      if (!done) return session::fail(exit_refused, done.error().message());
      if (s.flags.json) {
        std::cout << json{{"home", done->home}, {"member_id", done->member_id}}.dump(2) << "\n";
        return exit_ok;
      }
      std::cout << "Created an identity in " << done->home << "\n"
                << "Your member id: " << done->member_id << "\n"
                << "Next: start your node with `zwermd --home " << done->home << "`\n";
      return exit_ok;
    });
  });
}

}  // namespace zwerm::cli
