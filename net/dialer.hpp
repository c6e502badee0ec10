// The outbound side: opens sessions to other nodes.
//
// dial() resolves and connects, runs the client handshake expecting `server` as the remote
// key on the community network `network`, sends the admission message (with the invite
// token, when joining) and reports the session to the handler (on_connected) before it
// returns it. The handshake deadline covers resolve, connect and the four messages.
//
// One executor (the I/O thread); every member must be called there. The handler must outlive
// the dialer's sessions; the dialer itself may be destroyed at any time after stop().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "base/status.hpp"
#include "crypto/sign.hpp"
#include "net/asio.hpp"
#include "net/handler.hpp"
#include "net/options.hpp"
#include "net/session.hpp"
#include "net/stream.hpp"

namespace zwerm::net {

struct dial_target {
  std::string host;  // name or address
  std::uint16_t port = 0;
  crypto::public_key server;    // the long-term key the server must prove
  crypto::network_key network;  // the community to talk about
  std::string invite_token;     // sent in the admission message; empty for members
};

class dialer {
 public:
  // Makes the stream of one dial (not connected yet: the session's run_client connects it to
  // the target's host and port). The default makes a TCP socket on the dialer's executor;
  // tests and simulations make streams that reach in-memory listeners.
  using stream_factory = std::function<std::unique_ptr<stream>(const dial_target&)>;

  dialer(asio::any_io_executor executor, crypto::key_pair local, session_handler& handler,
         session_options options = {}, stream_factory make_stream = {});
  ~dialer();
  dialer(const dialer&) = delete;
  dialer& operator=(const dialer&) = delete;

  // The open session, or why not:
  //   invalid_argument  the target is our own key (a node never dials itself), or the token
  //                     is longer than max_token_size
  //   io_error          resolve or connect failed, the handshake timed out, the connection
  //                     was reset or ended before msg4 could arrive, or the dialer is stopped
  //   rejected          the server failed its proof (wrong network key or not the expected
  //                     key) or closed right after our msg3 (it does not admit us)
  // Safe to call concurrently from several coroutines. co_spawn needs a default-constructible
  // result type: wrap it (co_return std::optional(co_await d.dial(t))) to spawn it directly.
  awaitable<result<session_ptr>> dial(dial_target target);

  // Closes every session this dialer made (goodbye; on_closed reports shutdown) and aborts
  // dials in progress; later dials fail. Idempotent.
  void stop();
  std::size_t session_count() const;

 private:
  struct registry {
    bool stopped = false;
    std::unordered_map<std::uint64_t, std::weak_ptr<session>> sessions;
  };
  asio::any_io_executor executor_;
  crypto::key_pair local_;
  session_handler& handler_;
  session_options options_;
  stream_factory make_stream_;
  std::shared_ptr<registry> registry_;
};

}  // namespace zwerm::net
