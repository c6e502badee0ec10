#include "node/daemon/local_socket.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstring>
#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace zwerm::node {
namespace {

// Leaves a socket file behind as a SIGKILLed daemon would: bound, listened on, closed, never
// unlinked.
void make_stale_socket(const std::filesystem::path& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  ::close(fd);
  ASSERT_TRUE(std::filesystem::exists(path));
}

mode_t mode_of(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

TEST(LocalSocket, CreatedWithMode0600AndUmaskRestored) {
  zwerm::testing::temp_dir dir;
  boost::asio::io_context io;
  const mode_t before = ::umask(022);
  auto acceptor = bind_private_socket(io.get_executor(), dir / "zwermd.sock");
  ASSERT_TRUE(acceptor.ok()) << acceptor.error().message();
  EXPECT_EQ(mode_of(dir / "zwermd.sock"), 0600u);
  EXPECT_EQ(::umask(before), 022u);
}

TEST(LocalSocket, StaleSocketIsReplaced) {
  zwerm::testing::temp_dir dir;
  make_stale_socket(dir / "zwermd.sock");
  boost::asio::io_context io;
  auto acceptor = bind_private_socket(io.get_executor(), dir / "zwermd.sock");
  ASSERT_TRUE(acceptor.ok()) << acceptor.error().message();
  EXPECT_EQ(mode_of(dir / "zwermd.sock"), 0600u);
  // It really listens: a client connects.
  boost::asio::local::stream_protocol::socket client(io);
  boost::system::error_code ec;
  client.connect({(dir / "zwermd.sock").native()}, ec);
  EXPECT_FALSE(ec) << ec.message();
}

TEST(LocalSocket, LiveSocketIsNotStolen) {
  zwerm::testing::temp_dir dir;
  boost::asio::io_context io;
  auto first = bind_private_socket(io.get_executor(), dir / "zwermd.sock");
  ASSERT_TRUE(first.ok());
  auto second = bind_private_socket(io.get_executor(), dir / "zwermd.sock");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), status_code::busy);
  // The first still serves.
  boost::asio::local::stream_protocol::socket client(io);
  boost::system::error_code ec;
  client.connect({(dir / "zwermd.sock").native()}, ec);
  EXPECT_FALSE(ec) << ec.message();
}

TEST(LocalSocket, OtherFilesAreLeftAlone) {
  zwerm::testing::temp_dir dir;
  { std::ofstream(dir / "zwermd.sock") << "precious"; }
  boost::asio::io_context io;
  auto r = bind_private_socket(io.get_executor(), dir / "zwermd.sock");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), status_code::already_exists);
  EXPECT_EQ(zwerm::testing::read_file(dir / "zwermd.sock"), "precious");
}

TEST(LocalSocket, TooLongPathIsAClearError) {
  zwerm::testing::temp_dir dir;
  auto deep = dir.path() / std::string(120, 'x') / "zwermd.sock";
  boost::asio::io_context io;
  auto r = bind_private_socket(io.get_executor(), deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), status_code::invalid_argument);
  EXPECT_NE(r.error().message().find("shorter --home"), std::string::npos);
}

}  // namespace
}  // namespace zwerm::node
