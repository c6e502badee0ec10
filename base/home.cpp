#include "base/home.hpp"

#include <cstdlib>

namespace zwerm {

std::filesystem::path resolve_home(const std::optional<std::string>& flag) {
  if (flag && !flag->empty()) return std::filesystem::absolute(*flag);
  if (const char* env = std::getenv("ZWERM_HOME"); env && *env) {
    return std::filesystem::absolute(env);
  }
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    return std::filesystem::path(xdg) / "zwerm";
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home ? home : ".") / ".local" / "share" / "zwerm";
}

}  // namespace zwerm
