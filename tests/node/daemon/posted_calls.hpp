// Test helpers for store_replica over a node::ingest_queue: a sink that keeps what an engine
// sends, and the engine thread's event loop reduced to a list of posted functions (the queue's
// writer posts from its own thread).
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <string>

#include "node/daemon/store_replica.hpp"
#include "node/sync/engine.hpp"

namespace zwerm::node::sync::async_test {

struct queue_sink final : message_sink {
  std::deque<std::string> out;
  void send(std::string m) override { out.push_back(std::move(m)); }
};

struct posted_calls {
  std::mutex mu;
  std::deque<std::function<void()>> calls;

  store_replica::poster poster() {
    return [this](std::function<void()> f) {
      std::lock_guard lock(mu);
      calls.push_back(std::move(f));
    };
  }
  // Runs what was posted so far; returns how many.
  std::size_t run() {
    std::deque<std::function<void()>> now;
    {
      std::lock_guard lock(mu);
      now.swap(calls);
    }
    for (auto& f : now) f();
    return now.size();
  }
};

}  // namespace zwerm::node::sync::async_test
