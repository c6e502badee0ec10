#include "clidoc/completion.hpp"

#include <set>
#include <sstream>

namespace zwerm::clidoc {
namespace {

// Single-quoted for sh: every byte literal, a quote as '\''.
std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A shell function name made from the program's name.
std::string function_prefix(const std::string& program) {
  std::string out = "_";
  for (char c : program) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out += alnum ? c : '_';
  }
  return out;
}

// The options a command accepts: its own first, then its ancestors' not shadowed by its own.
std::vector<option_doc> accepted(const command_doc& c) {
  std::vector<option_doc> out = c.options;
  std::set<std::string> seen;
  for (const auto& o : c.options) seen.insert(o.names.begin(), o.names.end());
  for (auto it = c.inherited.rbegin(); it != c.inherited.rend(); ++it) {
    bool shadowed = false;
    for (const auto& n : it->names) shadowed = shadowed || seen.count(n) > 0;
    if (shadowed) continue;
    seen.insert(it->names.begin(), it->names.end());
    out.push_back(*it);
  }
  return out;
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return line;
}

std::string words(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& w : list) out += (out.empty() ? "" : " ") + w;
  return out;
}

// `<prefix>_value_option PATH OPTION`: true when OPTION takes a value in command PATH.
// `<prefix>_choices PATH OPTION`: sets `reply` (zsh) or REPLY (bash) to its choices.
void value_tables(std::ostream& out, const std::vector<command_doc>& commands,
                  const std::string& prefix, bool zsh) {
  out << prefix << "_value_option() {\n  case \"$1 $2\" in\n";
  std::vector<std::string> keys;
  for (const auto& c : commands) {
    for (const auto& o : accepted(c)) {
      if (!o.takes_value) continue;
      for (const auto& n : o.names) keys.push_back(sh_quote(c.joined_path() + " " + n));
    }
  }
  for (std::size_t i = 0; i < keys.size(); i += 4) {
    out << "    ";
    for (std::size_t k = i; k < keys.size() && k < i + 4; ++k) {
      out << keys[k] << (k + 1 < keys.size() ? "|" : ") return 0 ;;");
    }
    out << (i + 4 < keys.size() ? "\\\n" : "\n");
  }
  out << "  esac\n  return 1\n}\n\n";
  out << prefix << "_choices() {\n  " << (zsh ? "reply=()" : "REPLY=") << "\n  case \"$1 $2\" in\n";
  for (const auto& c : commands) {
    for (const auto& o : accepted(c)) {
      if (o.choices.empty()) continue;
      out << "    ";
      for (std::size_t k = 0; k < o.names.size(); ++k) {
        out << (k ? "|" : "") << sh_quote(c.joined_path() + " " + o.names[k]);
      }
      out << ") " << (zsh ? "reply=(" : "REPLY=")
          << (zsh ? words(o.choices) : sh_quote(words(o.choices))) << (zsh ? ")" : "") << " ;;\n";
    }
  }
  out << "  esac\n}\n\n";
}

}  // namespace

std::string bash_completion(const std::vector<command_doc>& commands) {
  const std::string& program = commands.front().path.front();
  const std::string f = function_prefix(program);
  std::ostringstream out;
  out << "# bash completion for " << program
      << ", generated from its command-line definition; do not edit.\n\n";
  out << f << "_commands() {\n  case \"$1\" in\n";
  for (const auto& c : commands) {
    if (c.subcommands.empty()) continue;
    std::vector<std::string> names;
    for (const auto& s : c.subcommands) names.push_back(s.name);
    out << "    " << sh_quote(c.joined_path()) << ") REPLY=" << sh_quote(words(names)) << " ;;\n";
  }
  out << "    *) REPLY= ;;\n  esac\n}\n\n";
  out << f << "_options() {\n  case \"$1\" in\n";
  for (const auto& c : commands) {
    std::vector<std::string> names;
    for (const auto& o : accepted(c)) names.insert(names.end(), o.names.begin(), o.names.end());
    out << "    " << sh_quote(c.joined_path()) << ") REPLY=" << sh_quote(words(names)) << " ;;\n";
  }
  out << "    *) REPLY= ;;\n  esac\n}\n\n";
  value_tables(out, commands, f, false);
  // COMP_WORDBREAKS holds '=' by default, so "--format=d" arrives as "--format" "=" "d".
  out << f << "() {\n"
      << "  local cur=${COMP_WORDS[COMP_CWORD]} prev= cmd=" << sh_quote(program)
      << " word option= i=1 REPLY\n"
      << "  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
      << "  while ((i < COMP_CWORD)); do\n"
      << "    word=${COMP_WORDS[i]}\n"
      << "    if [[ $word == -- ]]; then\n"
      << "      COMPREPLY=()\n"
      << "      return\n"
      << "    elif [[ $word == -* ]]; then\n"
      << "      if [[ ${COMP_WORDS[i + 1]} == = ]]; then\n"
      << "        ((i += 3))\n"
      << "        continue\n"
      << "      elif " << f << "_value_option \"$cmd\" \"$word\"; then\n"
      << "        ((i += 2))\n"
      << "        continue\n"
      << "      fi\n"
      << "    else\n"
      << "      " << f << "_commands \"$cmd\"\n"
      << "      [[ \" $REPLY \" == *\" $word \"* ]] && cmd=\"$cmd $word\"\n"
      << "    fi\n"
      << "    ((i++))\n"
      << "  done\n"
      << "  if [[ $cur == = ]]; then\n"
      << "    option=$prev\n"
      << "    cur=\n"
      << "  elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then\n"
      << "    option=${COMP_WORDS[COMP_CWORD - 2]}\n"
      << "  elif [[ $prev == -* ]]; then\n"
      << "    option=$prev\n"
      << "  fi\n"
      << "  if [[ -n $option ]] && " << f << "_value_option \"$cmd\" \"$option\"; then\n"
      << "    " << f << "_choices \"$cmd\" \"$option\"\n"
      << "    if [[ -n $REPLY ]]; then\n"
      << "      mapfile -t COMPREPLY < <(compgen -W \"$REPLY\" -- \"$cur\")\n"
      << "    else\n"
      << "      compopt -o filenames 2>/dev/null\n"
      << "      mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
      << "    fi\n"
      << "    return\n"
      << "  fi\n"
      << "  if [[ $cur == -* ]]; then\n"
      << "    " << f << "_options \"$cmd\"\n"
      << "  else\n"
      << "    " << f << "_commands \"$cmd\"\n"
      << "  fi\n"
      << "  mapfile -t COMPREPLY < <(compgen -W \"$REPLY\" -- \"$cur\")\n"
      << "}\n\n"
      << "complete -F " << f << " " << program << "\n";
  return out.str();
}

std::string zsh_completion(const std::vector<command_doc>& commands) {
  const std::string& program = commands.front().path.front();
  const std::string f = function_prefix(program);
  std::ostringstream out;
  out << "#compdef " << program << "\n# zsh completion for " << program
      << ", generated from its command-line definition; do not edit.\n\n";
  // Items for _describe are "name:description".
  out << f << "_commands() {\n  case \"$1\" in\n";
  for (const auto& c : commands) {
    if (c.subcommands.empty()) continue;
    out << "    " << sh_quote(c.joined_path()) << ") reply=(\n";
    for (const auto& s : c.subcommands) {
      out << "      " << sh_quote(s.name + ":" + first_line(s.description)) << "\n";
    }
    out << "    ) ;;\n";
  }
  out << "    *) reply=() ;;\n  esac\n}\n\n";
  out << f << "_options() {\n  case \"$1\" in\n";
  for (const auto& c : commands) {
    out << "    " << sh_quote(c.joined_path()) << ") reply=(\n";
    for (const auto& o : accepted(c)) {
      for (const auto& n : o.names) {
        out << "      " << sh_quote(n + ":" + first_line(o.description)) << "\n";
      }
    }
    out << "    ) ;;\n";
  }
  out << "    *) reply=() ;;\n  esac\n}\n\n";
  value_tables(out, commands, f, true);
  out << f << "() {\n"
      << "  local cmd=" << sh_quote(program) << " word option= i=2\n"
      << "  local -a reply\n"
      << "  while ((i < CURRENT)); do\n"
      << "    word=${words[i]}\n"
      << "    if [[ $word == -- ]]; then\n"
      << "      return 1\n"
      << "    elif [[ $word == -* ]]; then\n"
      << "      if [[ $word != *=* ]] && " << f << "_value_option \"$cmd\" \"$word\"; then\n"
      << "        ((i += 2))\n"
      << "        continue\n"
      << "      fi\n"
      << "    else\n"
      << "      " << f << "_commands \"$cmd\"\n"
      << "      (( ${reply[(I)${(b)word}:*]} )) && cmd=\"$cmd $word\"\n"
      << "    fi\n"
      << "    ((i++))\n"
      << "  done\n"
      << "  local cur=${words[CURRENT]}\n"
      << "  if [[ $cur == -*=* ]]; then\n"
      << "    option=${cur%%=*}\n"
      << "    compset -P '*='\n"
      << "  elif ((CURRENT > 2)) && [[ ${words[CURRENT - 1]} == -* ]]; then\n"
      << "    option=${words[CURRENT - 1]}\n"
      << "  fi\n"
      << "  if [[ -n $option ]] && " << f << "_value_option \"$cmd\" \"$option\"; then\n"
      << "    " << f << "_choices \"$cmd\" \"$option\"\n"
      << "    if ((${#reply})); then\n"
      << "      compadd -a reply\n"
      << "    else\n"
      << "      _files\n"
      << "    fi\n"
      << "    return\n"
      << "  fi\n"
      << "  if [[ $cur == -* ]]; then\n"
      << "    " << f << "_options \"$cmd\"\n"
      << "    _describe -t options option reply\n"
      << "  else\n"
      << "    " << f << "_commands \"$cmd\"\n"
      << "    _describe -t commands command reply\n"
      << "  fi\n"
      << "}\n\n"
      << "if [[ ${funcstack[1]} == " << f << " ]]; then\n"
      << "  " << f << " \"$@\"\n"
      << "else\n"
      << "  compdef " << f << " " << program << "\n"
      << "fi\n";
  return out.str();
}

}  // namespace zwerm::clidoc
