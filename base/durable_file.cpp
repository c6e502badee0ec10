#include "base/durable_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace zwerm {
namespace {

status file_error(std::string_view doing, std::string_view what, const std::filesystem::path& file,
                  int err) {
  return {status_code::io_error, "could not " + std::string(doing) + " " + std::string(what) + " " +
                                     file.string() + ": " + std::strerror(err) +
                                     (err == ENOSPC ? " (free disk space)" : "")};
}

}  // namespace

status sync_directory(const std::filesystem::path& dir, std::string_view what) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return file_error("open the directory of", what, dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return file_error("sync the directory of", what, dir, err);
  return {};
}

status replace_file(const std::filesystem::path& file, std::string_view bytes,
                    std::string_view what) {
  std::error_code ec;
  // A bare file name lives in the working directory.
  const std::filesystem::path dir =
      file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  std::filesystem::create_directories(dir, ec);
  if (ec) return file_error("create the directory of", what, file, ec.value());
  const std::filesystem::path tmp = file.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return file_error("create", what, tmp, errno);
  auto fail = [&](const char* doing, int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return file_error(doing, what, tmp, err);
  };
  if (::fchmod(fd, 0600) != 0) return fail("restrict", errno);  // an older .tmp kept its mode
  for (std::size_t at = 0; at < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + at, bytes.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("write", n < 0 ? errno : ENOSPC);
    at += static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd) != 0) return fail("sync", errno);
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return file_error("close", what, tmp, err);
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return file_error("rename", what, tmp, err);
  }
  return sync_directory(dir, what);
}

}  // namespace zwerm
