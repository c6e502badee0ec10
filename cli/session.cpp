#include "cli/session.hpp"

#include <iostream>

#include "base/home.hpp"
#include "cli/exit_codes.hpp"
#include "cli/format.hpp"
#include "cli/render.hpp"

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
  auto listed = call(method::members.name, with_community(json{{param::include_former, true}}));
  if (auto* code = std::get_if<int>(&listed)) return *code;
  const json& result = std::get<json>(listed);
  std::vector<member_ref> members;
  if (auto it = result.find("members"); it != result.end() && it->is_array()) {
    for (const auto& m : *it) {
      if (!m.is_object() || !m.contains("id") || !m["id"].is_string()) continue;
      members.push_back(member_ref{m["id"].get<std::string>(), m.value("name", std::string())});
    }
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

int session::show(std::variant<json, int> answer) {
  if (auto* code = std::get_if<int>(&answer)) return *code;
  return print(std::get<json>(answer),
               [](const json& r) { std::cout << render_generic(r, now_ms()); });
}

CLI::App* with_example(CLI::App* cmd, const std::string& example) {
  cmd->footer("Example: " + example);
  return cmd;
}

}  // namespace zwerm::cli
