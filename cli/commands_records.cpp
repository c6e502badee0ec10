// Commands that write a record: profile set, ask, contribute, thank, propose, endorse and the
// circle commands (and profile show, which reads one).
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/exit_codes.hpp"
#include "cli/session.hpp"

namespace zwerm::cli {
namespace {

// Record payloads are at most 16 KiB; a body file larger than that can never fit.
constexpr std::size_t max_body_file = 16 * 1024;

// --body or --body-file ("-" reads standard input); nullopt + printed error on failure.
std::optional<std::string> read_body(const std::string& body, const std::string& body_file) {
  if (body_file.empty()) return body;
  if (!body.empty()) {
    session::fail(exit_usage, "give --body or --body-file, not both");
    return std::nullopt;
  }
  std::ostringstream text;
  if (body_file == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(body_file, std::ios::binary);
    if (!in) {
      session::fail(exit_usage, "cannot read --body-file " + body_file);
      return std::nullopt;
    }
    text << in.rdbuf();
  }
  std::string out = text.str();
  if (out.size() > max_body_file) {
    session::fail(exit_usage, "--body-file " + body_file + " holds " + std::to_string(out.size()) +
                                  " bytes; a record's body must stay under 16 KiB");
    return std::nullopt;
  }
  return out;
}

struct text_args {
  std::string title;
  std::string body;
  std::string body_file;
  std::vector<std::string> tags;
  std::string kind = "knowledge";
  std::string answers;
  std::string circle;
};

struct profile_args {
  std::optional<std::string> name;
  std::optional<std::string> about;
  std::optional<std::vector<std::string>> skills;
  std::optional<std::string> address;
};

struct proposal_args {
  std::string text;
  std::string supersedes;
  std::string member;
  std::string reason;
};

// propose remove|steward MEMBER: the member is resolved by name or id prefix first.
int propose_about_member(session& s, const std::string& kind, const proposal_args& a) {
  auto who = s.resolve(a.member);
  if (auto* code = std::get_if<int>(&who)) return *code;
  json params = s.with_community(
      json{{param::action, {{param::kind, kind}, {param::member, std::get<member_ref>(who).id}}},
           {param::reason, a.reason}});
  return s.show(s.call(method::propose.name, params));
}

void add_profile(CLI::App& app, session& s) {
  auto* profile = app.add_subcommand("profile", "Your profile: name, about, skills, address.");
  profile->require_subcommand(1);
  auto a = std::make_shared<profile_args>();
  auto* set = with_example(
      profile->add_subcommand("set", "Change your profile; fields you leave out stay."),
      "zwerm profile set --name Ada --skills facilitation,python --address 192.0.2.7:7411");
  set->add_option("--name", a->name, "Display name");
  set->add_option("--about", a->about, "A line about you");
  set->add_option("--skills", a->skills, "Comma-separated skills")->delimiter(',');
  set->add_option("--address", a->address, "HOST:PORT where members' nodes reach yours, or 'none'");
  set->callback([&s, a] {
    s.set_action([a](session& s) {
      json params = s.with_community(json::object());
      if (a->name) params[param::name] = *a->name;
      if (a->about) params[param::about] = *a->about;
      if (a->skills) params[param::skills] = *a->skills;
      if (a->address) {
        params[param::address] = *a->address == "none" ? json(nullptr) : json(*a->address);
      }
      if (params.size() == (params.contains(param::community) ? 1u : 0u)) {
        return session::fail(exit_usage,
                             "profile set needs at least one of --name, --about, "
                             "--skills, --address");
      }
      return s.show(s.call(method::profile_set.name, params));
    });
  });
  auto member = std::make_shared<std::string>();
  auto* show =
      with_example(profile->add_subcommand("show", "Show a member's profile (yours by default)."),
                   "zwerm profile show Ada");
  show->add_option("member", *member, "Name or id prefix");
  show->callback([&s, member] {
    s.set_action([member](session& s) {
      json params = s.with_community(json::object());
      if (!member->empty()) {
        auto who = s.resolve(*member);
        if (auto* code = std::get_if<int>(&who)) return *code;
        params[param::member] = std::get<member_ref>(who).id;
      }
      return s.show(s.call(method::profile_show.name, params));
    });
  });
}

void add_ask_contribute_thank(CLI::App& app, session& s) {
  auto q = std::make_shared<text_args>();
  auto* ask = with_example(
      app.add_subcommand("ask", "Ask the community for knowledge or help you need now."),
      "zwerm ask \"Who has run a retrospective?\" --tags facilitation,retro");
  ask->add_option("title", q->title, "The question in one line")->required();
  ask->add_option("--body", q->body, "More detail");
  ask->add_option("--body-file", q->body_file, "Read the detail from a file ('-': stdin)");
  ask->add_option("--tags", q->tags, "Comma-separated topics")->delimiter(',');
  ask->callback([&s, q] {
    s.set_action([q](session& s) {
      auto body = read_body(q->body, q->body_file);
      if (!body) return exit_usage;
      return s.show(s.call(method::ask.name, s.with_community(json{{param::title, q->title},
                                                                   {param::body, *body},
                                                                   {param::tags, q->tags}})));
    });
  });

  auto c = std::make_shared<text_args>();
  auto* contribute = with_example(
      app.add_subcommand("contribute",
                         "Bring something: knowledge, help, an event, an "
                         "introduction, content."),
      "zwerm contribute \"Retro format we use\" --body-file retro.md --answers Qx7a --tags retro");
  contribute->add_option("title", c->title, "What you bring, in one line")->required();
  contribute->add_option("--kind", c->kind, "knowledge, help, event, introduction, content, other")
      ->check(CLI::IsMember({"knowledge", "help", "event", "introduction", "content", "other"}))
      ->capture_default_str();
  contribute->add_option("--body", c->body, "The contribution itself");
  contribute->add_option("--body-file", c->body_file, "Read the body from a file ('-': stdin)");
  contribute->add_option("--answers", c->answers, "Id (prefix) of the request this answers");
  contribute->add_option("--circle", c->circle, "Name or id (prefix) of a circle it belongs to");
  contribute->add_option("--tags", c->tags, "Comma-separated topics")->delimiter(',');
  contribute->callback([&s, c] {
    s.set_action([c](session& s) {
      auto body = read_body(c->body, c->body_file);
      if (!body) return exit_usage;
      json params = s.with_community(json{{param::kind, c->kind},
                                          {param::title, c->title},
                                          {param::body, *body},
                                          {param::tags, c->tags}});
      if (!c->answers.empty()) params[param::answers] = c->answers;
      if (!c->circle.empty()) params[param::circle] = c->circle;
      return s.show(s.call(method::contribute.name, params));
    });
  });

  auto t = std::make_shared<proposal_args>();
  auto* thank = with_example(
      app.add_subcommand("thank", "Thank the author of a contribution you took something from."),
      "zwerm thank Cq81 --note \"used it in our team today\"");
  thank->add_option("contribution", t->text, "Id (prefix) of the contribution")->required();
  thank->add_option("--note", t->reason, "What it gave you");
  thank->callback([&s, t] {
    s.set_action([t](session& s) {
      return s.show(s.call(method::thank.name, s.with_community(json{{param::contribution, t->text},
                                                                     {param::note, t->reason}})));
    });
  });
}

void add_propose_endorse(CLI::App& app, session& s) {
  auto* propose = app.add_subcommand(
      "propose", "Propose an agreement, a new purpose, a removal, a steward or dissolving.");
  propose->require_subcommand(1);
  auto a = std::make_shared<proposal_args>();
  propose->add_option("--reason", a->reason, "Why");

  auto* agreement = with_example(
      propose->add_subcommand("agreement", "Propose an agreement (or one that replaces another)."),
      "zwerm propose agreement \"We answer requests within a week\" --reason \"keep it alive\"");
  agreement->add_option("text", a->text, "The agreement")->required();
  agreement->add_option("--supersedes", a->supersedes, "Id (prefix) of the agreement it replaces");
  agreement->callback([&s, a] {
    s.set_action([a](session& s) {
      json action{{param::kind, "agreement"}, {param::text, a->text}};
      if (!a->supersedes.empty()) action[param::supersedes] = a->supersedes;
      return s.show(
          s.call(method::propose.name,
                 s.with_community(json{{param::action, action}, {param::reason, a->reason}})));
    });
  });

  auto* purpose =
      with_example(propose->add_subcommand("purpose", "Propose a new purpose for the community."),
                   "zwerm propose purpose \"Learn and teach data skills\"");
  purpose->add_option("text", a->text, "The new purpose")->required();
  purpose->callback([&s, a] {
    s.set_action([a](session& s) {
      return s.show(s.call(
          method::propose.name,
          s.with_community(json{{param::action, {{param::kind, "purpose"}, {param::text, a->text}}},
                                {param::reason, a->reason}})));
    });
  });

  auto* remove = with_example(propose->add_subcommand("remove", "Propose removing a member."),
                              "zwerm propose remove Bob --reason \"spam\"");
  remove->add_option("member", a->member, "Name or id prefix")->required();
  remove->callback(
      [&s, a] { s.set_action([a](session& s) { return propose_about_member(s, "remove", *a); }); });

  auto* steward =
      with_example(propose->add_subcommand("steward", "Propose a member as the new steward."),
                   "zwerm propose steward Cleo");
  steward->add_option("member", a->member, "Name or id prefix")->required();
  steward->callback([&s, a] {
    s.set_action([a](session& s) { return propose_about_member(s, "steward", *a); });
  });

  auto* dissolve =
      with_example(propose->add_subcommand("dissolve", "Propose ending the community."),
                   "zwerm propose dissolve --reason \"we did what we came for\"");
  dissolve->callback([&s, a] {
    s.set_action([a](session& s) {
      return s.show(s.call(method::propose.name,
                           s.with_community(json{{param::action, {{param::kind, "dissolve"}}},
                                                 {param::reason, a->reason}})));
    });
  });

  auto id = std::make_shared<std::string>();
  auto* endorse = with_example(app.add_subcommand("endorse", "Endorse an open proposal."),
                               "zwerm endorse Pz3k");
  endorse->add_option("proposal", *id, "Id (prefix) of the proposal")->required();
  endorse->callback([&s, id] {
    s.set_action([id](session& s) {
      return s.show(s.call(method::endorse.name, s.with_community(json{{param::proposal, *id}})));
    });
  });
}

void add_circles(CLI::App& app, session& s) {
  auto* circle =
      app.add_subcommand("circle", "Circles: small working groups inside the community.");
  circle->require_subcommand(1);
  auto a = std::make_shared<text_args>();
  auto* open = with_example(circle->add_subcommand("open", "Open a circle."),
                            "zwerm circle open \"Onboarding\" --purpose \"Make joining easy\"");
  open->add_option("name", a->title, "The circle's name")->required();
  open->add_option("--purpose", a->body, "What it is for");
  open->callback([&s, a] {
    s.set_action([a](session& s) {
      return s.show(
          s.call(method::circle_open.name,
                 s.with_community(json{{param::name, a->title}, {param::purpose, a->body}})));
    });
  });
  const std::pair<const char*, const rpc_contract::method_spec*> verbs[] = {
      {"join", &method::circle_join},
      {"leave", &method::circle_leave},
      {"close", &method::circle_close}};
  for (const auto& [verb, spec] : verbs) {
    const std::string v = verb;
    const std::string_view name = spec->name;
    const std::string help = v == "join"    ? "Join a circle."
                             : v == "leave" ? "Leave a circle."
                                            : "Close a circle that has done its work.";
    auto* cmd = with_example(circle->add_subcommand(v, help), "zwerm circle " + v + " Onboarding");
    cmd->add_option("circle", a->circle, "Name or id (prefix) of the circle")->required();
    cmd->callback([&s, a, name] {
      s.set_action([a, name](session& s) {
        return s.show(s.call(name, s.with_community(json{{param::circle, a->circle}})));
      });
    });
  }
  struct list_args {
    bool all = false;
    page_args page;
  };
  auto la = std::make_shared<list_args>();
  auto* list =
      with_example(circle->add_subcommand("list", "The community's circles, in order of opening."),
                   "zwerm circle list --all --limit 10");
  list->add_flag("--all", la->all, "Include closed circles");
  add_page_options(list, la->page);
  list->callback([&s, la] {
    s.set_action([la](session& s) {
      json params = s.with_community(json{{param::include_closed, la->all}});
      if (auto code = s.page_params(la->page, params)) return *code;
      std::vector<std::string> words{"circle", "list"};
      if (la->all) words.push_back("--all");
      return s.show_page(s.call(method::circle_list.name, params), words, la->page);
    });
  });
}

void add_steward(CLI::App& app, session& s) {
  auto* steward = app.add_subcommand("steward", "The steward role.");
  steward->require_subcommand(1);
  auto member = std::make_shared<std::string>();
  auto* handover =
      with_example(steward->add_subcommand(
                       "handover", "Pass the steward role to an active member (steward only)."),
                   "zwerm steward handover Cleo");
  handover->add_option("member", *member, "Name or id prefix")->required();
  handover->callback([&s, member] {
    s.set_action([member](session& s) {
      auto who = s.resolve(*member);
      if (auto* code = std::get_if<int>(&who)) return *code;
      return s.show(s.call(method::steward_handover.name,
                           s.with_community(json{{param::to, std::get<member_ref>(who).id}})));
    });
  });
}

}  // namespace

void add_record_commands(CLI::App& app, session& s) {
  add_profile(app, s);
  add_ask_contribute_thank(app, s);
  add_propose_endorse(app, s);
  add_circles(app, s);
  add_steward(app, s);
}

}  // namespace zwerm::cli
