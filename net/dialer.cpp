#include "net/dialer.hpp"

#include <vector>

namespace zwerm::net {

dialer::dialer(asio::any_io_executor executor, crypto::key_pair local, session_handler& handler,
               session_options options, stream_factory make_stream)
    : executor_(executor),
      local_(local),
      handler_(handler),
      options_(options),
      make_stream_(std::move(make_stream)),
      registry_(std::make_shared<registry>()) {}

dialer::~dialer() {
  stop();
}

std::size_t dialer::session_count() const {
  return registry_->sessions.size();
}

awaitable<result<session_ptr>> dialer::dial(dial_target target) {
  if (target.server == local_.pk)
    co_return status(status_code::invalid_argument,
                     "refusing to dial " + target.host + ":" + std::to_string(target.port) +
                         ": the expected key is our own (a node never connects to itself)");
  if (target.invite_token.size() > max_token_size)
    co_return status(status_code::invalid_argument,
                     "an invite token holds at most " + std::to_string(max_token_size) + " bytes");
  std::shared_ptr<registry> reg = registry_;  // the dialer may go away while we wait
  if (reg->stopped) co_return status(status_code::io_error, "the dialer is stopped");

  std::unique_ptr<stream> connection =
      make_stream_ ? make_stream_(target) : std::make_unique<tcp_stream>(tcp::socket(executor_));
  auto s =
      std::make_shared<session>(std::move(connection), session::side::client, options_, handler_);
  reg->sessions.emplace(s->id(), s);
  std::weak_ptr<registry> weak = reg;
  s->set_finish_hook([weak](session& ended, const disconnect_info&) {
    if (auto r = weak.lock()) r->sessions.erase(ended.id());
  });
  status st = co_await s->run_client(target.host, target.port, target.server, target.network,
                                     local_, target.invite_token);
  if (!st.ok()) co_return st;
  co_return s;
}

void dialer::stop() {
  registry_->stopped = true;
  std::vector<session_ptr> live;
  for (auto& [id, weak] : registry_->sessions)
    if (auto s = weak.lock()) live.push_back(std::move(s));
  for (auto& s : live) s->close(close_reason::shutdown);
}

}  // namespace zwerm::net
