#include "node/daemon/local_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace zwerm::node {
namespace {

// Asks the kernel whether anyone accepts on `path`. A plain blocking connect on a Unix socket
// answers at once: ECONNREFUSED when the file is stale.
bool someone_listens(const std::filesystem::path& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  const bool live = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 ||
                    errno == EAGAIN;  // a live listener whose backlog is full
  ::close(fd);
  return live;
}

// Restores the process umask when the bind is done.
class umask_guard {
 public:
  explicit umask_guard(mode_t mask) : old_(::umask(mask)) {}
  ~umask_guard() { ::umask(old_); }
  umask_guard(const umask_guard&) = delete;
  umask_guard& operator=(const umask_guard&) = delete;

 private:
  mode_t old_;
};

}  // namespace

std::size_t max_socket_path_length() {
  return sizeof(sockaddr_un{}.sun_path) - 1;
}

result<local_acceptor> bind_private_socket(const boost::asio::any_io_executor& executor,
                                           const std::filesystem::path& path) {
  if (path.native().size() > max_socket_path_length()) {
    return status{status_code::invalid_argument,
                  "the socket path " + path.string() + " is longer than the " +
                      std::to_string(max_socket_path_length()) +
                      " bytes Unix sockets allow; use a shorter --home"};
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return status{status_code::already_exists,
                    path.string() + " exists and is not a socket; move it away and start again"};
    }
    if (someone_listens(path)) {
      return status{status_code::busy, "a running process already answers on " + path.string() +
                                           "; it was left alone"};
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return status{status_code::io_error, "cannot remove the stale socket " + path.string() +
                                               ": " + std::strerror(errno)};
    }
  }
  boost::system::error_code ec;
  local_acceptor acceptor(executor);
  acceptor.open(boost::asio::local::stream_protocol(), ec);
  if (!ec) {
    umask_guard mask(0177);
    acceptor.bind(boost::asio::local::stream_protocol::endpoint(path.native()), ec);
  }
  if (!ec && ::chmod(path.c_str(), 0600) != 0) {
    ec.assign(errno, boost::system::system_category());
  }
  if (!ec) acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return status{status_code::io_error, "cannot listen on " + path.string() + ": " + ec.message()};
  }
  return acceptor;
}

}  // namespace zwerm::node
