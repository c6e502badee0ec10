#include "cli/passphrase.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "crypto/wipe.hpp"

namespace zwerm::cli {

namespace {

constexpr std::size_t max_passphrase = 1024;

std::string first_line(std::string text) {
  const auto end = text.find('\n');
  std::string line = text.substr(0, end);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  crypto::wipe_string(text);
  return line;
}

// One line from the terminal `fd`, echo off.
result<std::string> read_hidden(int fd, const std::string& prompt) {
  (void)!::write(fd, prompt.data(), prompt.size());
  termios old{};
  const bool tty = ::tcgetattr(fd, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(fd, TCSANOW, &quiet);
  }
  std::string line;
  char c;
  bool ended = false;
  while (true) {
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (c == '\n') {
      ended = true;
      break;
    }
    if (line.size() <= max_passphrase) line.push_back(c);
  }
  if (tty) ::tcsetattr(fd, TCSANOW, &old);
  if (!ended && line.empty()) {
    return status{status_code::invalid_argument, "no passphrase was typed"};
  }
  return first_line(std::move(line));
}

}  // namespace

result<std::string> read_passphrase_file(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return status{status_code::not_found, "no file " + file.string()};
    return status{status_code::io_error,
                  "cannot read " + file.string() + ": " + std::strerror(errno)};
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0) {
    ::close(fd);
    return status{status_code::permission_denied,
                  "the passphrase file " + file.string() +
                      " can be read by others; refusing to use it (fix with: chmod 600 " +
                      file.string() + ")"};
  }
  std::string text;
  char buf[512];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > max_passphrase + 2) break;
  }
  crypto::wipe_memory(buf, sizeof buf);
  ::close(fd);
  std::string line = first_line(std::move(text));
  if (line.empty()) {
    return status{status_code::invalid_argument, "the passphrase file " + file.string() +
                                                     " holds no passphrase on its first line"};
  }
  if (line.size() > max_passphrase) {
    crypto::wipe_string(line);
    return status{status_code::invalid_argument,
                  "the passphrase in " + file.string() + " is longer than 1024 bytes"};
  }
  return line;
}

result<std::string> ask_passphrase(const std::string& prompt, bool confirm) {
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return status{status_code::invalid_argument,
                  "no terminal to ask the passphrase on; give --passphrase-file PATH"};
  }
  auto first = read_hidden(fd, prompt + ": ");
  if (first && confirm) {
    auto again = read_hidden(fd, "Again: ");
    if (!again) {
      first = again.error();
    } else if (*again != *first) {
      crypto::wipe_string(*again);
      crypto::wipe_string(*first);
      first = status{status_code::invalid_argument, "the two passphrases differ; nothing was done"};
    } else {
      crypto::wipe_string(*again);
    }
  }
  ::close(fd);
  if (first && first->empty()) {
    return status{status_code::invalid_argument, "the passphrase is empty; nothing was done"};
  }
  if (first && first->size() > max_passphrase) {
    return status{status_code::invalid_argument, "the passphrase is longer than 1024 bytes"};
  }
  return first;
}

}  // namespace zwerm::cli
