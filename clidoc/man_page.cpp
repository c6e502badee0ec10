#include "clidoc/man_page.hpp"

#include <cstdint>
#include <cstdio>
#include <sstream>

namespace zwerm::clidoc {
namespace {

// Decodes one UTF-8 sequence at text[i]; advances i. Invalid bytes come back as U+FFFD.
std::uint32_t next_code_point(const std::string& text, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b = byte(i);
  std::size_t len = b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : b < 0xF8 ? 4 : 1;
  std::uint32_t cp = len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : len == 4 ? (b & 0x07) : b;
  if (b >= 0x80 && (len == 1 || i + len > text.size())) {
    ++i;
    return 0xFFFD;
  }
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  i += len;
  return cp;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;  // a blank line would be an empty roff line
    line = line.substr(first);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
      line.pop_back();
    out.push_back(line);
  }
  return out;
}

// Lines of text, each kept on its own output line.
void text_lines(std::ostream& out, const std::string& text) {
  bool first = true;
  for (const auto& line : lines_of(text)) {
    if (!first) out << ".br\n";
    out << roff_escape(line) << "\n";
    first = false;
  }
}

std::string bold(const std::string& s) {
  return "\\fB" + roff_escape(s) + "\\fR";
}
std::string italic(const std::string& s) {
  return "\\fI" + roff_escape(s) + "\\fR";
}

std::string option_head(const option_doc& o) {
  std::string head;
  for (const auto& n : o.names) head += (head.empty() ? "" : ", ") + bold(n);
  if (o.takes_value) {
    std::string value = o.value_name.empty() ? "VALUE" : o.value_name;
    if (!o.choices.empty()) {
      value.clear();
      for (const auto& c : o.choices) value += (value.empty() ? "" : "|") + c;
    }
    head += " " + italic(value);
  }
  return head;
}

void options_list(std::ostream& out, const std::vector<option_doc>& options) {
  for (const auto& o : options) {
    out << ".TP\n" << option_head(o) << "\n";
    text_lines(out, o.description);
    std::string notes;
    if (o.required) notes = "Required.";
    if (!o.default_value.empty()) {
      notes += (notes.empty() ? "" : " ") + std::string("Default: ") + o.default_value + ".";
    }
    if (!notes.empty()) out << ".br\n" << roff_escape(notes) << "\n";
  }
}

void positionals_list(std::ostream& out, const std::vector<positional_doc>& positionals) {
  for (const auto& p : positionals) {
    out << ".TP\n" << italic(p.name) << "\n";
    text_lines(out, p.description + (p.required ? "" : " (optional)"));
  }
}

std::string usage(const command_doc& c) {
  std::string line = bold(c.joined_path());
  if (!c.options.empty() || !c.inherited.empty()) line += " [" + italic("options") + "]";
  for (const auto& p : c.positionals) {
    line += " " + (p.required ? italic(p.name) : "[" + italic(p.name) + "]");
  }
  if (!c.subcommands.empty()) {
    line += " " + (c.needs_subcommand ? italic("command") : "[" + italic("command") + "]");
  }
  return line;
}

// An argument of a macro, in double quotes.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char ch : roff_escape(s)) out += ch == '"' ? std::string("\\(dq") : std::string(1, ch);
  return out + "\"";
}

std::string upper(std::string s) {
  for (char& ch : s) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  return s;
}

}  // namespace

std::string roff_escape(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::uint32_t cp = next_code_point(text, i);
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\[u%04X]", static_cast<unsigned>(cp));
      out += buf;
      continue;
    }
    ++i;
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else if ((c == '.' || c == '\'') && out.empty()) {
      out += "\\&";
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F) {
      out += ' ';  // control characters (tabs among them) have no place in roff text
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string man_page(const std::vector<command_doc>& commands, const std::string& source) {
  std::ostringstream out;
  const command_doc& root = commands.front();
  const std::string& program = root.path.front();
  out << ".\\\" Generated from " << roff_escape(program)
      << "'s command-line definition; do not edit.\n";
  out << ".TH " << quoted(upper(program)) << " 1 \"\" " << quoted(source) << " \"User Commands\"\n";
  // Left-aligned and unhyphenated: commands and examples stay as typed.
  out << ".ad l\n.nh\n";
  out << ".SH NAME\n" << roff_escape(program);
  const std::string what = summary(program, root.description);
  if (!what.empty()) out << " \\- " << roff_escape(what);
  out << "\n.SH SYNOPSIS\n";
  out << usage(root) << "\n";
  out << ".SH DESCRIPTION\n";
  text_lines(out, root.description);
  if (!root.positionals.empty()) {
    out << ".SH ARGUMENTS\n";
    positionals_list(out, root.positionals);
  }
  if (!root.options.empty()) {
    out << ".SH OPTIONS\n";
    options_list(out, root.options);
  }
  if (commands.size() > 1) {
    out << ".SH COMMANDS\n";
    bool falls_through = false;
    for (const auto& c : commands) falls_through = falls_through || !c.inherited.empty();
    if (falls_through) out << "The options above may also follow a command.\n";
    for (std::size_t i = 1; i < commands.size(); ++i) {
      const auto& c = commands[i];
      out << ".SS " << quoted(c.joined_path()) << "\n";
      out << usage(c) << "\n.PP\n";
      text_lines(out, c.description);
      if (!c.subcommands.empty()) {
        out << ".PP\nCommands:";
        for (const auto& s : c.subcommands) out << " " << bold(s.name);
        out << ".\n";
      }
      if (!c.positionals.empty() || !c.options.empty()) out << ".RS\n";
      positionals_list(out, c.positionals);
      std::vector<option_doc> own;
      for (const auto& o : c.options) {
        if (o.names.front() != "--help") own.push_back(o);
      }
      options_list(out, own);
      if (!c.positionals.empty() || !c.options.empty()) out << ".RE\n";
      if (!c.footer.empty()) {
        out << ".PP\n";
        text_lines(out, c.footer);
      }
    }
  }
  if (!root.footer.empty()) {
    out << ".SH EXAMPLES\n";
    text_lines(out, root.footer);
  }
  return out.str();
}

}  // namespace zwerm::clidoc
