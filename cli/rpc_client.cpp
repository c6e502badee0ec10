#include "cli/rpc_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>

namespace zwerm::cli {

namespace asio = boost::asio;

namespace {
// Bound on one response line: a large feed page fits; a runaway stream does not eat memory.
constexpr std::size_t max_response_bytes = 64u << 20;
}  // namespace

struct rpc_client::impl {
  asio::io_context io{1};
  asio::local::stream_protocol::socket socket{io};
  std::string buffer;
  std::int64_t next_id = 1;
  bool eof = false;  // the node closed the connection in an orderly way

  // Reads one line within `timeout` (no deadline when zero), or the error.
  std::variant<std::string, call_error> read_line(std::chrono::milliseconds timeout) {
    boost::system::error_code result_ec;
    std::size_t result_n = 0;
    bool done = false;
    asio::async_read_until(socket, asio::dynamic_buffer(buffer, max_response_bytes), '\n',
                           [&](const boost::system::error_code& ec, std::size_t n) {
                             result_ec = ec;
                             result_n = n;
                             done = true;
                           });
    io.restart();
    if (timeout.count() > 0) {
      io.run_for(timeout);
    } else {
      io.run();
    }
    if (!done) {
      boost::system::error_code ignored;
      socket.cancel(ignored);
      io.restart();
      io.run();  // let the cancelled read finish
      return call_error{
          call_error::transport, 0,
          "zwermd did not answer within " + std::to_string(timeout.count() / 1000) + " s", nullptr};
    }
    if (result_ec == asio::error::eof) {
      eof = true;
      return call_error{call_error::transport, 0, "zwermd closed the connection", nullptr};
    }
    if (result_ec == asio::error::not_found) {
      return call_error{call_error::transport, 0, "zwermd sent an answer larger than 64 MiB",
                        nullptr};
    }
    if (result_ec) {
      return call_error{call_error::transport, 0,
                        "reading from zwermd failed: " + result_ec.message(), nullptr};
    }
    std::string line = buffer.substr(0, result_n - 1);
    buffer.erase(0, result_n);
    return line;
  }
};

rpc_client::rpc_client(std::unique_ptr<impl> p) : p_(std::move(p)) {}
rpc_client::~rpc_client() = default;

call_result<std::unique_ptr<rpc_client>> rpc_client::connect(const std::filesystem::path& socket) {
  auto p = std::make_unique<impl>();
  boost::system::error_code ec;
  p->socket.connect(asio::local::stream_protocol::endpoint(socket.native()), ec);
  if (ec == asio::error::not_found || ec.value() == ENOENT ||
      ec == asio::error::connection_refused) {
    return call_error{call_error::no_node, 0,
                      "no zwermd is running on " + socket.parent_path().string(), nullptr};
  }
  if (ec.value() == EACCES || ec.value() == EPERM) {
    return call_error{
        call_error::transport, 0,
        "permission denied on " + socket.string() + ": the node belongs to another account",
        nullptr};
  }
  if (ec) {
    return call_error{call_error::transport, 0,
                      "cannot connect to " + socket.string() + ": " + ec.message(), nullptr};
  }
  return std::unique_ptr<rpc_client>(new rpc_client(std::move(p)));
}

call_result<json> rpc_client::call(std::string_view method, const json& params,
                                   std::chrono::milliseconds timeout) {
  const std::int64_t id = p_->next_id++;
  json request{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
  std::string line = request.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  boost::system::error_code ec;
  asio::write(p_->socket, asio::buffer(line), ec);
  if (ec) {
    return call_error{call_error::transport, 0, "sending to zwermd failed: " + ec.message(),
                      nullptr};
  }
  while (true) {
    auto got = p_->read_line(timeout);
    if (auto* err = std::get_if<call_error>(&got)) return *err;
    json response = json::parse(std::get<std::string>(got), nullptr, false);
    if (response.is_discarded() || !response.is_object()) {
      return call_error{call_error::transport, 0, "zwermd sent something that is not JSON",
                        nullptr};
    }
    auto rid = response.find("id");
    if (rid == response.end()) continue;  // a notification; not the answer
    if (rid->is_null() && response.contains("error")) {
      // The node could not tie its error to our request (e.g. line too long).
    } else if (*rid != id) {
      continue;
    }
    if (auto e = response.find("error"); e != response.end() && e->is_object()) {
      call_error out{call_error::rpc, e->value("code", 0),
                     e->value("message", std::string("zwermd refused without a reason")),
                     e->contains("data") ? (*e)["data"] : json(nullptr)};
      return out;
    }
    auto r = response.find("result");
    if (r == response.end()) {
      return call_error{call_error::transport, 0, "zwermd answered without a result", nullptr};
    }
    return *r;
  }
}

std::optional<call_error> rpc_client::read_notifications(
    const std::function<bool(const std::string&, const json&)>& on_notification) {
  while (true) {
    auto got = p_->read_line(std::chrono::milliseconds(0));
    if (auto* err = std::get_if<call_error>(&got)) {
      if (p_->eof) return std::nullopt;
      return *err;
    }
    json message = json::parse(std::get<std::string>(got), nullptr, false);
    if (message.is_discarded() || !message.is_object()) continue;
    auto method = message.find("method");
    if (method == message.end() || !method->is_string()) continue;
    if (!on_notification(method->get<std::string>(), message.value("params", json::object()))) {
      return std::nullopt;
    }
  }
}

}  // namespace zwerm::cli
