#include "clidoc/model.hpp"

#include <CLI/CLI.hpp>

#include <stdexcept>
#include <utility>

namespace zwerm::clidoc {
namespace {

bool plain_word(const std::string& word) {
  if (word.empty()) return false;
  for (unsigned char c : word) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '+' || c == '-' || c == '/' || c == '@';
    if (!ok) return false;
  }
  return true;
}

void require_plain(const std::string& what, const std::string& word) {
  if (!plain_word(word)) {
    throw std::invalid_argument(what + " '" + word +
                                "' is not a plain word (letters, digits and . _ + - / @ only): no "
                                "completion could offer it safely");
  }
}

bool visible(const CLI::Option* o) {
  return !o->get_group().empty();
}

// CLI11 writes an option's type as "TEXT:{a,b}:INT in [1 - 9]": the type, then each validator.
std::string value_name_of(const CLI::Option* o) {
  const std::string full = o->get_type_name();
  return full.substr(0, full.find(':'));
}

// The choices of a CLI::IsMember check, which CLI11 describes as "{a,b,c}".
std::vector<std::string> choices_of(const CLI::Option* o) {
  const std::string full = o->get_type_name();
  std::vector<std::string> out;
  std::size_t pos = full.find(':');
  while (pos != std::string::npos) {
    const std::size_t next = full.find(':', pos + 1);
    const std::string part =
        full.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      const std::string inner = part.substr(1, part.size() - 2);
      std::size_t start = 0;
      while (start <= inner.size()) {
        const std::size_t comma = inner.find(',', start);
        const std::string choice =
            inner.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!choice.empty()) out.push_back(choice);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
    pos = next;
  }
  return out;
}

option_doc option_of(const CLI::Option* o) {
  option_doc d;
  for (const auto& n : o->get_lnames()) d.names.push_back("--" + n);
  for (const auto& n : o->get_snames()) d.names.push_back("-" + n);
  for (const auto& n : d.names) require_plain("option", n);
  d.takes_value = o->get_items_expected_max() != 0;
  if (d.takes_value) {
    d.value_name = value_name_of(o);
    d.choices = choices_of(o);
    for (const auto& c : d.choices) require_plain("choice of " + d.names.front(), c);
  }
  d.description = o->get_description();
  d.default_value = o->get_default_str();
  d.required = o->get_required();
  return d;
}

// Options and positionals of `app`, and of its unnamed option groups (which CLI11 keeps as
// nameless subcommands whose options belong to `app`).
void collect(const CLI::App& app, command_doc& out) {
  for (const CLI::Option* o : app.get_options()) {
    if (!visible(o)) continue;
    if (o->nonpositional()) {
      out.options.push_back(option_of(o));
    } else {
      out.positionals.push_back(
          {o->get_name(), value_name_of(o), o->get_description(), o->get_required()});
    }
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name().empty()) collect(*sub, out);
  }
}

void walk(const CLI::App& app, std::vector<std::string> path, std::vector<option_doc> inherited,
          const std::string& parent_footer, std::vector<command_doc>& out) {
  command_doc doc;
  doc.path = std::move(path);
  doc.description = app.get_description();
  // CLI11 gives a new subcommand its parent's footer; only a footer of its own says something.
  doc.footer = app.get_footer() == parent_footer ? "" : app.get_footer();
  doc.needs_subcommand = app.get_require_subcommand_min() > 0;
  doc.inherited = std::move(inherited);
  collect(app, doc);
  std::vector<const CLI::App*> subs;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name().empty() || sub->get_group().empty()) continue;
    require_plain("command", sub->get_name());
    if (sub->get_name().front() == '-') {
      throw std::invalid_argument("command '" + sub->get_name() + "' starts with '-'");
    }
    doc.subcommands.push_back({sub->get_name(), sub->get_description()});
    subs.push_back(sub);
  }
  // What a subcommand also accepts: with fallthrough, every ancestor's options.
  out.push_back(doc);
  for (const CLI::App* sub : subs) {
    std::vector<option_doc> passed;
    if (sub->get_fallthrough()) {
      passed = doc.inherited;
      passed.insert(passed.end(), doc.options.begin(), doc.options.end());
    }
    auto sub_path = doc.path;
    sub_path.push_back(sub->get_name());
    walk(*sub, std::move(sub_path), passed, app.get_footer(), out);
  }
}

}  // namespace

std::string command_doc::joined_path() const {
  std::string out;
  for (const auto& p : path) out += (out.empty() ? "" : " ") + p;
  return out;
}

std::vector<command_doc> describe(const CLI::App& app) {
  require_plain("program", app.get_name());
  std::vector<command_doc> out;
  walk(app, {app.get_name()}, {}, "", out);
  return out;
}

std::string summary(const std::string& program, const std::string& description) {
  std::string line = description.substr(0, description.find('\n'));
  const std::string prefix = program + ": ";
  if (line.rfind(prefix, 0) == 0) line = line.substr(prefix.size());
  const auto stop = line.find(". ");
  if (stop != std::string::npos) line = line.substr(0, stop);
  while (!line.empty() && (line.back() == '.' || line.back() == ' ')) line.pop_back();
  return line;
}

}  // namespace zwerm::clidoc
