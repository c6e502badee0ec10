// The seam through which a peer manager keeps what it learned across restarts. The daemon
// backs it with the store's peers table (store_peer_book.hpp); tests use a map.
//
// Keys are canonical dial addresses (address.hpp), values the blobs of encode_info(). One
// persistence object serves one community: the manager never sees another community's entries.
// Called on the manager's thread only.
#pragma once

#include <string>
#include <vector>

#include "base/status.hpp"

namespace zwerm::node::peers {

struct stored_peer {
  std::string address;
  std::string info;
};

class peer_persistence {
 public:
  virtual ~peer_persistence() = default;
  // Every entry of this community. Errors: the backing store's (io_error, corruption).
  virtual result<std::vector<stored_peer>> load() = 0;
  // Inserts or replaces one entry. Errors: the backing store's.
  virtual status save(const std::string& address, const std::string& info) = 0;
  // Removes one entry (absent is fine). Errors: the backing store's.
  virtual status erase(const std::string& address) = 0;
};

}  // namespace zwerm::node::peers
