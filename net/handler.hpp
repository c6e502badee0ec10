// The two interfaces net/ asks its owner (node/) to implement: who may in (authorizer) and
// what to do with connections and messages (session_handler). Transport only moves messages;
// the protocol lives behind these interfaces.
//
// Both are called on the I/O executor, never concurrently, and must not block: answer from
// memory. The implementing objects must outlive every listener and dialer that uses them
// and every session those made (in practice: until the io_context stops running).
#pragma once

#include <memory>
#include <string_view>

#include "base/bytes.hpp"
#include "net/errors.hpp"

namespace zwerm::net {

class session;
using session_ptr = std::shared_ptr<session>;

// The server's question after a client proved its key (after SHS msg3, before msg4).
enum class admission {
  accept,       // send msg4; the session opens when the client's admission message arrives
  reject,       // close without msg4 (reason unauthorized; a light offence: the address is
                // banned only after repeated refusals, listener_options::refused_handshakes)
  needs_token,  // send msg4, then the client's admission message must carry a token that
                // check_token() accepts within admission_timeout; else close and ban
  notice,       // send msg4, read the admission message, then send refusal_notice() as the
                // one message of the session and close with a goodbye: a refusal that tells
                // the client why (a light offence like reject; the session is never reported
                // connected to the handler)
};

class authorizer {
 public:
  virtual ~authorizer() = default;
  // `network` is the community's network key the client's hello used.
  virtual admission authorize(const crypto::network_key& network,
                              const crypto::public_key& client) = 0;
  // Called only after authorize() answered needs_token. `token` is the raw token bytes from
  // the admission message, possibly empty. True admits the client.
  virtual bool check_token(const crypto::network_key& network, const crypto::public_key& client,
                           std::string_view token) = 0;
  // Called only after authorize() answered notice: the message to send (refusal_message()).
  virtual std::string refusal_notice(const crypto::network_key&, const crypto::public_key&) {
    return {};
  }
};

class session_handler {
 public:
  virtual ~session_handler() = default;
  // The session is authenticated and admitted; it may send from now on.
  virtual void on_connected(const session_ptr& s) = 0;
  // One complete message from the peer. The view is valid only during the call. Keepalives
  // are not reported.
  virtual void on_message(const session_ptr& s, std::string_view message) = 0;
  // The session ended (called once, only for sessions that were reported connected, and
  // never from inside a call the handler made into the session).
  virtual void on_closed(const session_ptr& s, const disconnect_info& why) = 0;
};

}  // namespace zwerm::net
