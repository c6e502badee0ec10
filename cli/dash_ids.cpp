#include "cli/dash_ids.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <string_view>

namespace zwerm::cli {
namespace {

bool dash_id(std::string_view a) {
  if (a.size() < 4 || a[0] != '-' || a[1] == '-') return false;
  return std::all_of(a.begin() + 1, a.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

bool value_option(std::string_view a, const std::set<std::string>& flags) {
  return a.size() > 2 && a.starts_with("--") && a.find('=') == std::string_view::npos &&
         !flags.contains(std::string(a));
}

void collect_flags(const CLI::App& app, std::set<std::string>& out) {
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_items_expected_max() != 0) continue;  // a flag expects no value
    for (const auto& name : o->get_lnames()) out.insert("--" + name);
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    collect_flags(*sub, out);
  }
}

}  // namespace

std::vector<std::string> quote_dash_ids(const std::vector<std::string>& args,
                                        const std::set<std::string>& flags) {
  std::vector<std::string> out, moved;
  std::size_t i = 0;
  for (; i < args.size() && args[i] != "--"; ++i) {
    if (!dash_id(args[i])) {
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
  collect_flags(app, out);
  return out;
}

}  // namespace zwerm::cli
