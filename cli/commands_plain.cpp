// Commands for the contract's plain methods (rpc_contract::method_spec::writes and plain_view)
// that no written command covers: a record type or a view whose method is plain needs no code
// here. `zwerm NAME` (or `zwerm GROUP NAME` for a method `GROUP.NAME`); required strings are
// positional arguments in the contract's order, every other param an option `--param-name` (a
// list: repeat it; a boolean: a flag).
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <memory>

#include "cli/session.hpp"

namespace zwerm::cli {
namespace {

namespace rc = rpc_contract;

CLI::App* find_command(CLI::App& parent, const std::string& name) {
  auto found = parent.get_subcommands([&](CLI::App* c) { return c->get_name() == name; });
  return found.empty() ? nullptr : found.front();
}

// "write a note" -> "Write a note."
std::string sentence(std::string_view summary) {
  std::string out(summary);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out + ".";
}

std::string upper(std::string word) {
  for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return word;
}

std::string help_of(const rc::param_spec& p) {
  if (!p.help.empty()) return std::string(p.help);
  return "The \"" + std::string(p.name) + "\" param (docs/RPC.md)";
}

// What the person typed, per param (the option that read it, so that an absent optional param
// stays absent from the call).
struct typed_param {
  std::string key;
  rc::param_type type = rc::param_type::string;
  CLI::Option* option = nullptr;
  std::string text;
  std::vector<std::string> list;
  std::int64_t number = 0;
  bool flag = false;
};

void add_plain_command(CLI::App& app, session& s, const rc::method_spec& m) {
  const std::string name(m.name);
  CLI::App* parent = &app;
  std::string word = name;
  if (auto dot = name.find('.'); dot != std::string::npos) {
    const std::string group = name.substr(0, dot);
    word = name.substr(dot + 1);
    parent = find_command(app, group);
    if (parent == nullptr) {
      parent = app.add_subcommand(group, "");
      parent->require_subcommand(1);
    }
  }
  if (find_command(*parent, word) != nullptr) return;  // a written command serves it
  auto* cmd = parent->add_subcommand(word, sentence(m.summary));
  auto typed = std::make_shared<std::vector<typed_param>>();
  typed->reserve(m.params.size());  // the options below keep pointers into it
  std::string example = "zwerm " + (parent == &app ? word : parent->get_name() + " " + word);
  for (const rc::param_spec& p : m.params) {
    if (p.name == param::community) continue;  // the global --community
    typed_param& t = typed->emplace_back();
    t.key = std::string(p.name);
    std::string option = "--" + t.key;
    std::replace(option.begin(), option.end(), '_', '-');
    t.type = p.type;
    if (p.type == rc::param_type::string_list) {
      t.option = cmd->add_option(option, t.list, help_of(p) + " (repeat for several)");
    } else if (p.type == rc::param_type::boolean) {
      t.option = cmd->add_flag(option, t.flag, help_of(p));
      example += " [" + option + "]";
    } else if (p.required && p.type == rc::param_type::string) {
      t.option = cmd->add_option(t.key, t.text, help_of(p));
      example += " " + upper(t.key);
    } else {
      t.option = p.type == rc::param_type::integer ? cmd->add_option(option, t.number, help_of(p))
                                                   : cmd->add_option(option, t.text, help_of(p));
      const std::string value = p.type == rc::param_type::integer ? "N" : upper(t.key);
      example += (p.required ? " " : " [") + option + " " + value + (p.required ? "" : "]");
    }
    if (p.required) t.option->required();
  }
  with_example(cmd, example);
  cmd->callback([&s, typed, &m] {
    json params = json::object();
    for (const typed_param& t : *typed) {
      if (t.option->count() == 0) continue;
      switch (t.type) {
        case rc::param_type::string_list:
          params[t.key] = t.list;
          break;
        case rc::param_type::integer:
          params[t.key] = t.number;
          break;
        case rc::param_type::boolean:
          params[t.key] = t.flag;
          break;
        default:
          params[t.key] = t.text;
          break;
      }
    }
    s.set_action([params = std::move(params), &m](session& s) {
      return s.show(s.call(m.name, s.with_community(params)));
    });
  });
}

}  // namespace

void add_plain_commands(CLI::App& app, session& s) {
  for (const rc::method_spec* m : rc::all_methods) {
    if (!m->writes.empty() || m->plain_view) add_plain_command(app, s, *m);
  }
}

}  // namespace zwerm::cli
