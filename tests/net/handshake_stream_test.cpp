// The handshake functions are written against any Asio async stream. Here they run over a
// scripted in-memory stream that delivers chosen bytes and then fails, so each failure is
// classified without sockets: truncation, I/O errors, and messages that fail their checks.
#include <gtest/gtest.h>

#include <boost/asio/use_future.hpp>
#include <random>

#include "crypto/shs.hpp"
#include "net/asio.hpp"
#include "net/handshake.hpp"

namespace zwerm::net {
namespace {

// Reads return `input` (in pieces of at most `piece` bytes), then `end_error`. Writes accept
// `write_limit` bytes in total, then fail with broken_pipe.
class scripted_stream {
 public:
  using executor_type = asio::any_io_executor;

  scripted_stream(executor_type ex, std::string input, std::size_t write_limit,
                  error_code end_error = asio::error::eof, std::size_t piece = 7)
      : ex_(ex),
        input_(std::move(input)),
        write_limit_(write_limit),
        end_error_(end_error),
        piece_(piece) {}

  executor_type get_executor() { return ex_; }
  const std::string& written() const { return written_; }

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const Buffers& b) {
          error_code ec;
          std::size_t n = 0;
          if (pos_ == input_.size()) {
            ec = end_error_;
          } else {
            n = asio::buffer_copy(
                b, asio::buffer(input_.data() + pos_, std::min(piece_, input_.size() - pos_)));
            pos_ += n;
          }
          asio::post(ex_, [h = std::move(handler), ec, n]() mutable { std::move(h)(ec, n); });
        },
        token, buffers);
  }

  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const Buffers& b) {
          error_code ec;
          std::size_t n = 0;
          if (written_.size() >= write_limit_) {
            ec = asio::error::broken_pipe;
          } else {
            std::string chunk(std::min(asio::buffer_size(b), write_limit_ - written_.size()), '\0');
            n = asio::buffer_copy(asio::buffer(chunk), b);
            written_ += chunk;
          }
          asio::post(ex_, [h = std::move(handler), ec, n]() mutable { std::move(h)(ec, n); });
        },
        token, buffers);
  }

 private:
  executor_type ex_;
  std::string input_;
  std::size_t pos_ = 0;
  std::size_t write_limit_;
  error_code end_error_;
  std::size_t piece_;
  std::string written_;
};

crypto::network_key net1() {
  crypto::network_key k;
  k.bytes.fill(1);
  return k;
}

struct accept_all {
  admission operator()(const crypto::network_key&, const crypto::public_key&) const {
    return admission::accept;
  }
};

awaitable<handshake_outcome> run_client(scripted_stream* s, crypto::key_pair local,
                                        crypto::public_key server) {
  co_return co_await client_handshake(*s, net1(), local, server);
}

awaitable<handshake_outcome> run_server(scripted_stream* s, crypto::key_pair local) {
  const std::vector<crypto::network_key> nets = {net1()};
  co_return co_await server_handshake(*s, std::span(nets), local, accept_all{});
}

class HandshakeStreamTest : public ::testing::Test {
 protected:
  handshake_outcome client(std::string input, std::size_t write_limit = 1 << 20,
                           error_code end = asio::error::eof) {
    stream.emplace(ioc.get_executor(), std::move(input), write_limit, end);
    auto f =
        asio::co_spawn(ioc, run_client(&*stream, client_keys, server_keys.pk), asio::use_future);
    ioc.restart();
    ioc.run();
    return f.get();
  }
  handshake_outcome server(std::string input, std::size_t write_limit = 1 << 20,
                           error_code end = asio::error::eof) {
    stream.emplace(ioc.get_executor(), std::move(input), write_limit, end);
    auto f = asio::co_spawn(ioc, run_server(&*stream, server_keys), asio::use_future);
    ioc.restart();
    ioc.run();
    return f.get();
  }

  asio::io_context ioc;
  std::optional<scripted_stream> stream;
  crypto::key_pair client_keys = crypto::generate_key_pair();
  crypto::key_pair server_keys = crypto::generate_key_pair();
};

TEST_F(HandshakeStreamTest, ClientSeesEofBeforeServerHelloAsTruncated) {
  auto out = client("");
  ASSERT_FALSE(out.ok);
  EXPECT_EQ(out.failure.reason, close_reason::truncated);
  EXPECT_EQ(out.failure.operation, "reading server hello (msg2)");
  EXPECT_EQ(stream->written().size(), crypto::shs_msg1_size);  // msg1 went out
}

TEST_F(HandshakeStreamTest, ClientSeesAResetAsAnIoError) {
  auto out = client(std::string(10, 'x'), 1 << 20, asio::error::connection_reset);
  ASSERT_FALSE(out.ok);
  EXPECT_EQ(out.failure.reason, close_reason::io_error);
  EXPECT_EQ(out.failure.error, asio::error::connection_reset);
}

TEST_F(HandshakeStreamTest, ClientRefusesAServerHelloWithoutTheNetworkKey) {
  std::mt19937 rng(3);
  std::string junk(crypto::shs_msg2_size, '\0');
  for (auto& c : junk) c = static_cast<char>(rng());
  auto out = client(junk);
  ASSERT_FALSE(out.ok);
  EXPECT_EQ(out.failure.reason, close_reason::handshake_failed);
  EXPECT_EQ(out.failure.operation, "checking server hello (msg2)");
  EXPECT_EQ(stream->written().size(), crypto::shs_msg1_size);  // no msg3 after a bad msg2
}

TEST_F(HandshakeStreamTest, ClientWriteFailureIsAnIoError) {
  auto out = client("", 10);  // msg1 cannot be written in full
  ASSERT_FALSE(out.ok);
  EXPECT_EQ(out.failure.reason, close_reason::io_error);
  EXPECT_EQ(out.failure.operation, "sending client hello (msg1)");
}

TEST_F(HandshakeStreamTest, ServerRefusesJunkAsMsg1AndWritesNothing) {
  auto out = server(std::string(crypto::shs_msg1_size, 'j'));
  ASSERT_FALSE(out.ok);
  EXPECT_EQ(out.failure.reason, close_reason::handshake_failed);
  EXPECT_TRUE(out.failure.misbehaviour());
  EXPECT_TRUE(stream->written().empty());
}

TEST_F(HandshakeStreamTest, ServerAnswersAValidHelloThenSeesTruncation) {
  crypto::shs_client shs(net1(), client_keys, server_keys.pk);
  const auto m1 = shs.hello();
  auto out = server(std::string(reinterpret_cast<const char*>(m1.data()), m1.size()) + "partial");
  ASSERT_FALSE(out.ok);
  EXPECT_EQ(out.failure.reason, close_reason::truncated);
  EXPECT_EQ(out.failure.operation, "reading client auth (msg3)");
  EXPECT_FALSE(out.failure.misbehaviour());
  EXPECT_EQ(stream->written().size(), crypto::shs_msg2_size);
}

TEST_F(HandshakeStreamTest, ServerWriteFailureIsAnIoError) {
  crypto::shs_client shs(net1(), client_keys, server_keys.pk);
  const auto m1 = shs.hello();
  auto out = server(std::string(reinterpret_cast<const char*>(m1.data()), m1.size()), 0);
  ASSERT_FALSE(out.ok);
  EXPECT_EQ(out.failure.reason, close_reason::io_error);
  EXPECT_EQ(out.failure.operation, "sending server hello (msg2)");
}

}  // namespace
}  // namespace zwerm::net
