// One daemon per home: an exclusive flock(2) on <home>/zwermd.lock, held for the daemon's
// whole life. The kernel drops the lock when the process dies in any way (even SIGKILL), so a
// crashed daemon never leaves a home locked. The file keeps the holder's pid, for the message
// a second daemon prints.
#pragma once

#include <filesystem>

#include "base/status.hpp"

namespace zwerm::node {

class home_lock {
 public:
  // Takes the lock without waiting. Errors: busy ("another zwermd (pid N) is running on
  // <home>") when someone holds it; io_error when the file cannot be opened.
  static result<home_lock> acquire(const std::filesystem::path& file);

  home_lock(home_lock&& other) noexcept;
  home_lock& operator=(home_lock&& other) noexcept;
  home_lock(const home_lock&) = delete;
  home_lock& operator=(const home_lock&) = delete;
  // Releases the lock (the file stays; it is reused by the next daemon).
  ~home_lock();

 private:
  explicit home_lock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace zwerm::node
