// Completion handlers that net/'s own asynchronous objects keep (a memory_stream's pending read
// and write, a virtual session_timer's pending wait) rather than handing them to the
// io_context. A suspended coroutine's handler owns its frame, and a session's frame owns the
// session and so the stream or timer holding the handler: a cycle that only the io_context's
// shutdown breaks, as it does for the operations its own sockets and timers hold. This service
// does that for ours: when the io_context is destroyed, every registered holder gives up its
// handlers, which are then destroyed unrun (after the walk, so that no holder goes away
// during it).
//
// Internal to net/; everything on the executor's thread.
#pragma once

#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/query.hpp>

#include <memory>
#include <unordered_set>
#include <utility>
#include <vector>

#include "net/asio.hpp"

namespace zwerm::net::detail {

class pending_handlers final : public asio::execution_context::service {
 public:
  // Something that keeps handlers.
  class holder {
   public:
    // Moves every kept handler into `into` (with keep()); destroys nothing.
    virtual void give_up(pending_handlers& into) = 0;

   protected:
    ~holder() = default;
  };

  static inline asio::execution_context::id id;

  explicit pending_handlers(asio::execution_context& context) : service(context) {}

  static pending_handlers& of(const asio::any_io_executor& executor) {
    return asio::use_service<pending_handlers>(asio::query(executor, asio::execution::context));
  }

  void add(holder* h) { holders_.insert(h); }
  void remove(holder* h) { holders_.erase(h); }

  // Takes a handler given up during shutdown, to be destroyed after the walk.
  template <class Handler>
  void keep(Handler h) {
    graveyard_.push_back(std::make_unique<kept<Handler>>(std::move(h)));
  }

 private:
  struct kept_base {
    virtual ~kept_base() = default;
  };
  template <class Handler>
  struct kept final : kept_base {
    explicit kept(Handler handler) : h(std::move(handler)) {}
    Handler h;
  };

  void shutdown() override {
    const std::vector<holder*> all(holders_.begin(), holders_.end());
    for (holder* h : all) h->give_up(*this);
    // Destroying them may destroy sessions, streams and timers, which remove themselves.
    auto dead = std::move(graveyard_);
    dead.clear();
  }

  std::unordered_set<holder*> holders_;
  std::vector<std::unique_ptr<kept_base>> graveyard_;
};

}  // namespace zwerm::net::detail
