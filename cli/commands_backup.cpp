// `zwerm backup FILE` and `zwerm restore FILE`: they work on the home's files, with or without a
// running node (cli/backup_command.hpp). Passphrases come from the terminal or a file, never
// from the command line.
#include <cstdlib>
#include <iostream>

#include "base/home.hpp"
#include "cli/backup_command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/passphrase.hpp"
#include "cli/session.hpp"
#include "crypto/wipe.hpp"

namespace zwerm::cli {
namespace {

// At most this many member nodes per community go into a backup.
constexpr std::size_t max_backup_peers = 8;

// The passphrase from --passphrase-file, else asked on the terminal (twice with `confirm`).
result<std::string> passphrase_for(const std::string& file, const std::string& prompt,
                                   bool confirm) {
  if (!file.empty()) return read_passphrase_file(file);
  return ask_passphrase(prompt, confirm);
}

// Member nodes this node knows per community ("KEY@host:port"), when a node answers on the
// home's socket; none otherwise (a backup made with the node stopped names none).
std::map<std::string, std::vector<std::string>> known_peers(const session& s,
                                                            const std::vector<std::string>& ids) {
  std::map<std::string, std::vector<std::string>> out;
  auto connected = rpc_client::connect(s.socket_path());
  auto* client = std::get_if<std::unique_ptr<rpc_client>>(&connected);
  if (!client) return out;
  for (const auto& id : ids) {
    auto answer =
        (*client)->call(method::peers.name, json{{param::community, id}}, std::chrono::seconds(10));
    const json* r = std::get_if<json>(&answer);
    if (!r || !r->contains("known") || !(*r)["known"].is_array()) continue;
    for (const auto& k : (*r)["known"]) {
      const std::string state = k.value("state", std::string());
      if (!k.contains("member") || !k["member"].is_string() || !k.contains("endpoint") ||
          !k["endpoint"].is_string()) {
        continue;
      }
      if (state != "connected" && state != "ready" && state != "dialing" && state != "backoff") {
        continue;
      }
      auto& list = out[id];
      if (list.size() < max_backup_peers) {
        list.push_back(k["member"].get<std::string>() + "@" + k["endpoint"].get<std::string>());
      }
    }
  }
  return out;
}

}  // namespace

void add_backup_commands(CLI::App& app, session& s) {
  struct backup_args {
    std::string file, passphrase_file;
    bool force = false;
  };
  auto b = std::make_shared<backup_args>();
  auto* backup = with_example(
      app.add_subcommand("backup",
                         "Write one file with your identity, your communities' keys and your "
                         "config, sealed with a passphrase (the records come back from peers)."),
      "zwerm backup ~/zwerm-ada.backup");
  backup->add_option("FILE", b->file, "Where the backup goes")->required();
  backup->add_option("--passphrase-file", b->passphrase_file,
                     "Read the passphrase from the first line of this file (mode 0600) instead "
                     "of asking on the terminal");
  backup->add_flag("--force", b->force, "Replace FILE when it exists");
  backup->callback([&s, b] {
    s.set_action([b](session& s) {
      backup_options o;
      o.home = s.flags.home;
      o.file = b->file;
      o.force = b->force;
      if (!o.force && std::filesystem::exists(o.file)) {
        return session::fail(exit_refused, o.file.string() +
                                               " exists; it was left as it is (--force replaces "
                                               "it, or choose another name)");
      }
      auto pass = passphrase_for(b->passphrase_file, "Passphrase for the backup", true);
      if (!pass) return session::fail(exit_usage, pass.error().message());
      o.passphrase = std::move(*pass);
      if (o.passphrase.size() < min_backup_passphrase) {
        crypto::wipe_string(o.passphrase);
        return session::fail(exit_usage, "the passphrase is shorter than " +
                                             std::to_string(min_backup_passphrase) +
                                             " characters; choose a longer one");
      }
      if (const char* p = std::getenv("ZWERM_PASSPHRASE"); p && *p) o.identity_passphrase = p;
      const home_paths home{resolve_home(s.flags.home)};
      if (auto ids = community_ids_of(home.root)) o.peers = known_peers(s, *ids);
      auto done = run_backup(o);
      crypto::wipe_string(o.passphrase);
      if (o.identity_passphrase) crypto::wipe_string(*o.identity_passphrase);
      if (!done) return session::fail(exit_refused, done.error().message());
      if (s.flags.json) {
        std::cout << json{{"file", done->file},
                          {"member_id", done->member_id},
                          {"communities", done->communities},
                          {"peers", done->peers}}
                         .dump(2)
                  << "\n";
        return exit_ok;
      }
      std::cout << "Backed up member " << done->member_id << " and " << done->communities
                << " communit" << (done->communities == 1 ? "y" : "ies") << " to " << done->file
                << "\n";
      if (done->communities > 0 && done->peers == 0) {
        std::cout << "No member nodes were named (no node answered on this home): after a "
                     "restore, give one with --peer KEY@HOST:PORT or config bootstrap.\n";
      }
      std::cout << "Keep the file and its passphrase apart; the passphrase cannot be recovered.\n";
      return exit_ok;
    });
  });

  struct restore_args {
    std::string file, passphrase_file;
    bool force = false;
    std::vector<std::string> peers;
  };
  auto r = std::make_shared<restore_args>();
  auto* restore = with_example(
      app.add_subcommand("restore",
                         "Bring a node back from a backup into an empty home; it writes again "
                         "once a member's node has confirmed your own feed."),
      "zwerm restore ~/zwerm-ada.backup --home ~/zwerm-ada");
  restore->add_option("FILE", r->file, "The backup file")->required();
  restore->add_option("--passphrase-file", r->passphrase_file,
                      "Read the passphrase from the first line of this file (mode 0600) instead "
                      "of asking on the terminal");
  restore->add_flag("--force", r->force,
                    "Replace the identity, communities and config the home holds");
  restore->add_option("--peer", r->peers,
                      "KEY@HOST:PORT of a member's node to catch up from (repeatable), in "
                      "addition to those in the backup");
  restore->callback([&s, r] {
    s.set_action([r](session& s) {
      restore_options o;
      o.home = s.flags.home;
      o.file = r->file;
      o.force = r->force;
      o.peers = r->peers;
      auto pass = passphrase_for(r->passphrase_file, "Passphrase of the backup", false);
      if (!pass) return session::fail(exit_usage, pass.error().message());
      o.passphrase = std::move(*pass);
      auto done = run_restore(o);
      crypto::wipe_string(o.passphrase);
      if (!done) {
        const bool usage = done.error().code() == status_code::invalid_argument &&
                           done.error().message().rfind("--peer", 0) == 0;
        return session::fail(usage ? exit_usage : exit_refused, done.error().message());
      }
      if (s.flags.json) {
        std::cout << json{{"home", done->home},
                          {"member_id", done->member_id},
                          {"communities", done->communities},
                          {"config_written", done->config_written}}
                         .dump(2)
                  << "\n";
        return exit_ok;
      }
      std::cout << "Restored member " << done->member_id << " into " << done->home << " ("
                << done->communities.size() << " communit"
                << (done->communities.size() == 1 ? "y" : "ies") << ")\n"
                << "Next: start your node with `zwermd --home " << done->home
                << "`. It catches up from members' nodes and writes in a community only once "
                   "one of them has confirmed how far your own feed goes (`zwerm status` shows "
                   "it).\n";
      return exit_ok;
    });
  });
}

}  // namespace zwerm::cli
