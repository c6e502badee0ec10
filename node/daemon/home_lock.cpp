#include "node/daemon/home_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace zwerm::node {

result<home_lock> home_lock::acquire(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return status{status_code::io_error,
                  "cannot open the lock file " + file.string() + ": " + std::strerror(errno)};
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    std::string holder;
    char buf[32] = {};
    if (::pread(fd, buf, sizeof buf - 1, 0) > 0) {
      std::string pid(buf);
      while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
      if (!pid.empty() && pid.find_first_not_of("0123456789") == std::string::npos) {
        holder = " (pid " + pid + ")";
      }
    }
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return status{status_code::busy, "another zwermd" + holder + " is already running on " +
                                           file.parent_path().string() +
                                           "; stop it first or use another --home"};
    }
    return status{status_code::io_error,
                  "cannot lock " + file.string() + ": " + std::strerror(err)};
  }
  // Ours now: record our pid for the next one who asks. Failing to write it only makes that
  // message less precise, so it is not an error.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] auto n = ::pwrite(fd, pid.data(), pid.size(), 0);
  }
  return home_lock(fd);
}

home_lock::home_lock(home_lock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

home_lock& home_lock::operator=(home_lock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

home_lock::~home_lock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

}  // namespace zwerm::node
