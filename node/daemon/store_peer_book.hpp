// peer_persistence over the store's peers table, one community per object.
//
// The store's peers table maps an opaque address to an opaque blob for the whole node. This
// adapter gives each community its own part of it: the stored address is
//   community id (32 raw bytes) ‖ canonical "host:port"
// so that the same address known in two communities is two entries with their own backoff,
// bans and sources. The table belongs to the peer managers; nothing else should write it.
//
// Threads: the store's writes must come from its single writer thread (zwermd: the I/O
// thread, which also runs the managers). Borrows the store, which must outlive it.
#pragma once

#include "base/bytes.hpp"
#include "node/peers/persistence.hpp"
#include "store/store.hpp"

namespace zwerm::node::peers {

class store_peer_book final : public peer_persistence {
 public:
  store_peer_book(store::store& s, const community_id& community);

  // Reads the whole table and keeps this community's entries (the table holds at most a few
  // hundred entries per community).
  result<std::vector<stored_peer>> load() override;
  status save(const std::string& address, const std::string& info) override;
  status erase(const std::string& address) override;

 private:
  std::string key_of(const std::string& address) const;

  store::store& store_;
  community_id community_;
};

}  // namespace zwerm::node::peers
