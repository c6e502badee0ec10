// What every command shares once CLI11 has parsed the line: the global flags, the connection
// to the node, error reporting with the right exit code, and printing (tables or --json).
//
// Commands register themselves on the CLI11 app (commands_*.cpp) and set the session's
// action; main() parses and then runs that action. Nothing connects to the node before the
// action runs, so `--help` and usage errors never need a running zwermd.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "cli/resolve.hpp"
#include "cli/rpc_client.hpp"
#include "node/rpc_contract/contract.hpp"

namespace zwerm::cli {

// Method and param names of the node's RPC contract (docs/RPC.md).
namespace method = rpc_contract::method;
namespace param = rpc_contract::param;

struct global_flags {
  std::optional<std::string> home;       // --home
  bool json = false;                     // --json: print the RPC result as is
  bool wide = false;                     // --wide: cut nothing, whatever the terminal's width
  std::optional<std::string> community;  // --community NAME|ID
};

// --limit and --before of a list view (feed, requests, proposals, members, circle list,
// who-knows).
struct page_args {
  std::int64_t limit = 20;
  std::string before;
};

class session {
 public:
  using action = std::function<int(session&)>;

  global_flags flags;

  // Set by the chosen subcommand's callback.
  void set_action(action a) { action_ = std::move(a); }
  bool has_action() const { return static_cast<bool>(action_); }
  int run() { return action_(*this); }

  // The node's socket for the resolved home.
  std::filesystem::path socket_path() const;
  std::string home_text() const;

  // Calls a method; on failure prints the reason to stderr and yields the exit code.
  std::variant<json, int> call(std::string_view method, json params,
                               std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // Adds "community" to params when --community was given (the node picks its only or
  // default community otherwise).
  json with_community(json params) const;

  // Resolves a member by name or id prefix against the node's member list; on failure prints
  // the reason (with candidates) and yields exit_usage, or the call's exit code.
  std::variant<member_ref, int> resolve(const std::string& query);

  // Prints an error for people ("zwerm: ...") and returns `code`.
  static int fail(int code, const std::string& message);
  // Prints the error of a failed call and returns its exit code.
  int fail(const call_error& error);

  // --json: prints the result as is; otherwise calls `human`.
  int print(const json& result, const std::function<void(const json&)>& human);

  // How wide the output may be: the terminal's width, or unlimited_width with --wide or when
  // stdout is not a terminal (cli/terminal.hpp).
  std::size_t width() const;

  // Prints a call's answer with the generic renderer (or --json), or passes its exit code on.
  int show(std::variant<json, int> answer);

  // Puts --limit and --before into params. --limit below 1 is a usage error (printed; the exit
  // code returned); above the node's page size it is capped, and a note on stderr says so.
  std::optional<int> page_params(const page_args& a, json& params) const;
  // Prints a page of a list view (or --json, as is). When the node says more follow, ends with
  // the exact command for the next page: `words` are the command and the filters as typed
  // (without --limit and --before), e.g. {"requests", "--state", "open"}.
  int show_page(std::variant<json, int> answer, const std::vector<std::string>& words,
                const page_args& a);

  // The open connection (made on first use); for streaming commands (watch).
  rpc_client* client();

 private:
  action action_;
  std::unique_ptr<rpc_client> client_;
};

// Adds --limit and --before to a list view's command.
void add_page_options(CLI::App* cmd, page_args& a);

// Adds an "Example:" line to a subcommand's help.
CLI::App* with_example(CLI::App* cmd, const std::string& example);

// Command groups, one file each.
void add_init_command(CLI::App& app, session& s);
void add_backup_commands(CLI::App& app, session& s);     // backup, restore (no node needed)
void add_node_commands(CLI::App& app, session& s);       // status, peers, peer add, watch
void add_community_commands(CLI::App& app, session& s);  // community, invite, join
void add_record_commands(CLI::App& app, session& s);     // profile, ask, contribute, thank,
                                                         // propose, endorse, circle
void add_view_commands(CLI::App& app, session& s);       // members, feed, requests, balance,
                                                         // who-knows, proposals
void add_dashboard_command(CLI::App& app, session& s);   // dashboard [--open]
void add_picture_commands(CLI::App& app, session& s);    // ties, pulse (with --format)
// The contract's plain methods (rpc_contract::method_spec::writes and plain_view) that none of
// the commands above covers, one command each; added after all the others.
void add_plain_commands(CLI::App& app, session& s);

}  // namespace zwerm::cli
