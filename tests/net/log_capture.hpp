// Records the lines net/ logs through spdlog's default logger, for tests that check what is
// logged (and how often). One capture sink is added to the default logger, once per process
// and never removed, so that adding it cannot race with a logging I/O thread: call
// log_capture::get() before any thread logs (at the start of a test, before the listener).
#pragma once

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace zwerm::net::testing {

class log_capture final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  static log_capture& get() {
    static const std::shared_ptr<log_capture> capture = [] {
      auto c = std::make_shared<log_capture>();
      spdlog::default_logger()->sinks().push_back(c);
      return c;
    }();
    return *capture;
  }

  // Forgets the lines recorded so far.
  void clear() {
    std::lock_guard lock(mutex_);
    lines_.clear();
  }
  // The recorded lines (message text only) that contain `needle`.
  std::vector<std::string> lines_with(std::string_view needle) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    std::copy_if(lines_.begin(), lines_.end(), std::back_inserter(out),
                 [&](const std::string& l) { return l.find(needle) != std::string::npos; });
    return out;
  }

 protected:
  // Called by base_sink with mutex_ held.
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines_.emplace_back(msg.payload.data(), msg.payload.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

}  // namespace zwerm::net::testing
