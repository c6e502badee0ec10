#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

#include <fstream>
#include <sstream>

#include "clidoc/completion.hpp"
#include "clidoc/generate.hpp"
#include "clidoc/man_page.hpp"
#include "clidoc/model.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::clidoc {
namespace {

using zwerm::testing::run_program;
using zwerm::testing::temp_dir;

// A small program shaped like zwerm: global options that fall through, nested subcommands,
// a positional, a choice, and hidden parts that must not show.
struct tool {
  CLI::App app{"tool: does things.\n.TH looks like a macro\n'also one\nback\\slash", "tool"};
  std::string home, format = "table", addr;
  bool json = false;
  tool() {
    app.fallthrough();
    app.require_subcommand(1);
    app.footer("Example: tool peer add host:1");
    app.add_option("--home", home, "The home; it's $(touch pwned) safe");
    app.add_flag("--json", json, "Print JSON");
    app.add_option("--secret", home, "hidden")->group("");
    auto* peer = app.add_subcommand("peer", "Peers, one by one");
    peer->require_subcommand(1);
    auto* add = peer->add_subcommand("add", "Add a peer");
    add->add_option("addr", addr, "host:port")->required();
    add->add_option("--format", format, "How")
        ->check(CLI::IsMember({"table", "dot"}))
        ->capture_default_str();
    app.add_subcommand("peers", "All peers");
    app.add_subcommand("internal", "not for users")->group("");
  }
};

const command_doc& find(const std::vector<command_doc>& docs, const std::string& path) {
  for (const auto& d : docs) {
    if (d.joined_path() == path) return d;
  }
  throw std::runtime_error("no command " + path);
}

std::vector<std::string> names(const std::vector<option_doc>& options) {
  std::vector<std::string> out;
  for (const auto& o : options) out.insert(out.end(), o.names.begin(), o.names.end());
  return out;
}

TEST(ClidocModel, WalksTheTreeInOrderAndLeavesHiddenPartsOut) {
  tool t;
  const auto docs = describe(t.app);
  std::vector<std::string> paths;
  for (const auto& d : docs) paths.push_back(d.joined_path());
  EXPECT_EQ(paths, (std::vector<std::string>{"tool", "tool peer", "tool peer add", "tool peers"}));
  EXPECT_EQ(names(docs[0].options), (std::vector<std::string>{"--help", "-h", "--home", "--json"}));
  EXPECT_TRUE(docs[0].needs_subcommand);
  ASSERT_EQ(docs[0].subcommands.size(), 2u);
  EXPECT_EQ(docs[0].subcommands[0].name, "peer");
  EXPECT_EQ(docs[0].subcommands[0].description, "Peers, one by one");

  EXPECT_EQ(docs[0].footer, "Example: tool peer add host:1");
  EXPECT_EQ(docs[1].footer, "");  // CLI11 copied the program's: not peer's own

  const auto& add = find(docs, "tool peer add");
  ASSERT_EQ(add.positionals.size(), 1u);
  EXPECT_EQ(add.positionals[0].name, "addr");
  EXPECT_TRUE(add.positionals[0].required);
  ASSERT_EQ(add.options.size(), 2u);  // --help, --format
  const option_doc& format = add.options[1];
  EXPECT_EQ(format.names, std::vector<std::string>{"--format"});
  EXPECT_TRUE(format.takes_value);
  EXPECT_EQ(format.value_name, "TEXT");
  EXPECT_EQ(format.choices, (std::vector<std::string>{"table", "dot"}));
  EXPECT_EQ(format.default_value, "table");
  // Falls through: the program's and peer's options are accepted here too.
  EXPECT_EQ(names(add.inherited),
            (std::vector<std::string>{"--help", "-h", "--home", "--json", "--help", "-h"}));
}

TEST(ClidocModel, RefusesNamesNoCompletionCouldOfferSafely) {
  tool t;
  t.app.add_subcommand("bad'name", "CLI11 takes it");
  EXPECT_THROW(describe(t.app), std::invalid_argument);

  tool u;
  std::string v;
  u.app.add_option("--pick", v, "a choice")->check(CLI::IsMember({"ok", "$(touch pwned)"}));
  try {
    describe(u.app);
    ADD_FAILURE() << "a choice with $( was taken";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("$(touch"), std::string::npos) << e.what();
  }
}

TEST(ClidocModel, SummaryIsTheFirstLineWithoutTheProgramAndTheStop) {
  EXPECT_EQ(summary("tool", "tool: does things.\nmore"), "does things");
  EXPECT_EQ(summary("tool", "Does things"), "Does things");
  EXPECT_EQ(summary("tool", "tool: does things. And more, on this line,\nand the next"),
            "does things");
  EXPECT_EQ(summary("tool", ""), "");
}

TEST(ClidocManPage, EscapesWhatRoffWouldReadAsRequestsOrEscapes) {
  EXPECT_EQ(roff_escape(".TH x"), "\\&.TH x");
  EXPECT_EQ(roff_escape("'br"), "\\&'br");
  EXPECT_EQ(roff_escape("a.b 'c'"), "a.b 'c'");
  EXPECT_EQ(roff_escape("back\\slash \\fB"), "back\\eslash \\efB");
  EXPECT_EQ(roff_escape("--home"), "\\-\\-home");
  EXPECT_EQ(roff_escape("more \xE2\x80\xA6 caf\xC3\xA9"), "more \\[u2026] caf\\[u00E9]");
  EXPECT_EQ(roff_escape("bad \xFF\xC3"), "bad \\[uFFFD]\\[uFFFD]");
  EXPECT_EQ(roff_escape("tab\there"), "tab here");
}

TEST(ClidocManPage, EveryCommandAndOptionIsThereAndNoTextLineIsARequest) {
  tool t;
  const std::string page = man_page(describe(t.app), "tool 1.2.3");
  EXPECT_EQ(page.find(".TH \"TOOL\" 1 \"\" \"tool 1.2.3\" \"User Commands\"\n"), page.find(".TH"));
  EXPECT_NE(page.find(".SH NAME\ntool \\- does things\n"), std::string::npos) << page;
  EXPECT_NE(page.find(".SS \"tool peer add\"\n"), std::string::npos) << page;
  EXPECT_NE(page.find("\\fB\\-\\-format\\fR \\fItable|dot\\fR"), std::string::npos) << page;
  EXPECT_NE(page.find("Default: table."), std::string::npos) << page;
  EXPECT_NE(page.find("\\fB\\-\\-home\\fR \\fITEXT\\fR"), std::string::npos) << page;
  EXPECT_NE(page.find("\\&.TH looks like a macro"), std::string::npos) << page;
  EXPECT_NE(page.find("back\\eslash"), std::string::npos) << page;
  EXPECT_NE(page.find(".SH EXAMPLES\nExample: tool peer add host:1\n"), std::string::npos);
  EXPECT_EQ(page.find("secret"), std::string::npos);
  EXPECT_EQ(page.find("internal"), std::string::npos);
  // The only lines that start with a control character are the requests it means.
  std::istringstream lines(page);
  std::string line;
  const std::vector<std::string> requests{".TH ", ".SH ", ".SS ",  ".TP", ".PP",   ".br",
                                          ".RS",  ".RE",  ".ad l", ".nh", ".\\\" "};
  while (std::getline(lines, line)) {
    if (line.empty() || (line[0] != '.' && line[0] != '\'')) continue;
    bool known = false;
    for (const auto& r : requests) known = known || line.rfind(r, 0) == 0;
    EXPECT_TRUE(known) << line;
  }
}

// Runs the bash completion of `tool` for the words typed (the last one being completed) and
// returns the offers, one per line.
std::string complete_in_bash(const temp_dir& dir, const std::string& script,
                             const std::vector<std::string>& words) {
  const auto file = dir / "tool.bash";
  std::ofstream(file) << script;
  std::string array;
  for (const auto& w : words) {
    std::string quoted = "'";
    for (char c : w) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    array += quoted + "' ";
  }
  const std::string program =
      "cd " + dir.path().string() + " && source " + file.string() + " && COMP_WORDS=(" + array +
      ") && COMP_CWORD=" + std::to_string(words.size() - 1) +
      " && _tool && for w in \"${COMPREPLY[@]}\"; do printf '%s\\n' \"$w\"; done";
  auto r = run_program({"/bin/bash", "--norc", "--noprofile", "-c", program}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST(ClidocBash, OffersSubcommandsOptionsAndChoicesPerLevel) {
  tool t;
  temp_dir dir("clidoc-bash");
  const std::string script = bash_completion(describe(t.app));
  EXPECT_NE(script.find("complete -F _tool tool\n"), std::string::npos);
  EXPECT_EQ(complete_in_bash(dir, script, {"tool", "pe"}), "peer\npeers\n");
  EXPECT_EQ(complete_in_bash(dir, script, {"tool", "peer", ""}), "add\n");
  EXPECT_EQ(complete_in_bash(dir, script, {"tool", "--home", "x", "peer", "add", "--f"}),
            "--format\n");
  // Inherited options are offered below the program too.
  EXPECT_EQ(complete_in_bash(dir, script, {"tool", "peer", "add", "--j"}), "--json\n");
  EXPECT_EQ(complete_in_bash(dir, script, {"tool", "peer", "add", "--format", ""}), "table\ndot\n");
  // "--format=d": bash splits it at '=' (COMP_WORDBREAKS).
  EXPECT_EQ(complete_in_bash(dir, script, {"tool", "peer", "add", "--format", "=", "d"}), "dot\n");
  EXPECT_EQ(complete_in_bash(dir, script, {"tool", "peer", "add", "--format", "="}),
            "table\ndot\n");
  EXPECT_EQ(complete_in_bash(dir, script, {"tool", "in"}), "");  // hidden
}

TEST(ClidocBash, HostileWordsOnTheLineAreOnlyWords) {
  tool t;
  temp_dir dir("clidoc-bash");
  const std::string script = bash_completion(describe(t.app));
  EXPECT_EQ(complete_in_bash(dir, script, {"tool", "$(touch pwned)", "`touch pwned`", "pe"}),
            "peer\npeers\n");
  EXPECT_EQ(complete_in_bash(dir, script, {"tool", "peer' ;touch pwned;'", "--j"}), "--json\n");
  EXPECT_EQ(complete_in_bash(dir, script, {"tool", "--", "pe"}), "");
  EXPECT_FALSE(std::filesystem::exists(dir / "pwned"));
}

TEST(ClidocZsh, ScriptParsesAndQuotesDescriptions) {
  tool t;
  const std::string script = zsh_completion(describe(t.app));
  EXPECT_EQ(script.rfind("#compdef tool\n", 0), 0u);
  EXPECT_NE(script.find("'--home:The home; it'\\''s $(touch pwned) safe'"), std::string::npos)
      << script;
  EXPECT_NE(script.find("'tool peer add --format') reply=(table dot) ;;"), std::string::npos)
      << script;
  if (!std::filesystem::exists("/usr/bin/zsh")) GTEST_SKIP() << "zsh is not installed";
  temp_dir dir("clidoc-zsh");
  std::ofstream(dir / "_tool") << script;
  // Sourced after compinit it registers itself for `tool` and runs nothing else.
  const std::string program = "cd " + dir.path().string() +
                              " && autoload -U compinit && compinit -u -D && source ./_tool && "
                              "print -r -- $_comps[tool]";
  auto r = run_program({"/usr/bin/zsh", "-f", "-c", program}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "_tool\n") << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "pwned"));
}

TEST(ClidocGenerate, OnlyAnExactRequestIsTakenAndBadOnesAreRefused) {
  tool t;
  std::ostringstream out, err;
  EXPECT_EQ(generate_if_asked(t.app, {"peer", "--generate", "man"}, "tool 1", out, err),
            std::nullopt);
  EXPECT_EQ(generate_if_asked(t.app, {}, "tool 1", out, err), std::nullopt);
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--generate"},
                                              {"--generate", "pdf"},
                                              {"--generate", ""},
                                              {"--generate", "man", "extra"},
                                              {"--generate", "MAN"}}) {
    err.str("");
    EXPECT_EQ(generate_if_asked(t.app, bad, "tool 1", out, err), 2);
    EXPECT_EQ(err.str(), "tool: --generate takes one of man, bash, zsh (and nothing else)\n");
  }
  EXPECT_EQ(out.str(), "");

  EXPECT_EQ(generate_if_asked(t.app, {"--generate", "bash"}, "tool 1", out, err), 0);
  EXPECT_EQ(out.str(), bash_completion(describe(t.app)));

  std::ostringstream broken;
  broken.setstate(std::ios::badbit);
  err.str("");
  EXPECT_EQ(generate_if_asked(t.app, {"--generate", "man"}, "tool 1", broken, err), 1);
  EXPECT_EQ(err.str(), "tool: could not write the man file\n");

  t.app.add_subcommand("bad'name", "");
  err.str("");
  EXPECT_EQ(generate_if_asked(t.app, {"--generate", "zsh"}, "tool 1", out, err), 1);
  EXPECT_NE(err.str().find("cannot generate the zsh file: command 'bad'name'"), std::string::npos)
      << err.str();
}

}  // namespace
}  // namespace zwerm::clidoc
