// Time for sessions: the machine's steady clock, or a virtual clock that only a test or a
// simulation moves (session_options::virtual_time).
//
// A session keeps its deadlines (hello, handshake, admission, keepalive, close) and its
// keepalive interval with two session_timers. With a virtual_clock, no timer waits real time:
// a wait ends when the owner of the clock moves it to or past the wait's expiry
// (advance_to), and its completion is posted to the timer's executor, in the order of
// (expiry, the order the waits began). An io_context run with poll() on one thread, with
// streams that never touch the operating system (net/memory_stream.hpp), then runs a session
// as a function of what it is given: the same inputs, the same events in the same order.
//
// Everything here runs on one thread (the executor's). The clock must outlive its timers and
// the io_context they run on (whose destruction destroys what still waits).
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "net/asio.hpp"
#include "net/clock.hpp"
#include "net/pending_handlers.hpp"

namespace zwerm::net {

class session_timer;

class virtual_clock final : public clock {
 public:
  // Starts at an arbitrary steady time, one hour after the epoch of steady_clock.
  virtual_clock() = default;
  explicit virtual_clock(time_point start) : now_(start) {}
  virtual_clock(const virtual_clock&) = delete;
  virtual_clock& operator=(const virtual_clock&) = delete;

  time_point now() const override { return now_; }
  // Moves the time to `t` (never backwards) and completes every wait that expires by then.
  // Their handlers are posted; run the executor to let them run.
  void advance_to(time_point t);
  void advance(std::chrono::nanoseconds d) { advance_to(now_ + d); }
  // The earliest expiry of a pending wait; nullopt when nothing waits.
  std::optional<time_point> next_expiry() const;
  std::size_t pending_waits() const { return waits_.size(); }

 private:
  friend class session_timer;
  using key = std::pair<time_point, std::uint64_t>;
  time_point now_ = time_point{} + std::chrono::hours(1);
  std::uint64_t next_seq_ = 0;
  std::map<key, session_timer*> waits_;
};

// A waitable timer with the part of asio::steady_timer's interface a session uses:
// expires_at, async_wait (signature void(error_code)), cancel. With a null clock it is an
// asio::steady_timer.
class session_timer final : detail::pending_handlers::holder {
 public:
  session_timer(asio::any_io_executor executor, virtual_clock* clock);
  ~session_timer();
  session_timer(const session_timer&) = delete;
  session_timer& operator=(const session_timer&) = delete;

  // Cancels a pending wait (it completes with operation_aborted), like asio's.
  void expires_at(time_point when);
  // Completes the pending wait with operation_aborted.
  void cancel();

  template <class Token>
  auto async_wait(Token&& token) {
    return asio::async_initiate<Token, void(error_code)>(initiate_wait{this}, token);
  }

 private:
  friend class virtual_clock;
  using wait_handler = asio::any_completion_handler<void(error_code)>;
  struct initiate_wait {
    session_timer* t;
    template <class Handler>
    void operator()(Handler&& h) const {
      if (t->clock_ == nullptr) {
        t->real_.async_wait(std::forward<Handler>(h));
      } else {
        t->start_virtual_wait(wait_handler(std::forward<Handler>(h)));
      }
    }
  };
  void start_virtual_wait(wait_handler h);
  // Ends the pending virtual wait, if any, with `ec` (posted).
  void complete(error_code ec);
  void unregister();
  void give_up(detail::pending_handlers& into) override;

  asio::any_io_executor executor_;
  virtual_clock* clock_;
  detail::pending_handlers* handlers_ = nullptr;  // with a clock
  asio::steady_timer real_;
  time_point expiry_{};
  std::optional<virtual_clock::key> registered_;
  // optional, not a bare handler: Boost 1.81's any_completion_handler move assignment recurses
  // forever (it copies its argument as an lvalue into a new handler); emplace and reset only.
  std::optional<wait_handler> pending_;
};

}  // namespace zwerm::net
