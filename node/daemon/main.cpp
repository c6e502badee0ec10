// zwermd: the member's node. Runs in the foreground; stop it with Ctrl-C or SIGTERM.
//   zwermd [--home DIR] [--log-level LEVEL] [--log-file PATH]
//          [--http ADDR [--http-allow-remote]] [--metrics ADDR]
//   zwermd repair [--home DIR]
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <tuple>
#include <vector>

#include "base/home.hpp"
#include "clidoc/generate.hpp"
#include "node/daemon/daemon.hpp"
#include "node/daemon/home_lock.hpp"
#include "node/daemon/rpc_methods.hpp"
#include "node/sync/messages.hpp"
#include "store/store.hpp"

namespace {

// Reads the passphrase and removes it from the environment, so that nothing zwermd starts
// later inherits it. The bytes are overwritten in place first: /proc/PID/environ shows the
// process's original environment block, which unsetenv() alone leaves as it was.
std::optional<std::string> take_passphrase() {
  char* p = std::getenv("ZWERM_PASSPHRASE");
  if (!p || !*p) return std::nullopt;
  std::string value(p);
  for (char* c = p; *c; ++c) *c = 'x';
  ::unsetenv("ZWERM_PASSPHRASE");
  return value;
}

// zwermd repair: rebuilds the store's indexes. Holds the home lock so no daemon runs meanwhile.
int run_repair(const zwerm::node::daemon_launch& launch) {
  using namespace zwerm::node;
  zwerm::home_paths home{zwerm::resolve_home(launch.home)};
  auto lock = home_lock::acquire(home.lock());
  if (!lock) {
    std::cerr << "zwermd: " << lock.error().message() << "\n";
    return lock.error().code() == zwerm::status_code::busy ? exit_busy : exit_failure;
  }
  std::cerr << "zwermd: repairing the store in " << home.db().string() << " ...\n";
  auto done = zwerm::store::store::repair(home.db());
  if (!done) {
    std::cerr << "zwermd: repair failed: " << done.error().message() << "\n";
    return exit_failure;
  }
  std::cout << *done << "\n";
  return exit_clean;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace zwerm::node;
  CLI::App app{
      "zwermd: your node in zwerm communities. It holds your key, keeps the community's log,\n"
      "talks to other members' nodes and answers the `zwerm` command on <home>/zwermd.sock.\n"
      "Runs in the foreground; Ctrl-C or SIGTERM stops it cleanly.\n"
      "Example: zwermd --home ~/.local/share/zwerm",
      "zwermd"};
  app.set_version_flag("--version", std::string("zwermd ") + std::string(zwermd_version()) +
                                        " (sync protocol " +
                                        std::to_string(sync::min_protocol_version) + ".." +
                                        std::to_string(sync::max_protocol_version) + ")");
  std::optional<std::string> home;
  app.add_option("--home", home,
                 "The node's home (default: $ZWERM_HOME, else $XDG_DATA_HOME/zwerm, else "
                 "~/.local/share/zwerm)");
  std::optional<std::string> level_text;
  app.add_option("--log-level", level_text,
                 "trace, debug, info, warn, error or off; overrides config.json's log_level");
  std::optional<std::string> log_file;
  app.add_option("--log-file", log_file,
                 "Log to this file instead of stderr; it rotates by size (zwermd.log to "
                 "zwermd.1.log, zwermd.2.log, ...) and SIGHUP reopens it");
  std::size_t log_file_max_bytes = log_file_options{}.max_bytes;
  app.add_option("--log-file-max-bytes", log_file_max_bytes,
                 "Rotate the --log-file when it reaches this size (default 10485760, at least "
                 "4096)");
  std::size_t log_files = log_file_options{}.keep;
  app.add_option("--log-files", log_files,
                 "Older --log-file files kept after a rotation (default 3, 1..100)");
  std::optional<std::string> http_text;
  app.add_option("--http", http_text,
                 "Serve the read-only web dashboard on this address, e.g. 127.0.0.1:7480 "
                 "(loopback only unless --http-allow-remote); `zwerm dashboard` prints its URL");
  bool http_allow_remote = false;
  app.add_flag("--http-allow-remote", http_allow_remote,
               "Let --http and --metrics listen on a non-loopback address (logs a warning)");
  std::optional<std::string> metrics_text;
  app.add_option("--metrics", metrics_text,
                 "Serve Prometheus metrics (GET /metrics) on this address, e.g. 127.0.0.1:9480");
  auto* repair = app.add_subcommand(
      "repair",
      "Rebuild the store's indexes from its records (after a crash reported corruption).\n"
      "Run it with zwermd stopped. Example: zwermd repair --home ~/.local/share/zwerm");
  repair->add_option("--home", home, "The node's home");

  // `zwermd --generate man|bash|zsh`: the man page or a completion script (clidoc/).
  if (auto rc = zwerm::clidoc::generate_if_asked(
          app, std::vector<std::string>(argv + 1, argv + argc),
          std::string("zwermd ") + std::string(zwermd_version()), std::cout, std::cerr)) {
    return *rc;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? exit_clean : exit_usage;
  }

  daemon_launch launch;
  launch.home = home;
  if (level_text) {
    launch.log_override = parse_log_level(*level_text);
    if (!launch.log_override) {
      std::cerr << "zwermd: --log-level must be one of trace, debug, info, warn, error, off\n";
      return exit_usage;
    }
  }

  if (log_file) {
    if (log_file->empty() || log_file_max_bytes < 4096 || log_files < 1 || log_files > 100) {
      std::cerr << "zwermd: --log-file needs a path, --log-file-max-bytes at least 4096 and "
                   "--log-files 1..100\n";
      return exit_usage;
    }
    launch.log_file = log_file_options{*log_file, log_file_max_bytes, log_files};
  }

  launch.http_allow_remote = http_allow_remote;
  for (auto [text, out, flag] : {std::tuple{&http_text, &launch.http, "--http"},
                                 std::tuple{&metrics_text, &launch.metrics, "--metrics"}}) {
    if (!*text) continue;
    auto hp = parse_host_port(**text);
    if (!hp) {
      std::cerr << "zwermd: " << flag << ": " << hp.error().message() << "\n";
      return exit_usage;
    }
    *out = *hp;
  }

  if (*repair) return run_repair(launch);

  launch.passphrase = take_passphrase();
  auto opened = node_daemon::open(launch);
  if (auto* f = std::get_if<node_daemon::failure>(&opened)) {
    std::cerr << "zwermd: " << f->message << "\n";
    return f->code;
  }
  try {
    return std::get<std::unique_ptr<node_daemon>>(opened)->run();
  } catch (const std::exception& e) {
    std::cerr << "zwermd: stopped by a fatal error: " << e.what() << "\n";
    return exit_failure;
  }
}
