// Idle-slot flood: many TCP connections to a node's listener from several loopback source
// addresses that send nothing, or only the client's first handshake message (msg1, 64 bytes,
// made with the community's network key so that the server answers and waits for msg3), and
// then hang. A connection the server ends is dialed again after `redial_after`, so the flood
// keeps taking whatever slots come free, as a determined attacker would.
//
// Runs on a thread of its own with its own sockets (poll()); stats() may be called from any
// thread. The destructor stops the thread and closes every socket (with a reset).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/bytes.hpp"

namespace zwerm::bench::hostile {

struct flood_options {
  // Connections kept at once (each one dialed again when it ends). Default 500.
  std::size_t connections = 500;
  // Source addresses 127.0.0.<first_host> .. 127.0.0.<first_host + hosts - 1>, used in turn.
  // Defaults 2 and 16.
  int first_host = 2;
  int hosts = 16;
  // Every second connection sends msg1 and hangs; the others send nothing. False: all silent.
  // Default true.
  bool partial = true;
  // How long an ended connection waits before it is dialed again. Default 200 ms.
  std::chrono::milliseconds redial_after{200};
};

struct flood_stats {
  std::uint64_t connects = 0;         // TCP connects started
  std::uint64_t refused_at_once = 0;  // reset at accept (the address banned, or no slot free)
  std::uint64_t held = 0;             // closed by the server after holding a slot (a deadline)
  std::uint64_t answered = 0;         // connections that got msg2 (the server did the crypto)
  std::vector<double> hold_s;         // how long each held connection lasted
  std::size_t open_now = 0;           // connected and not ended
};

class slot_flood {
 public:
  slot_flood(flood_options options, std::uint16_t port, const crypto::network_key& network,
             const crypto::public_key& server);
  ~slot_flood();
  slot_flood(const slot_flood&) = delete;
  slot_flood& operator=(const slot_flood&) = delete;

  void start();
  void stop();
  flood_stats stats() const;

 private:
  void run();

  flood_options options_;
  std::uint16_t port_;
  std::string msg1_;  // one valid msg1, sent by every partial connection
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  flood_stats stats_;
};

}  // namespace zwerm::bench::hostile
