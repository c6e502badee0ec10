// Questions members ask their node: members, feed, requests, balance, who-knows, ties, pulse,
// proposals.
#include <iostream>

#include "cli/exit_codes.hpp"
#include "cli/format.hpp"
#include "cli/session.hpp"

namespace zwerm::cli {
namespace {

struct feed_args {
  std::string type;
  std::string author;
  std::string tag;
  std::string circle;
  page_args page;
};

// The filters as typed, for the next page's command.
void add_typed(std::vector<std::string>& words, const char* option, const std::string& value) {
  if (!value.empty()) words.insert(words.end(), {option, value});
}

// A view that takes only the community (and maybe one flag).
void add_simple_view(CLI::App& app, session& s, const std::string& name, std::string_view method,
                     const std::string& help, const std::string& example) {
  auto* cmd = with_example(app.add_subcommand(name, help), example);
  cmd->callback([&s, method] {
    s.set_action(
        [method](session& s) { return s.show(s.call(method, s.with_community(json::object()))); });
  });
}

}  // namespace

void add_view_commands(CLI::App& app, session& s) {
  auto all = std::make_shared<bool>(false);
  auto* members = with_example(
      app.add_subcommand("members", "Who is in: status, skills, last active, given and taken."),
      "zwerm members --all");
  members->add_flag("--all", *all, "Also former, removed and forked members");
  members->callback([&s, all] {
    s.set_action([all](session& s) {
      return s.show(
          s.call(method::members.name, s.with_community(json{{param::include_former, *all}})));
    });
  });

  auto f = std::make_shared<feed_args>();
  auto* feed = with_example(app.add_subcommand("feed", "What members wrote, newest first."),
                            "zwerm feed --type contribution --tag retro --limit 10");
  feed->add_option("--type", f->type, "Only this record type (request, contribution, thanks, ...)");
  feed->add_option("--author", f->author, "Only this member (name or id prefix)");
  feed->add_option("--tag", f->tag, "Only records with this tag");
  feed->add_option("--circle", f->circle, "Only this circle (name or id prefix)");
  add_page_options(feed, f->page);
  feed->callback([&s, f] {
    s.set_action([f](session& s) {
      json params = s.with_community(json::object());
      if (auto code = s.page_params(f->page, params)) return *code;
      if (!f->type.empty()) params[param::type] = f->type;
      if (!f->tag.empty()) params[param::tag] = f->tag;
      if (!f->circle.empty()) params[param::circle] = f->circle;
      if (!f->author.empty()) {
        auto who = s.resolve(f->author);
        if (auto* code = std::get_if<int>(&who)) return *code;
        params[param::author] = std::get<member_ref>(who).id;
      }
      std::vector<std::string> words{"feed"};
      add_typed(words, "--type", f->type);
      add_typed(words, "--author", f->author);
      add_typed(words, "--tag", f->tag);
      add_typed(words, "--circle", f->circle);
      return s.show_page(s.call(method::feed.name, params), words, f->page);
    });
  });

  struct state_args {
    std::string state = "open";
    page_args page;
  };
  auto r = std::make_shared<state_args>();
  auto* requests = with_example(
      app.add_subcommand("requests", "Questions members asked, and whether they were answered."),
      "zwerm requests --state answered --limit 10");
  requests->add_option("--state", r->state, "open, answered or all")
      ->check(CLI::IsMember(choices(rpc_contract::request_states)))
      ->capture_default_str();
  add_page_options(requests, r->page);
  requests->callback([&s, r] {
    s.set_action([r](session& s) {
      json params = s.with_community(json{{param::state, r->state}});
      if (auto code = s.page_params(r->page, params)) return *code;
      return s.show_page(s.call(method::requests.name, params), {"requests", "--state", r->state},
                         r->page);
    });
  });

  add_simple_view(app, s, "balance", method::balance.name,
                  "Given (thanks received) and taken (thanks given) per member; flags who "
                  "takes without contributing (thanked others 3+ times, contributed nothing) "
                  "and who carries (thanked 3+ times, twice as often as they thank).",
                  "zwerm balance");

  auto topic = std::make_shared<std::string>();
  auto* who_knows =
      with_example(app.add_subcommand("who-knows",
                                      "Members ranked by a topic in their skills, the tags of "
                                      "their contributions and of those others thanked."),
                   "zwerm who-knows facilitation");
  who_knows->add_option("topic", *topic, "A skill or tag")->required();
  who_knows->callback([&s, topic] {
    s.set_action([topic](session& s) {
      return s.show(s.call(method::who_knows.name, s.with_community(json{{param::topic, *topic}})));
    });
  });

  // ties and pulse, with their --format: cli/commands_pictures.cpp.

  auto p = std::make_shared<state_args>();
  auto* proposals =
      with_example(app.add_subcommand("proposals", "Proposals with their endorsements."),
                   "zwerm proposals --state all --limit 10");
  proposals->add_option("--state", p->state, "open, adopted, expired or all")
      ->check(CLI::IsMember(choices(rpc_contract::proposal_states)))
      ->capture_default_str();
  add_page_options(proposals, p->page);
  proposals->callback([&s, p] {
    s.set_action([p](session& s) {
      json params = s.with_community(json{{param::state, p->state}});
      if (auto code = s.page_params(p->page, params)) return *code;
      return s.show_page(s.call(method::proposals.name, params), {"proposals", "--state", p->state},
                         p->page);
    });
  });
}

}  // namespace zwerm::cli
