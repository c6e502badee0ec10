// What zwerm-shs-client and zwerm-shs-server share: blocking exact reads and writes on
// stdin/stdout and hex arguments of a fixed length. The shs1-test harness
// (npm `shs1-test`, see tests/vectors/README.md §7) drives both programs through a pipe.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <span>
#include <string>

#include "base/bytes.hpp"
#include "crypto/shs.hpp"

namespace zwerm::interop {

// Exit codes: a refused handshake (including a short read or a failed write), and a bad
// command line or an internal error.
inline constexpr int exit_refused = 1;
inline constexpr int exit_error = 2;

// Reads exactly out.size() bytes from stdin; false on EOF or an error before that.
inline bool read_exact(std::span<std::uint8_t> out) {
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(STDIN_FILENO, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<std::size_t>(n);
  }
  return true;
}

// Writes all of `in` to stdout (unbuffered: the harness checks each message as it arrives).
inline bool write_all(std::span<const std::uint8_t> in) {
  std::size_t put = 0;
  while (put < in.size()) {
    ssize_t n = ::write(STDOUT_FILENO, in.data() + put, in.size() - put);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    put += static_cast<std::size_t>(n);
  }
  return true;
}

// Decodes a hex argument of exactly T::size() bytes.
template <class T>
bool hex_arg(const char* arg, T* out) {
  std::string raw;
  return crypto::from_hex(arg, &raw) && T::from(raw, out);
}

// The harness's outcome: encrypt_key(32) ‖ encrypt_nonce(24) ‖ decrypt_key(32) ‖ decrypt_nonce(24).
inline std::array<std::uint8_t, 112> outcome(const crypto::shs_session_keys& keys) {
  std::array<std::uint8_t, 112> out;
  auto* p = out.data();
  for (auto part : {keys.encrypt_key.view(), keys.encrypt_nonce.view(), keys.decrypt_key.view(),
                    keys.decrypt_nonce.view()}) {
    p = std::copy(part.begin(), part.end(), p);
  }
  return out;
}

// A peer that closes its end must not kill us with SIGPIPE: a failed write is a refusal.
inline void ignore_sigpipe() {
  std::signal(SIGPIPE, SIG_IGN);
}

}  // namespace zwerm::interop
