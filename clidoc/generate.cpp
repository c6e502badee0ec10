#include "clidoc/generate.hpp"

#include <CLI/CLI.hpp>

#include <ostream>
#include <stdexcept>

#include "clidoc/completion.hpp"
#include "clidoc/man_page.hpp"
#include "clidoc/model.hpp"

namespace zwerm::clidoc {

std::optional<int> generate_if_asked(const CLI::App& app, const std::vector<std::string>& args,
                                     const std::string& source, std::ostream& out,
                                     std::ostream& err) {
  if (args.empty() || args.front() != "--generate") return std::nullopt;
  const std::string program = app.get_name();
  const std::string format = args.size() == 2 ? args[1] : "";
  if (format != "man" && format != "bash" && format != "zsh") {
    err << program << ": --generate takes one of man, bash, zsh (and nothing else)\n";
    return 2;
  }
  try {
    const auto commands = describe(app);
    if (format == "man") {
      out << man_page(commands, source);
    } else if (format == "bash") {
      out << bash_completion(commands);
    } else {
      out << zsh_completion(commands);
    }
  } catch (const std::invalid_argument& e) {
    err << program << ": cannot generate the " << format << " file: " << e.what() << "\n";
    return 1;
  }
  out.flush();
  if (!out) {
    err << program << ": could not write the " << format << " file\n";
    return 1;
  }
  return 0;
}

}  // namespace zwerm::clidoc
