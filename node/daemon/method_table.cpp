#include "node/daemon/method_table.hpp"

namespace zwerm::node::rpc {
namespace {

// Free coroutine: the function object is moved into the frame, never referenced from a lambda.
boost::asio::awaitable<reply> run_sync(std::function<reply(const json&)> fn, json params) {
  co_return fn(params);
}

}  // namespace

handler sync_handler(std::function<reply(const json& params)> fn) {
  return [fn = std::move(fn)](json params) { return run_sync(fn, std::move(params)); };
}

void method_table::add(std::string name, std::string summary, handler call) {
  method m{name, std::move(summary), std::move(call), {}, {}};
  methods_.insert_or_assign(std::move(name), std::move(m));
}

void method_table::add(const rpc_contract::method_spec& spec, handler call,
                       std::string stream_topic) {
  method m{std::string(spec.name),
           std::string(spec.summary),
           std::move(call),
           {},
           std::move(stream_topic)};
  methods_.insert_or_assign(std::string(spec.name), std::move(m));
}

void method_table::add_stream(std::string name, std::string summary, std::string topic,
                              handler call) {
  method m{name, std::move(summary), std::move(call), {}, std::move(topic)};
  methods_.insert_or_assign(std::move(name), std::move(m));
}

void method_table::add_unavailable(std::string name, std::string summary,
                                   std::string missing_part) {
  method m{name, std::move(summary), {}, std::move(missing_part), {}};
  methods_.insert_or_assign(std::move(name), std::move(m));
}

void method_table::add_unavailable_checked(std::string name, std::string summary,
                                           std::string missing_part, handler check) {
  method m{name, std::move(summary), std::move(check), std::move(missing_part), {}};
  methods_.insert_or_assign(std::move(name), std::move(m));
}

const method* method_table::find(std::string_view name) const {
  auto it = methods_.find(name);
  return it == methods_.end() ? nullptr : &it->second;
}

std::vector<const method*> method_table::all() const {
  std::vector<const method*> out;
  out.reserve(methods_.size());
  for (const auto& [name, m] : methods_) out.push_back(&m);
  return out;
}

reply method_table::unavailable_reply(const method& m) {
  return reply::fail(not_available, "'" + m.name +
                                        "' is not available in this build yet: it needs " +
                                        m.missing_part + ", which this zwermd does not run yet");
}

}  // namespace zwerm::node::rpc
