// zwerm dashboard: prints the node's web dashboard address (with this start's access token)
// and, with --open, hands it to xdg-open.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/exit_codes.hpp"
#include "cli/session.hpp"

namespace zwerm::cli {
namespace {

// The first `name` on $PATH that can be run, or "".
std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "";
  while (!rest.empty()) {
    auto colon = rest.find(':');
    std::filesystem::path dir(std::string(rest.substr(0, colon)));
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    auto candidate = dir / name;
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

// Runs `program url` without a shell (the URL never meets shell quoting) and waits for it.
int run_opener(const std::string& program, const std::string& url) {
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ::execl(program.c_str(), program.c_str(), url.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

void add_dashboard_command(CLI::App& app, session& s) {
  auto open = std::make_shared<bool>(false);
  auto* cmd = with_example(
      app.add_subcommand("dashboard",
                         "Print the address of your node's web dashboard (zwermd --http); it "
                         "holds a token that changes at every start of zwermd."),
      "zwerm dashboard --open");
  cmd->add_flag("--open", *open, "Also open it in the desktop's browser (xdg-open)");
  cmd->callback([&s, open] {
    s.set_action([open](session& s) {
      auto answer = s.call(method::dashboard.name, json::object());
      if (auto* code = std::get_if<int>(&answer)) return *code;
      const json result = std::get<json>(answer);
      const std::string url = result.value("url", "");
      int rc = s.print(result, [&url](const json&) { std::cout << url << "\n"; });
      if (!*open || rc != 0) return rc;
      const std::string opener = find_program("xdg-open");
      if (opener.empty()) {
        return session::fail(exit_usage,
                             "xdg-open is not installed; open the address above in a browser");
      }
      if (run_opener(opener, url) != 0) {
        return session::fail(exit_refused, "xdg-open could not open the address above");
      }
      return 0;
    });
  });
}

}  // namespace zwerm::cli
