// The node itself: status, stop, log-level, peers, peer add|remove|ban|unban, watch.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/exit_codes.hpp"
#include "cli/format.hpp"
#include "cli/join_progress.hpp"
#include "cli/peers_view.hpp"
#include "cli/render.hpp"
#include "cli/session.hpp"

namespace zwerm::cli {
namespace {

// status --watch: the status once, then a line whenever the catch-up moves (every second).
int watch_catch_up(session& s) {
  auto first = s.call(method::status.name, json::object());
  if (auto* code = std::get_if<int>(&first)) return *code;
  std::cout << render_status(std::get<json>(first), now_ms(), s.width()) << "\n" << std::flush;
  catch_up_view view(::isatty(STDOUT_FILENO) == 1);
  while (std::cout) {
    auto answer = s.call(method::status.name, json::object());
    if (auto* code = std::get_if<int>(&answer)) return *code;
    std::cout << view.on_status(std::get<json>(answer), now_ms()) << std::flush;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return exit_ok;
}

}  // namespace

void add_node_commands(CLI::App& app, session& s) {
  auto watch_status = std::make_shared<bool>(false);
  auto* status = with_example(
      app.add_subcommand("status", "Show whether your node runs, who it is, and its peers."),
      "zwerm status --home ~/zwerm-ada");
  status->add_flag("--watch", *watch_status,
                   "Then follow the catch-up: records held, records to come, rate and time "
                   "left, until Ctrl-C");
  status->callback([&s, watch_status] {
    s.set_action([watch_status](session& s) {
      if (*watch_status && !s.flags.json) return watch_catch_up(s);
      auto answer = s.call(method::status.name, json::object());
      if (auto* code = std::get_if<int>(&answer)) return *code;
      return s.print(std::get<json>(answer),
                     [&s](const json& r) { std::cout << render_status(r, now_ms(), s.width()); });
    });
  });

  auto* stop = with_example(
      app.add_subcommand("stop", "Ask your node to stop cleanly, and wait until it has."),
      "zwerm stop --home ~/zwerm-ada");
  stop->callback([&s] {
    s.set_action([](session& s) {
      auto answer = s.call(method::stop.name, json::object());
      if (auto* code = std::get_if<int>(&answer)) return *code;
      // The node closes its socket as its last step: wait for that (at most 30 s).
      const auto socket = s.socket_path();
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      std::error_code ec;
      while (std::filesystem::exists(socket, ec) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (std::filesystem::exists(socket, ec)) {
        return session::fail(exit_refused, "the node said it would stop but still runs after 30 s");
      }
      return s.print(json{{"stopped", true}}, [](const json&) { std::cout << "zwermd stopped\n"; });
    });
  });

  auto level = std::make_shared<std::string>();
  auto* log_level = with_example(
      app.add_subcommand("log-level", "Show your node's log level, or set it until it stops."),
      "zwerm log-level debug");
  log_level->add_option("level", *level, "trace, debug, info, warn, error or off (none: show it)")
      ->check(CLI::IsMember(choices(rpc_contract::log_levels)));
  log_level->callback([&s, level] {
    s.set_action([level](session& s) {
      json params = json::object();
      if (!level->empty()) params[std::string(param::level)] = *level;
      auto answer = s.call(method::log_level.name, params);
      if (auto* code = std::get_if<int>(&answer)) return *code;
      return s.print(std::get<json>(answer), [](const json& r) {
        std::cout << "log level: " << r.value("level", "") << "\n";
      });
    });
  });

  auto* peers = with_example(
      app.add_subcommand("peers",
                         "List connected and known peers of the community, and why each one "
                         "that is not connected is not."),
      "zwerm peers");
  peers->callback([&s] {
    s.set_action([](session& s) {
      auto answer = s.call(method::peers.name, s.with_community(json::object()));
      if (auto* code = std::get_if<int>(&answer)) return *code;
      return s.print(std::get<json>(answer), [&s](const json& r) {
        std::cout << render_generic(peers_for_people(r, now_ms()), now_ms(), s.width());
      });
    });
  });

  auto* peer = app.add_subcommand("peer", "Manage peers by hand.");
  peer->require_subcommand(1);
  auto address = std::make_shared<std::string>();
  auto* add = with_example(
      peer->add_subcommand("add", "Dial a member's node at HOST:PORT and keep it as a peer."),
      "zwerm peer add 192.0.2.7:7411");
  add->add_option("address", *address, "HOST:PORT of a member's zwermd")->required();
  add->callback([&s, address] {
    s.set_action([address](session& s) {
      return s.show(s.call(method::peer_add.name,
                           s.with_community(json{{param::address, *address}}),
                           std::chrono::seconds(30)));
    });
  });

  auto remove_address = std::make_shared<std::string>();
  auto* remove = with_example(
      peer->add_subcommand("remove",
                           "Forget a peer address you added or your node learned (not one "
                           "from config.json's bootstrap or a member's profile)."),
      "zwerm peer remove 192.0.2.7:7411");
  remove->add_option("address", *remove_address, "HOST:PORT as zwerm peers lists it")->required();
  remove->callback([&s, remove_address] {
    s.set_action([remove_address](session& s) {
      auto answer = s.call(method::peer_remove.name,
                           s.with_community(json{{param::address, *remove_address}}));
      if (auto* code = std::get_if<int>(&answer)) return *code;
      return s.print(std::get<json>(answer), [](const json& r) {
        std::cout << "forgot " << r.value("address", "") << "\n";
      });
    });
  });

  struct ban_args {
    std::string address;
    std::string length = "24h";
  };
  auto ban_a = std::make_shared<ban_args>();
  auto* ban = with_example(
      peer->add_subcommand("ban",
                           "Ban an IP address: close its connections now, refuse it and stop "
                           "dialing it, in every community, until the ban ends (kept across "
                           "restarts)."),
      "zwerm peer ban 192.0.2.7 --for 7d");
  ban->add_option("address", ban_a->address,
                  "An IPv4 or IPv6 address (a :port after it is ignored; IPv6 with a port in "
                  "brackets)")
      ->required();
  ban->add_option("--for", ban_a->length, "How long: 30m, 12h, 7d, 2w (at most 366 days)")
      ->capture_default_str();
  ban->callback([&s, ban_a] {
    s.set_action([ban_a](session& s) {
      auto length = parse_duration(ban_a->length);
      if (!length) {
        return session::fail(exit_usage,
                             "--for takes a positive number and a unit (m, h, d, w), like 24h; "
                             "not '" +
                                 ban_a->length + "'");
      }
      auto answer = s.call(method::peer_ban.name,
                           json{{param::address, ban_a->address}, {param::for_s, length->count()}});
      if (auto* code = std::get_if<int>(&answer)) return *code;
      return s.print(std::get<json>(answer), [](const json& r) {
        const auto closed = r.value("sessions_closed", 0);
        const std::int64_t until = r.value("until_ts", std::int64_t{0});
        std::cout << "banned " << r.value("address", "") << " until "
                  << utc_clock_time(until, now_ms()) << " (" << relative_time(until, now_ms())
                  << ")";
        if (closed > 0) {
          std::cout << "; closed " << closed << " connection" << (closed == 1 ? "" : "s");
        }
        std::cout << "\n";
      });
    });
  });

  auto unban_address = std::make_shared<std::string>();
  auto* unban = with_example(
      peer->add_subcommand("unban",
                           "Lift every ban of an IP address: yours and those your node set "
                           "by itself."),
      "zwerm peer unban 192.0.2.7");
  unban->add_option("address", *unban_address, "The IP address, as you banned it")->required();
  unban->callback([&s, unban_address] {
    s.set_action([unban_address](session& s) {
      auto answer = s.call(method::peer_unban.name, json{{param::address, *unban_address}});
      if (auto* code = std::get_if<int>(&answer)) return *code;
      return s.print(std::get<json>(answer), [](const json& r) {
        std::cout << "unbanned " << r.value("address", "") << "\n";
      });
    });
  });

  auto type = std::make_shared<std::string>();
  auto* watch = with_example(
      app.add_subcommand("watch",
                         "Print records as your node receives them, until you press Ctrl-C."),
      "zwerm watch --type thanks");
  watch->add_option("--type", *type, "Only records of this type (e.g. contribution, thanks)");
  watch->callback([&s, type] {
    s.set_action([type](session& s) {
      json params = s.with_community(json::object());
      if (!type->empty()) params[param::type] = *type;
      auto answer = s.call(method::watch.name, params);
      if (auto* code = std::get_if<int>(&answer)) return *code;
      if (!s.flags.json) std::cout << "Watching; Ctrl-C stops.\n" << std::flush;
      auto broke = s.client()->read_notifications([&s](const std::string& method, const json& p) {
        if (s.flags.json) {
          std::cout << json{{"method", method}, {"params", p}}.dump() << "\n";
        } else {
          std::cout << render_notification(method, p, now_ms());
        }
        std::cout.flush();
        return static_cast<bool>(std::cout);
      });
      if (broke) return s.fail(*broke);
      return exit_ok;
    });
  });
}

}  // namespace zwerm::cli
