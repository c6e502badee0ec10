// An io_context running on its own thread, for tests that drive Asio code from the test thread.
#pragma once

#include <future>
#include <thread>
#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_future.hpp>

#include "net/asio.hpp"

namespace zwerm::net::testing {

// run() executes a function on the I/O thread and waits; await() does the same for a
// coroutine (a function returning awaitable<T>).
class io_thread {
 public:
  io_thread() : guard_(asio::make_work_guard(ioc_)), thread_([this] { ioc_.run(); }) {}
  ~io_thread() {
    guard_.reset();
    ioc_.stop();
    thread_.join();
  }
  asio::any_io_executor executor() { return ioc_.get_executor(); }

  template <class F>
  auto run(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto fut = task.get_future();
    asio::post(ioc_, [&task] { task(); });
    return fut.get();
  }
  template <class F>
  auto await(F make) {
    return asio::co_spawn(ioc_, std::move(make), asio::use_future).get();
  }

 private:
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

}  // namespace zwerm::net::testing
