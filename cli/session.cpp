#include "cli/session.hpp"

#include <algorithm>
#include <iostream>

#include "base/home.hpp"
#include "cli/exit_codes.hpp"
#include "cli/format.hpp"
#include "cli/render.hpp"
#include "cli/terminal.hpp"

namespace zwerm::cli {

std::filesystem::path session::socket_path() const {
  return home_paths{resolve_home(flags.home)}.socket();
}

std::string session::home_text() const {
  return resolve_home(flags.home).string();
}

int session::fail(int code, const std::string& message) {
  std::cerr << "zwerm: " << message << "\n";
  return code;
}

int session::fail(const call_error& error) {
  switch (error.kind) {
    case call_error::no_node:
      std::cerr << "zwerm: " << error.message << "\n"
                << "Start one with: zwermd --home " << home_text() << "\n";
      return exit_no_node;
    case call_error::rpc: {
      std::cerr << "zwerm: " << error.message << "\n";
      return exit_code_for_rpc_error(error.rpc_code);
    }
    case call_error::transport:
      break;
  }
  std::cerr << "zwerm: " << error.message << "\n";
  return exit_refused;
}

rpc_client* session::client() {
  if (!client_) {
    auto connected = rpc_client::connect(socket_path());
    if (auto* err = std::get_if<call_error>(&connected)) {
      fail(*err);
      return nullptr;
    }
    client_ = std::move(std::get<std::unique_ptr<rpc_client>>(connected));
  }
  return client_.get();
}

std::variant<json, int> session::call(std::string_view method, json params,
                                      std::chrono::milliseconds timeout) {
  if (!client_) {
    auto connected = rpc_client::connect(socket_path());
    if (auto* err = std::get_if<call_error>(&connected)) return fail(*err);
    client_ = std::move(std::get<std::unique_ptr<rpc_client>>(connected));
  }
  auto answer = client_->call(method, params, timeout);
  if (auto* err = std::get_if<call_error>(&answer)) return fail(*err);
  return std::get<json>(std::move(answer));
}

json session::with_community(json params) const {
  if (flags.community) params[param::community] = *flags.community;
  return params;
}

std::variant<member_ref, int> session::resolve(const std::string& query) {
  // Every member who ever joined, page by page.
  std::vector<member_ref> members;
  json params = with_community(
      json{{param::include_former, true}, {param::limit, rpc_contract::max_list_limit}});
  while (true) {
    auto listed = call(method::members.name, params);
    if (auto* code = std::get_if<int>(&listed)) return *code;
    const json& result = std::get<json>(listed);
    if (auto it = result.find("members"); it != result.end() && it->is_array()) {
      for (const auto& m : *it) {
        if (!m.is_object() || !m.contains("id") || !m["id"].is_string()) continue;
        members.push_back(member_ref{m["id"].get<std::string>(), m.value("name", std::string())});
      }
    }
    auto next = result.find("next_cursor");
    if (next == result.end() || !next->is_string()) break;
    params[param::before] = *next;
  }
  auto found = resolve_member(query, members);
  if (auto* err = std::get_if<resolve_error>(&found)) return fail(exit_usage, err->message);
  return std::get<member_ref>(found);
}

int session::print(const json& result, const std::function<void(const json&)>& human) {
  if (flags.json) {
    std::cout << result.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  } else {
    human(result);
  }
  std::cout.flush();
  return std::cout ? exit_ok : exit_refused;
}

std::size_t session::width() const {
  return stdout_width(flags.wide);
}

int session::show(std::variant<json, int> answer) {
  if (auto* code = std::get_if<int>(&answer)) return *code;
  return print(std::get<json>(answer),
               [this](const json& r) { std::cout << render_generic(r, now_ms(), width()); });
}

std::optional<int> session::page_params(const page_args& a, json& params) const {
  if (a.limit < 1) {
    return fail(exit_usage, "--limit must be at least 1, not " + std::to_string(a.limit));
  }
  std::int64_t limit = a.limit;
  if (limit > rpc_contract::max_list_limit) {
    limit = rpc_contract::max_list_limit;
    std::cerr << "zwerm: --limit is capped at " << limit << ", the most a page holds\n";
  }
  params[param::limit] = limit;
  if (!a.before.empty()) params[param::before] = a.before;
  return std::nullopt;
}

int session::show_page(std::variant<json, int> answer, const std::vector<std::string>& words,
                       const page_args& a) {
  if (auto* code = std::get_if<int>(&answer)) return *code;
  json result = std::get<json>(std::move(answer));
  return print(result, [&](json r) {
    std::string cursor;
    if (auto it = r.find("next_cursor"); it != r.end()) {
      if (it->is_string()) cursor = it->get<std::string>();
      r.erase(it);
    }
    std::cout << render_generic(r, now_ms(), width());
    if (cursor.empty()) return;
    std::vector<std::string> next{"zwerm"};
    if (flags.home) next.insert(next.end(), {"--home", *flags.home});
    if (flags.community) next.insert(next.end(), {"--community", *flags.community});
    next.insert(next.end(), words.begin(), words.end());
    const std::int64_t limit = std::min(a.limit, rpc_contract::max_list_limit);
    next.insert(next.end(), {"--limit", std::to_string(limit), "--before", cursor});
    std::cout << "\nmore: " << shell_command(next) << "\n";
  });
}

void add_page_options(CLI::App* cmd, page_args& a) {
  cmd->add_option(
         "--limit", a.limit,
         "How many per page (at most " + std::to_string(rpc_contract::max_list_limit) + ")")
      ->capture_default_str();
  cmd->add_option("--before", a.before,
                  "Continue where a page ended: the cursor its 'more:' line prints");
}

CLI::App* with_example(CLI::App* cmd, const std::string& example) {
  cmd->footer("Example: " + example);
  return cmd;
}

}  // namespace zwerm::cli
