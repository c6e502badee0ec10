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
  struct members_args {
    bool all = false;
    page_args page;
  };
  auto ma = std::make_shared<members_args>();
  auto* members = with_example(
      app.add_subcommand("members",
                         "Who is in: status, skills, last active, given and taken; in order of "
                         "joining."),
      "zwerm members --all --limit 50");
  members->add_flag("--all", ma->all, "Also former, removed and forked members");
  add_page_options(members, ma->page);
  members->callback([&s, ma] {
    s.set_action([ma](session& s) {
      json params = s.with_community(json{{param::include_former, ma->all}});
      if (auto code = s.page_params(ma->page, params)) return *code;
      std::vector<std::string> words{"members"};
      if (ma->all) words.push_back("--all");
      return s.show_page(s.call(method::members.name, params), words, ma->page);
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

  struct topic_args {
    std::string topic;
    page_args page;
  };
  auto ta = std::make_shared<topic_args>();
  auto* who_knows =
      with_example(app.add_subcommand("who-knows",
                                      "Members ranked by a topic in their skills, the tags of "
                                      "their contributions and of those others thanked."),
                   "zwerm who-knows facilitation --limit 5");
  who_knows->add_option("topic", ta->topic, "A skill or tag")->required();
  add_page_options(who_knows, ta->page);
  who_knows->callback([&s, ta] {
    s.set_action([ta](session& s) {
      json params = s.with_community(json{{param::topic, ta->topic}});
      if (auto code = s.page_params(ta->page, params)) return *code;
      return s.show_page(s.call(method::who_knows.name, params), {"who-knows", ta->topic},
                         ta->page);
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
