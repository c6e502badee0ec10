#include "cli/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>

#include "cli/format.hpp"

namespace zwerm::cli {

std::size_t choose_width(bool wide, bool is_terminal, std::optional<std::size_t> terminal_columns,
                         std::optional<std::string_view> columns_env) {
  if (wide || !is_terminal) return unlimited_width;
  if (terminal_columns && *terminal_columns > 0) return *terminal_columns;
  if (columns_env) {
    std::size_t n = 0;
    const char* end = columns_env->data() + columns_env->size();
    auto [at, ec] = std::from_chars(columns_env->data(), end, n);
    if (ec == std::errc{} && at == end && n > 0) return n;
  }
  return 80;
}

std::size_t stdout_width(bool wide) {
  const bool tty = ::isatty(STDOUT_FILENO) == 1;
  std::optional<std::size_t> columns;
  winsize ws{};
  if (tty && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) columns = ws.ws_col;
  std::optional<std::string_view> env;
  if (const char* c = std::getenv("COLUMNS")) env = c;
  return choose_width(wide, tty, columns, env);
}

}  // namespace zwerm::cli
