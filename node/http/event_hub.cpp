#include "node/http/event_hub.hpp"

#include <algorithm>

namespace zwerm::node::http {

std::shared_ptr<event_subscriber> event_hub::subscribe(const boost::asio::any_io_executor& ex) {
  auto s = std::make_shared<event_subscriber>(ex);
  subs_.push_back(s);
  return s;
}

void event_hub::publish(std::string_view name, std::string_view data) {
  std::string event;
  event.reserve(name.size() + data.size() + 16);
  event.append("event: ").append(name).append("\ndata: ").append(data).append("\n\n");
  for (auto& w : subs_) {
    auto s = w.lock();
    if (!s || s->overflowed) continue;
    if (s->queue.size() >= max_queue_) {
      s->overflowed = true;
      s->queue.clear();
    } else {
      s->queue.push_back(event);
    }
    s->wake.cancel();
  }
  std::erase_if(subs_, [](const auto& w) { return w.expired(); });
}

std::size_t event_hub::subscribers() {
  std::erase_if(subs_, [](const auto& w) { return w.expired(); });
  return subs_.size();
}

}  // namespace zwerm::node::http
