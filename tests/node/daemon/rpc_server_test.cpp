// The RPC server over a real Unix socket, driven by a plain blocking client.
#include "node/daemon/rpc_server.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace zwerm::node {
namespace {

using rpc::json;
using namespace std::chrono_literals;

// A blocking client with deadlines, independent of Asio, like any other program would be.
class line_client {
 public:
  explicit line_client(const std::filesystem::path& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~line_client() { close(); }
  bool connected() const { return connected_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool send(std::string_view text) {
    while (!text.empty()) {
      auto n = ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      text.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // The next line, or nullopt on EOF / timeout (eof() tells which).
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = 3000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char chunk[65536];
      auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) {
        eof_ = true;
        return std::nullopt;
      }
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  json read_json(std::chrono::milliseconds timeout = 3000ms) {
    auto line = read_line(timeout);
    EXPECT_TRUE(line.has_value()) << "no line from the server";
    return line ? json::parse(*line) : json();
  }

  bool eof() const { return eof_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string buffer_;
};

boost::asio::awaitable<rpc::reply> slow_echo(json params) {
  boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, 20ms);
  co_await t.async_wait(boost::asio::use_awaitable);
  co_return rpc::reply::ok(json{{"slow", params}});
}

// Answers after params.ms milliseconds: a long call like join.
boost::asio::awaitable<rpc::reply> wait_echo(json params) {
  boost::asio::steady_timer t(co_await boost::asio::this_coro::executor,
                              std::chrono::milliseconds(params.value("ms", 0)));
  co_await t.async_wait(boost::asio::use_awaitable);
  co_return rpc::reply::ok(json{{"waited", params}});
}

constexpr std::string_view echo_request = R"({"jsonrpc":"2.0","id":1,"method":"echo"})"
                                          "\n";
constexpr std::string_view watch_request = R"({"jsonrpc":"2.0","id":1,"method":"watch"})"
                                           "\n";

class RpcServerTest : public ::testing::Test {
 protected:
  void start(rpc_server_options options = {}) {
    table_.add("echo", "returns its params", rpc::sync_handler([](const json& p) {
                 return rpc::reply::ok(json{{"echo", p}});
               }));
    table_.add("slow", "answers after 20 ms", [](json p) { return slow_echo(std::move(p)); });
    table_.add("wait", "answers after params.ms", [](json p) { return wait_echo(std::move(p)); });
    table_.add("boom", "throws", rpc::sync_handler([](const json&) -> rpc::reply {
                 throw std::runtime_error("kaboom");
               }));
    table_.add("refuse", "refuses", rpc::sync_handler([](const json&) {
                 return rpc::reply::fail(rpc::refused, "not today");
               }));
    table_.add_unavailable("later", "needs more", "the thing that has not landed");
    table_.add_unavailable_checked(
        "later_checked", "checks, then needs more", "the thing that has not landed",
        rpc::sync_handler([](const json& p) {
          return p.contains("ok") ? rpc::reply::ok(json::object())
                                  : rpc::reply::fail(rpc::invalid_params, "needs ok");
        }));
    table_.add_stream("watch", "streams", "records", rpc::sync_handler([](const json&) {
                        return rpc::reply::ok(json{{"watching", true}});
                      }));
    auto acceptor = bind_private_socket(io_.get_executor(), socket_path());
    ASSERT_TRUE(acceptor.ok()) << acceptor.error().message();
    server_ = std::make_unique<rpc_server>(std::move(*acceptor), socket_path(), table_, options);
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (thread_.joinable()) {
      boost::asio::post(io_, [this] { server_->stop(); });
      thread_.join();
    }
  }

  // Runs f on the server's thread and waits for it.
  template <class F>
  auto on_io(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto done = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return done.get();
  }

  std::size_t clients() {
    return on_io([this] { return server_->client_count(); });
  }

  // Waits until the server has seen `n` clients (connects are asynchronous).
  bool wait_clients(std::size_t n) {
    for (int i = 0; i < 300; ++i) {
      if (clients() == n) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  std::filesystem::path socket_path() const { return dir_ / "zwermd.sock"; }

  // Expects the line that says why the server closed the connection, then the end of it.
  static void expect_closed_with_notice(line_client& c, std::string_view why) {
    auto notice = c.read_json();
    EXPECT_EQ(notice["error"]["code"], rpc::refused);
    EXPECT_TRUE(notice["id"].is_null());
    EXPECT_NE(notice["error"]["message"].get<std::string>().find(why), std::string::npos)
        << notice.dump();
    EXPECT_FALSE(c.read_line(2000ms).has_value());
    EXPECT_TRUE(c.eof());
  }

  zwerm::testing::temp_dir dir_{"zwerm-rpc"};
  boost::asio::io_context io_;
  rpc::method_table table_;
  std::unique_ptr<rpc_server> server_;
  std::thread thread_;
};

TEST_F(RpcServerTest, AnswersARequestWithItsId) {
  start();
  line_client c(socket_path());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(R"({"jsonrpc":"2.0","id":"a1","method":"echo","params":{"x":[1,2]}})"
                     "\n"));
  auto r = c.read_json();
  EXPECT_EQ(r["jsonrpc"], "2.0");
  EXPECT_EQ(r["id"], "a1");
  EXPECT_EQ(r["result"]["echo"]["x"][1], 2);
}

TEST_F(RpcServerTest, PipelinedRequestsAnswerInOrderAndAsyncMethodsWork) {
  start();
  line_client c(socket_path());
  ASSERT_TRUE(c.send(R"({"jsonrpc":"2.0","id":1,"method":"slow","params":{"n":1}})"
                     "\n"
                     R"({"jsonrpc":"2.0","id":2,"method":"echo"})"
                     "\r\n"
                     "\n"
                     R"({"jsonrpc":"2.0","id":3,"method":"echo"})"));
  EXPECT_EQ(c.read_json()["id"], 1);
  EXPECT_EQ(c.read_json()["id"], 2);
  ASSERT_TRUE(c.send("\n"));  // the third line completes only now
  EXPECT_EQ(c.read_json()["id"], 3);
}

TEST_F(RpcServerTest, MalformedJsonIsAnsweredAndTheConnectionStays) {
  start();
  line_client c(socket_path());
  ASSERT_TRUE(c.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\n"));
  auto r = c.read_json();
  EXPECT_EQ(r["error"]["code"], rpc::parse_error);
  EXPECT_TRUE(r["id"].is_null());
  EXPECT_FALSE(r["error"]["message"].get<std::string>().empty());
  ASSERT_TRUE(c.send(R"({"jsonrpc":"2.0","id":2,"method":"echo"})"
                     "\n"));
  EXPECT_EQ(c.read_json()["id"], 2);
}

TEST_F(RpcServerTest, OversizeLineIsRefusedAndClosed) {
  rpc_server_options o;
  o.max_line_bytes = 1024;
  start(o);
  line_client c(socket_path());
  // Exactly the limit is fine...
  std::string fits = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"pad":")";
  fits += std::string(1024 - fits.size() - 3, 'x') + "\"}}";
  ASSERT_EQ(fits.size(), 1024u);
  ASSERT_TRUE(c.send(fits + "\n"));
  EXPECT_EQ(c.read_json()["id"], 1);
  // ...one byte more is not, even before the newline arrives.
  ASSERT_TRUE(c.send(std::string(1025, 'y')));
  auto r = c.read_json();
  EXPECT_EQ(r["error"]["code"], rpc::invalid_request);
  EXPECT_NE(r["error"]["message"].get<std::string>().find("1024 bytes"), std::string::npos);
  EXPECT_FALSE(c.read_line(2000ms).has_value());
  EXPECT_TRUE(c.eof());
}

TEST_F(RpcServerTest, ErrorsCarryCodesAndSentences) {
  start();
  line_client c(socket_path());
  ASSERT_TRUE(c.send(R"({"jsonrpc":"2.0","id":1,"method":"nope"})"
                     "\n"
                     R"({"jsonrpc":"2.0","id":2,"method":"later"})"
                     "\n"
                     R"({"jsonrpc":"2.0","id":3,"method":"boom"})"
                     "\n"
                     R"({"jsonrpc":"2.0","id":4,"method":"refuse"})"
                     "\n"
                     R"({"jsonrpc":"2.0","id":5,"method":"echo","params":"x"})"
                     "\n"));
  auto r1 = c.read_json();
  EXPECT_EQ(r1["error"]["code"], rpc::method_not_found);
  auto r2 = c.read_json();
  EXPECT_EQ(r2["error"]["code"], rpc::not_available);
  EXPECT_NE(r2["error"]["message"].get<std::string>().find("not available in this build yet"),
            std::string::npos);
  EXPECT_NE(r2["error"]["message"].get<std::string>().find("the thing that has not landed"),
            std::string::npos);
  auto r3 = c.read_json();
  EXPECT_EQ(r3["error"]["code"], rpc::internal_error);
  EXPECT_NE(r3["error"]["message"].get<std::string>().find("kaboom"), std::string::npos);
  EXPECT_EQ(c.read_json()["error"]["message"], "not today");
  EXPECT_EQ(c.read_json()["error"]["code"], rpc::invalid_params);
}

TEST_F(RpcServerTest, UnavailableMethodsCanStillCheckTheirParams) {
  start();
  line_client c(socket_path());
  ASSERT_TRUE(c.send(R"({"jsonrpc":"2.0","id":1,"method":"later_checked"})"
                     "\n"
                     R"({"jsonrpc":"2.0","id":2,"method":"later_checked","params":{"ok":1}})"
                     "\n"));
  EXPECT_EQ(c.read_json()["error"]["code"], rpc::invalid_params);
  EXPECT_EQ(c.read_json()["error"]["code"], rpc::not_available);
  EXPECT_FALSE(table_.find("later_checked")->available());
  EXPECT_TRUE(table_.find("echo")->available());
}

TEST_F(RpcServerTest, NotificationsGetNoResponse) {
  start();
  line_client c(socket_path());
  ASSERT_TRUE(c.send(R"({"jsonrpc":"2.0","method":"echo"})"
                     "\n"
                     R"({"jsonrpc":"2.0","method":"nope"})"
                     "\n"
                     R"({"jsonrpc":"2.0","id":9,"method":"echo"})"
                     "\n"));
  EXPECT_EQ(c.read_json()["id"], 9);
}

TEST_F(RpcServerTest, WatchStreamsUntilTheClientLeaves) {
  start();
  line_client watcher(socket_path());
  line_client bystander(socket_path());
  ASSERT_TRUE(
      watcher.send(R"({"jsonrpc":"2.0","id":1,"method":"watch","params":{"community":"c1"}})"
                   "\n"));
  EXPECT_EQ(watcher.read_json()["result"]["watching"], true);
  ASSERT_TRUE(bystander.send(R"({"jsonrpc":"2.0","id":1,"method":"echo"})"
                             "\n"));
  EXPECT_EQ(bystander.read_json()["id"], 1);

  on_io([this] {
    server_->publish("records", "watch.record", json{{"n", 1}});
    // A filter on the subscription params: only watchers of community c2.
    server_->publish("records", "watch.record", json{{"n", 2}},
                     [](const json& sub) { return sub.value("community", "") == "c2"; });
    server_->publish("records", "watch.record", json{{"n", 3}},
                     [](const json& sub) { return sub.value("community", "") == "c1"; });
    return 0;
  });
  auto n1 = watcher.read_json();
  EXPECT_EQ(n1["method"], "watch.record");
  EXPECT_FALSE(n1.contains("id"));
  EXPECT_EQ(n1["params"]["n"], 1);
  EXPECT_EQ(watcher.read_json()["params"]["n"], 3);
  EXPECT_FALSE(bystander.read_line(200ms).has_value());  // never subscribed

  ASSERT_TRUE(wait_clients(2));
  watcher.close();
  EXPECT_TRUE(wait_clients(1)) << "the watcher's session did not end when it left";
  on_io([this] {
    server_->publish("records", "watch.record", json{{"n", 4}});
    return 0;
  });
}

TEST_F(RpcServerTest, AWatcherThatStopsReadingIsDisconnected) {
  rpc_server_options o;
  o.max_queue = 4;
  start(o);
  line_client watcher(socket_path());
  ASSERT_TRUE(watcher.send(R"({"jsonrpc":"2.0","id":1,"method":"watch"})"
                           "\n"));
  EXPECT_EQ(watcher.read_json()["id"], 1);
  const json big{{"pad", std::string(64 * 1024, 'z')}};
  // The socket buffers absorb some; after that the queue fills and the server lets go.
  bool dropped = false;
  for (int round = 0; round < 200 && !dropped; ++round) {
    on_io([&] {
      for (int i = 0; i < 8; ++i) server_->publish("records", "watch.record", big);
      return 0;
    });
    dropped = clients() == 0;
  }
  EXPECT_TRUE(dropped);
}

// Regression: params nested ~87,000 levels deep killed zwermd with SIGSEGV.
TEST_F(RpcServerTest, DeeplyNestedParamsAreRefusedAndTheConnectionStays) {
  start();
  line_client c(socket_path());
  const std::string deep = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":)" +
                           std::string(100'000, '[') + std::string(100'000, ']') + "}}\n";
  ASSERT_TRUE(c.send(deep));
  auto r = c.read_json();
  EXPECT_EQ(r["error"]["code"], rpc::invalid_request);
  EXPECT_NE(r["error"]["message"].get<std::string>().find("deeper than 64 levels"),
            std::string::npos);
  ASSERT_TRUE(c.send(R"({"jsonrpc":"2.0","id":2,"method":"echo"})"
                     "\n"));
  EXPECT_EQ(c.read_json()["id"], 2);
}

TEST_F(RpcServerTest, AnIdleClientIsClosedAfterTheIdleTimeout) {
  rpc_server_options o;
  o.idle_timeout = 500ms;
  start(o);
  line_client idle(socket_path());
  line_client chatty(socket_path());
  ASSERT_TRUE(wait_clients(2));
  // Every line restarts the clock: a client that keeps talking stays.
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(chatty.send(echo_request));
    EXPECT_EQ(chatty.read_json()["id"], 1);
    std::this_thread::sleep_for(100ms);
  }
  expect_closed_with_notice(idle, "no request for 500 ms");
  EXPECT_TRUE(wait_clients(1));
  ASSERT_TRUE(chatty.send(echo_request));
  EXPECT_EQ(chatty.read_json()["id"], 1);
  expect_closed_with_notice(chatty, "no request for 500 ms");
  EXPECT_TRUE(wait_clients(0));
}

TEST_F(RpcServerTest, ALongCallIsNotCutByTheIdleTimeout) {
  rpc_server_options o;
  o.idle_timeout = 100ms;
  start(o);
  line_client c(socket_path());
  ASSERT_TRUE(c.send(R"({"jsonrpc":"2.0","id":7,"method":"wait","params":{"ms":500}})"
                     "\n"));
  auto r = c.read_json();
  EXPECT_EQ(r["id"], 7);
  EXPECT_EQ(r["result"]["waited"]["ms"], 500);
  // The idle clock starts when the call ends, not when it was asked for.
  ASSERT_TRUE(c.send(echo_request));
  EXPECT_EQ(c.read_json()["id"], 1);
}

TEST_F(RpcServerTest, AWatcherIsNotClosedByTheIdleTimeout) {
  rpc_server_options o;
  o.idle_timeout = 100ms;
  start(o);
  line_client watcher(socket_path());
  ASSERT_TRUE(watcher.send(watch_request));
  EXPECT_EQ(watcher.read_json()["result"]["watching"], true);
  EXPECT_FALSE(watcher.read_line(600ms).has_value());
  EXPECT_FALSE(watcher.eof());
  EXPECT_EQ(clients(), 1u);
  on_io([this] {
    server_->publish("records", "watch.record", json{{"n", 1}});
    return 0;
  });
  EXPECT_EQ(watcher.read_json()["params"]["n"], 1);
}

// Regression: 32 local clients that connect and do nothing locked the CLI out for good.
TEST_F(RpcServerTest, IdleClientsMakeRoomForANewcomer) {
  start();  // max_clients 32, idle timeout 60 s: only the newcomer frees a place
  std::vector<std::unique_ptr<line_client>> idle;
  for (int i = 0; i < 32; ++i) {
    idle.push_back(std::make_unique<line_client>(socket_path()));
    // One at a time, so that the first one is the one idle the longest.
    ASSERT_TRUE(wait_clients(idle.size()));
  }
  line_client cli(socket_path());
  ASSERT_TRUE(cli.send(echo_request));
  EXPECT_EQ(cli.read_json()["id"], 1);
  expect_closed_with_notice(*idle.front(), "to serve another local client");
  EXPECT_EQ(clients(), 32u);
  // The others are still served.
  ASSERT_TRUE(idle.back()->send(echo_request));
  EXPECT_EQ(idle.back()->read_json()["id"], 1);
}

TEST_F(RpcServerTest, TheNewcomerReplacesTheClientIdleTheLongest) {
  rpc_server_options o;
  o.max_clients = 3;
  start(o);
  line_client a(socket_path());
  ASSERT_TRUE(wait_clients(1));
  line_client b(socket_path());
  ASSERT_TRUE(wait_clients(2));
  line_client watcher(socket_path());
  ASSERT_TRUE(watcher.send(watch_request));
  EXPECT_EQ(watcher.read_json()["id"], 1);
  // a connected first but spoke last: b is now the one idle the longest.
  ASSERT_TRUE(a.send(echo_request));
  EXPECT_EQ(a.read_json()["id"], 1);
  line_client c(socket_path());
  expect_closed_with_notice(b, "to serve another local client");
  ASSERT_TRUE(c.send(echo_request));
  EXPECT_EQ(c.read_json()["id"], 1);
  ASSERT_TRUE(a.send(echo_request));
  EXPECT_EQ(a.read_json()["id"], 1);
}

TEST_F(RpcServerTest, WhenEveryClientIsBusyTheNewcomerIsToldAndClosed) {
  rpc_server_options o;
  o.max_clients = 2;
  start(o);
  line_client watcher(socket_path());
  ASSERT_TRUE(watcher.send(watch_request));
  EXPECT_EQ(watcher.read_json()["id"], 1);
  line_client caller(socket_path());
  ASSERT_TRUE(caller.send(R"({"jsonrpc":"2.0","id":5,"method":"wait","params":{"ms":1000}})"
                          "\n"));
  ASSERT_TRUE(wait_clients(2));
  std::this_thread::sleep_for(50ms);  // the call has reached the server
  line_client c(socket_path());
  auto r = c.read_json();
  EXPECT_EQ(r["error"]["code"], rpc::refused);
  EXPECT_NE(r["error"]["message"].get<std::string>().find("each in a call or watching"),
            std::string::npos);
  EXPECT_FALSE(c.read_line(2000ms).has_value());
  EXPECT_TRUE(c.eof());
  // Neither busy client was cut.
  EXPECT_EQ(caller.read_json()["id"], 5);
  on_io([this] {
    server_->publish("records", "watch.record", json{{"n", 1}});
    return 0;
  });
  EXPECT_EQ(watcher.read_json()["params"]["n"], 1);
}

// Regression: every refused client wrote a log line, so a looping script flooded the log.
TEST_F(RpcServerTest, RefusalsAreLoggedOncePerPeriodWithACount) {
  rpc_server_options o;
  o.max_clients = 1;
  o.refusal_log_period = 600ms;
  start(o);
  line_client watcher(socket_path());
  ASSERT_TRUE(watcher.send(watch_request));
  EXPECT_EQ(watcher.read_json()["id"], 1);

  auto refuse_one = [this] {
    line_client c(socket_path());
    EXPECT_EQ(c.read_json()["error"]["code"], rpc::refused);
  };
  auto count = [](const std::string& text, std::string_view what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  };
  ::testing::internal::CaptureStdout();  // where the default logger writes
  for (int i = 0; i < 20; ++i) refuse_one();
  std::this_thread::sleep_for(650ms);
  refuse_one();
  const std::string log = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(count(log, "refusing one more"), 2u) << log;
  EXPECT_EQ(count(log, "(19 more refused since the last such line)"), 1u) << log;
}

TEST_F(RpcServerTest, StopClosesClientsAndRemovesTheSocket) {
  start();
  line_client c(socket_path());
  ASSERT_TRUE(wait_clients(1));
  on_io([this] {
    server_->stop();
    return 0;
  });
  EXPECT_FALSE(c.read_line(2000ms).has_value());
  EXPECT_TRUE(c.eof());
  EXPECT_FALSE(std::filesystem::exists(socket_path()));
  thread_.join();  // nothing left to do: io.run() returns by itself
}

}  // namespace
}  // namespace zwerm::node
