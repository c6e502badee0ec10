// Server-Sent Events: the hub the daemon publishes to and the subscribers (one per open
// /events connection) that the server's sessions drain.
//
// Threads: everything on the daemon's I/O executor; no locks. A subscriber's queue is bounded:
// a client too slow to take its events is marked overflowed and its session closes it (the
// browser's EventSource reconnects and the page reloads its data).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace zwerm::node::http {

struct event_subscriber {
  explicit event_subscriber(const boost::asio::any_io_executor& ex) : wake(ex) {}
  std::deque<std::string> queue;   // whole events, already in the wire format
  boost::asio::steady_timer wake;  // cancelled when an event is queued
  bool overflowed = false;
};

class event_hub {
 public:
  // Events queued for one subscriber before it counts as too slow. Default 256.
  explicit event_hub(std::size_t max_queue = 256) : max_queue_(max_queue) {}

  std::shared_ptr<event_subscriber> subscribe(const boost::asio::any_io_executor& ex);
  // Queues `event: NAME\ndata: DATA\n\n` for every live subscriber. `data` must hold no
  // newline (compact JSON does not).
  void publish(std::string_view name, std::string_view data);
  // Live subscribers (those whose session still runs).
  std::size_t subscribers();

 private:
  std::size_t max_queue_;
  std::vector<std::weak_ptr<event_subscriber>> subs_;
};

}  // namespace zwerm::node::http
