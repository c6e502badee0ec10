// The event stream of zwermd's HTTP server (node/http/server.hpp, event_hub.hpp) over real TCP
// on loopback: a client that stops reading is closed and forgotten within the write timeout,
// its queue never grows past the hub's bound, and a client that reads gets every event.
#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "node/http/event_hub.hpp"
#include "node/http/server.hpp"

namespace zwerm::node::http {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

constexpr std::size_t max_queue = 64;

// Answers /events with a stream of the hub's events and everything else with 404.
class events_only : public route_handler {
 public:
  events_only(asio::any_io_executor ex, event_hub& hub) : ex_(std::move(ex)), hub_(hub) {}
  asio::awaitable<answer> handle(const request&, const target& t) override {
    if (t.path != "/events") co_return answer{make_response(404, "text/plain", "no"), nullptr};
    answer a{make_response(200, "text/event-stream", ""), hub_.subscribe(ex_)};
    co_return a;
  }

 private:
  asio::any_io_executor ex_;
  event_hub& hub_;
};

class EventStream : public ::testing::Test {
 protected:
  // Runs f on the server's thread and returns its result.
  template <class F>
  auto on_server(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }

  void SetUp() override {
    server_options o;
    o.port = 0;
    o.write_timeout = 1s;
    server_ = std::make_unique<server>(io_.get_executor(), o, handler_);
    ASSERT_TRUE(server_->start().ok());
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    on_server([this] { server_->stop(); });
    work_.reset();
    thread_.join();
  }

  // A client that asked for /events and read the response head.
  tcp::socket open_stream(int receive_buffer = 0) {
    tcp::socket s(client_io_);
    s.open(tcp::v4());
    if (receive_buffer > 0) s.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    s.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    const std::string req =
        "GET /events HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server_->port()) + "\r\n\r\n";
    asio::write(s, asio::buffer(req));
    std::string head;
    char c;
    while (head.find("\r\n\r\n") == std::string::npos) {
      asio::read(s, asio::buffer(&c, 1));
      head += c;
    }
    EXPECT_EQ(head.rfind("HTTP/1.1 200", 0), 0u) << head;
    return s;
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  event_hub hub_{max_queue};
  events_only handler_{io_.get_executor(), hub_};
  std::unique_ptr<server> server_;
  std::thread thread_;
  asio::io_context client_io_;
};

std::size_t count_of(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST_F(EventStream, AReaderThatStopsIsClosedAndForgottenWhileAReadingOneGetsEveryEvent) {
  tcp::socket stalled = open_stream(4096);  // reads nothing from here on
  tcp::socket reading = open_stream();
  std::string got;
  std::size_t ticks = 0;
  std::thread reader([&] {
    const std::string tick = "event: tick\n";
    char buf[65536];
    std::size_t scanned = 0;
    boost::system::error_code ec;
    while (ticks < 600) {
      const std::size_t n = reading.read_some(asio::buffer(buf), ec);
      if (ec) return;
      got.append(buf, n);
      for (auto p = got.find(tick, scanned); p != std::string::npos; p = got.find(tick, scanned)) {
        ++ticks;
        scanned = p + tick.size();
      }
    }
  });
  ASSERT_EQ(on_server([this] { return hub_.subscribers(); }), 2u);

  // 600 events of 8 KiB, one every 1 ms: 4.8 MB, far more than the stalled client's socket
  // buffers hold, at a pace a reading client keeps up with.
  const std::string data(8192, 'x');
  for (int i = 0; i < 600; ++i) {
    on_server([&] { hub_.publish("tick", data); });
    std::this_thread::sleep_for(1ms);
  }
  reader.join();
  EXPECT_EQ(ticks, 600u);

  // Within the write timeout (1 s) the stalled client is closed: counted, and unsubscribed.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline &&
         on_server([this] { return hub_.subscribers(); }) > 1) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(on_server([this] { return hub_.subscribers(); }), 1u);
  EXPECT_EQ(on_server([this] { return server_->counters().refusals.count("slow_event_reader"); }),
            1u);
  // What reaches the stalled client is what its buffers held before the close, then the end.
  std::string rest;
  char buf[65536];
  boost::system::error_code ec;
  while (!ec) rest.append(buf, stalled.read_some(asio::buffer(buf), ec));
  EXPECT_LT(count_of(rest, "event: tick\n"), 600u);
}

TEST_F(EventStream, AQueueNeverGrowsPastItsBound) {
  auto sub = on_server([this] { return hub_.subscribe(io_.get_executor()); });
  for (std::size_t i = 0; i < 10 * max_queue; ++i) {
    on_server([&] { hub_.publish("tick", "{}"); });
  }
  on_server([&] {
    EXPECT_TRUE(sub->overflowed);
    EXPECT_TRUE(sub->queue.empty()) << "an overflowed subscriber keeps nothing";
    return 0;
  });
  on_server([&] {
    sub.reset();
    return 0;
  });
  EXPECT_EQ(on_server([this] { return hub_.subscribers(); }), 0u);
}

}  // namespace
}  // namespace zwerm::node::http
