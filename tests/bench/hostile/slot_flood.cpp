#include "tests/bench/hostile/slot_flood.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "crypto/shs.hpp"
#include "crypto/sign.hpp"

namespace zwerm::bench::hostile {
namespace {

using clock_type = std::chrono::steady_clock;

struct slot {
  enum class phase { idle, connecting, holding } state = phase::idle;
  int fd = -1;
  std::string source;
  bool partial = false;
  bool answered = false;        // msg2 arrived on this connection
  clock_type::time_point at{};  // idle: when to dial; holding: when the connect completed
};

// Closes with a reset: the flood leaves no TIME_WAIT behind on either side.
void close_hard(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

int start_connect(const std::string& source, std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0 ||
      (::connect(fd, reinterpret_cast<const sockaddr*>(&remote), sizeof remote) != 0 &&
       errno != EINPROGRESS)) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

slot_flood::slot_flood(flood_options options, std::uint16_t port,
                       const crypto::network_key& network, const crypto::public_key& server)
    : options_(options), port_(port) {
  crypto::shs_client shs(network, crypto::generate_key_pair(), server);
  const auto hello = shs.hello();
  msg1_.assign(reinterpret_cast<const char*>(hello.data()), hello.size());
}

slot_flood::~slot_flood() {
  stop();
}

void slot_flood::start() {
  stop_ = false;
  thread_ = std::thread([this] { run(); });
}

void slot_flood::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

flood_stats slot_flood::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void slot_flood::run() {
  std::vector<slot> slots(options_.connections);
  for (std::size_t i = 0; i < slots.size(); ++i) {
    slots[i].source =
        "127.0.0." + std::to_string(options_.first_host + static_cast<int>(i) % options_.hosts);
    slots[i].partial = options_.partial && (i / options_.hosts) % 2 == 1;
  }
  std::vector<pollfd> fds;
  std::vector<std::size_t> which;
  while (!stop_) {
    const auto now = clock_type::now();
    std::uint64_t connects = 0, refused = 0, held = 0, answered = 0;
    std::vector<double> holds;
    // A reset is the listener refusing at accept (banned, or over a limit: it closes with
    // SO_LINGER 0 before reading anything); an orderly close (EOF) is a session that held a
    // slot until A ended it at a deadline.
    auto ended = [&](slot& s, clock_type::time_point when, bool reset) {
      const double d = std::chrono::duration<double>(when - s.at).count();
      if (s.state == slot::phase::connecting || reset) {
        ++refused;
      } else {
        ++held;
        holds.push_back(d);
      }
      close_hard(s.fd);
      s.fd = -1;
      s.state = slot::phase::idle;
      s.at = when + options_.redial_after;
    };
    for (auto& s : slots) {
      if (s.state != slot::phase::idle || s.at > now) continue;
      s.fd = start_connect(s.source, port_);
      ++connects;
      if (s.fd < 0) {
        s.at = now + options_.redial_after;
        ++refused;
        continue;
      }
      s.state = slot::phase::connecting;
      s.at = now;
    }
    fds.clear();
    which.clear();
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (slots[i].state == slot::phase::idle) continue;
      fds.push_back(
          {slots[i].fd,
           static_cast<short>(slots[i].state == slot::phase::connecting ? POLLOUT : POLLIN), 0});
      which.push_back(i);
    }
    ::poll(fds.data(), fds.size(), 20);
    const auto after = clock_type::now();
    for (std::size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents == 0) continue;
      slot& s = slots[which[k]];
      if (s.state == slot::phase::connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0 || (fds[k].revents & (POLLERR | POLLHUP))) {
          ended(s, after, true);
          continue;
        }
        s.state = slot::phase::holding;
        s.at = after;
        s.answered = false;
        if (s.partial) ::send(s.fd, msg1_.data(), msg1_.size(), MSG_NOSIGNAL);
        continue;
      }
      char buf[256];
      const ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
      if (n > 0) {
        // msg2: the server answered our msg1 (its crypto) and now waits for msg3.
        if (!s.answered) ++answered;
        s.answered = true;
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      ended(s, after, n < 0);
    }
    std::size_t open = 0;
    for (const auto& s : slots) open += s.state == slot::phase::holding;
    std::lock_guard lock(mutex_);
    stats_.connects += connects;
    stats_.refused_at_once += refused;
    stats_.held += held;
    stats_.answered += answered;
    stats_.hold_s.insert(stats_.hold_s.end(), holds.begin(), holds.end());
    stats_.open_now = open;
  }
  for (auto& s : slots) {
    if (s.fd >= 0) close_hard(s.fd);
  }
  std::lock_guard lock(mutex_);
  stats_.open_now = 0;
}

}  // namespace zwerm::bench::hostile
