// Communities and membership: community create|list|show|use, invite, join. (`zwerm leave` is
// made from the contract: cli/commands_plain.cpp.)
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <thread>

#include "base/base64url.hpp"
#include "cli/exit_codes.hpp"
#include "cli/format.hpp"
#include "cli/join_progress.hpp"
#include "cli/render.hpp"
#include "cli/session.hpp"

namespace zwerm::cli {
namespace {

struct create_args {
  std::string name;
  std::string purpose;
  std::string invite_by = "member";
  int quorum_pct = 50;
};

struct invite_args {
  std::string for_member;
  std::string expires = "7d";
  std::string note;
};

// Runs the join on one connection and, while it waits, asks the node's status on another
// every 200 ms to print what the join is doing (cli/join_progress.hpp).
int join_with_progress(session& s, const std::string& code, std::chrono::seconds timeout) {
  const auto socket = s.socket_path();
  std::atomic<bool> finished{false};
  call_result<json> outcome = call_error{};
  std::thread worker([&] {
    auto client = rpc_client::connect(socket);
    if (auto* err = std::get_if<call_error>(&client)) {
      outcome = *err;
    } else {
      outcome = std::get<0>(client)->call(method::join.name, json{{param::code, code}}, timeout);
    }
    finished = true;
  });
  join_progress_view view(::isatty(STDOUT_FILENO) == 1);
  auto watcher = rpc_client::connect(socket);
  while (!finished) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (finished) break;
    auto* client = std::get_if<std::unique_ptr<rpc_client>>(&watcher);
    if (!client) continue;
    auto status = (*client)->call(method::status.name, json::object(), std::chrono::seconds(5));
    if (auto* st = std::get_if<json>(&status))
      std::cout << view.on_status(*st, now_ms()) << std::flush;
  }
  worker.join();
  if (auto* err = std::get_if<call_error>(&outcome)) {
    std::cout << view.interrupt() << std::flush;
    return s.fail(*err);
  }
  std::cout << view.on_result(std::get<json>(outcome)) << std::flush;
  return std::cout ? exit_ok : exit_refused;
}

}  // namespace

void add_community_commands(CLI::App& app, session& s) {
  auto* community = app.add_subcommand("community", "Start, list, show and choose communities.");
  community->require_subcommand(1);

  auto c = std::make_shared<create_args>();
  auto* create = with_example(
      community->add_subcommand("create", "Start a community; you become its first steward."),
      "zwerm community create \"Learning circle\" --purpose \"Learn from each other at work\"");
  create->add_option("name", c->name, "The community's name")->required();
  create->add_option("--purpose", c->purpose, "The shared direction, in a sentence")->required();
  create->add_option("--invite-by", c->invite_by, "Who may invite: member or steward")
      ->check(CLI::IsMember({"member", "steward"}))
      ->capture_default_str();
  create
      ->add_option("--quorum", c->quorum_pct,
                   "Percent of active members whose endorsement adopts a proposal")
      ->check(CLI::Range(1, 99))
      ->capture_default_str();
  create->callback([&s, c] {
    s.set_action([c](session& s) {
      json params{
          {param::name, c->name},
          {param::purpose, c->purpose},
          {param::policy, {{param::invite_by, c->invite_by}, {param::quorum_pct, c->quorum_pct}}}};
      return s.show(s.call(method::community_create.name, params));
    });
  });

  auto* list = with_example(community->add_subcommand("list", "The communities you are in."),
                            "zwerm community list");
  list->callback([&s] {
    s.set_action(
        [](session& s) { return s.show(s.call(method::community_list.name, json::object())); });
  });

  auto* show =
      with_example(community->add_subcommand(
                       "show", "Name, purpose, steward, policy and the agreements in force."),
                   "zwerm community show --community \"Learning circle\"");
  show->callback([&s] {
    s.set_action([](session& s) {
      return s.show(s.call(method::community_show.name, s.with_community(json::object())));
    });
  });

  auto use_name = std::make_shared<std::string>();
  auto* use = with_example(
      community->add_subcommand("use", "Make a community the default for later commands."),
      "zwerm community use \"Learning circle\"");
  use->add_option("community", *use_name, "Name or id (prefix) of the community")->required();
  use->callback([&s, use_name] {
    s.set_action([use_name](session& s) {
      return s.show(s.call(method::community_use.name, json{{param::community, *use_name}}));
    });
  });

  auto forget_name = std::make_shared<std::string>();
  auto* forget = with_example(
      community->add_subcommand("forget",
                                "Drop a community you left or were removed from: its records, "
                                "state and key leave this node."),
      "zwerm community forget \"Learning circle\"");
  forget->add_option("community", *forget_name, "Name or id (prefix) of the community")->required();
  forget->callback([&s, forget_name] {
    s.set_action([forget_name](session& s) {
      auto answer = s.call(method::community_forget.name, json{{param::community, *forget_name}});
      if (auto* code = std::get_if<int>(&answer)) return *code;
      return s.print(std::get<json>(answer), [](const json& r) {
        std::cout << "Forgot " << r.value("name", std::string("the community")) << ": "
                  << r.value("records_dropped", std::uint64_t{0})
                  << " records and its key are gone from this node.\n";
      });
    });
  });

  auto inv = std::make_shared<invite_args>();
  auto* invite = with_example(
      app.add_subcommand("invite",
                         "Invite someone: prints one code to give them. Without --for, anyone "
                         "holding the code can join once."),
      "zwerm invite --for 3q2-Xk... --expires 3d");
  invite->add_option("--for", inv->for_member,
                     "The invitee's member id (zwerm init prints it), or a former member's "
                     "name or id prefix");
  invite->add_option("--expires", inv->expires, "How long the code stays valid: 30m, 12h, 7d, 2w")
      ->capture_default_str();
  invite->add_option("--note", inv->note, "A word about the invitee, kept in the invite");
  invite->callback([&s, inv] {
    s.set_action([inv](session& s) {
      auto expires = parse_duration(inv->expires);
      if (!expires) {
        return session::fail(exit_usage,
                             "--expires takes a number and a unit (m, h, d, w), "
                             "like 7d; not '" +
                                 inv->expires + "'");
      }
      json params =
          s.with_community(json{{param::expires_s, expires->count()}, {param::note, inv->note}});
      if (!inv->for_member.empty()) {
        crypto::public_key pk;
        if (crypto::from_text(inv->for_member, &pk)) {
          params[param::for_member] = inv->for_member;
        } else {
          auto who = s.resolve(inv->for_member);
          if (auto* code = std::get_if<int>(&who)) return *code;
          params[param::for_member] = std::get<member_ref>(who).id;
        }
      }
      auto answer = s.call(method::invite.name, params);
      if (auto* code = std::get_if<int>(&answer)) return *code;
      return s.print(std::get<json>(answer), [](const json& r) {
        std::cout << "Give this code to the person you invite:\n\n  "
                  << r.value("code", std::string("?")) << "\n\n";
        if (auto e = r.find("expires_ts"); e != r.end() && e->is_number_integer()) {
          std::cout << "It expires " << relative_time(e->get<std::int64_t>(), now_ms())
                    << ". They run: zwerm join CODE\n";
        }
      });
    });
  });

  auto code = std::make_shared<std::string>();
  auto* join =
      with_example(app.add_subcommand("join",
                                      "Join a community with the code a member gave you; says what "
                                      "it does while it waits (dialing, admitted, records)."),
                   "zwerm join zw1...");
  join->add_option("code", *code, "The invite code")->required();
  join->callback([&s, code] {
    s.set_action([code](session& s) {
      // Joining dials members' nodes; give it longer than a local question.
      constexpr auto join_timeout = std::chrono::seconds(90);
      if (s.flags.json) {
        return s.show(s.call(method::join.name, json{{param::code, *code}}, join_timeout));
      }
      return join_with_progress(s, *code, join_timeout);
    });
  });
}

}  // namespace zwerm::cli
