#include "cli/dash_ids.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <string_view>

namespace zwerm::cli {
namespace {

bool base64url(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

bool dash_id(std::string_view a, const std::set<std::string>& options) {
  if (a.size() < 4 || a[0] != '-') return false;
  if (a[1] != '-') return std::all_of(a.begin() + 1, a.end(), base64url);
  // `--` and a rest of an id: zwerm's options are lower-case words, ids have capitals and
  // digits.
  if (options.empty() || a.size() < 10 || options.contains(std::string(a))) return false;
  return std::all_of(a.begin() + 2, a.end(), base64url) &&
         std::any_of(a.begin() + 2, a.end(), [](char c) {
           return std::isupper(static_cast<unsigned char>(c)) ||
                  std::isdigit(static_cast<unsigned char>(c));
         });
}

bool value_option(std::string_view a, const std::set<std::string>& flags) {
  return a.size() > 2 && a.starts_with("--") && a.find('=') == std::string_view::npos &&
         !flags.contains(std::string(a));
}

void collect_options(const CLI::App& app, bool flags_only, std::set<std::string>& out) {
  for (const CLI::Option* o : app.get_options()) {
    if (flags_only && o->get_items_expected_max() != 0) continue;  // a flag expects no value
    for (const auto& name : o->get_lnames()) out.insert("--" + name);
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    collect_options(*sub, flags_only, out);
  }
}

}  // namespace

std::vector<std::string> quote_dash_ids(const std::vector<std::string>& args,
                                        const std::set<std::string>& flags,
                                        const std::set<std::string>& options) {
  std::vector<std::string> out, moved;
  std::size_t i = 0;
  for (; i < args.size() && args[i] != "--"; ++i) {
    if (!dash_id(args[i], options)) {
      out.push_back(args[i]);
    } else if (!out.empty() && value_option(out.back(), flags)) {
      out.back() += "=" + args[i];
    } else {
      moved.push_back(args[i]);
    }
  }
  const bool explicit_end = i < args.size();
  if (moved.empty()) {
    out.insert(out.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
    return out;
  }
  out.push_back("--");
  if (explicit_end) ++i;  // one `--` serves both
  out.insert(out.end(), moved.begin(), moved.end());
  out.insert(out.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  return out;
}

std::set<std::string> long_flags(const CLI::App& app) {
  std::set<std::string> out;
  collect_options(app, true, out);
  return out;
}

std::set<std::string> long_options(const CLI::App& app) {
  std::set<std::string> out;
  collect_options(app, false, out);
  return out;
}

}  // namespace zwerm::cli
