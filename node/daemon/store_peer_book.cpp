#include "node/daemon/store_peer_book.hpp"

namespace zwerm::node::peers {

store_peer_book::store_peer_book(store::store& s, const community_id& community)
    : store_(s), community_(community) {}

std::string store_peer_book::key_of(const std::string& address) const {
  return community_.str() + address;
}

result<std::vector<stored_peer>> store_peer_book::load() {
  auto all = store_.peers();
  if (!all.ok()) return all.error();
  std::vector<stored_peer> out;
  const std::string_view prefix = community_.view();
  for (store::known_peer& p : *all) {
    if (p.address.size() <= prefix.size() || !std::string_view(p.address).starts_with(prefix)) {
      continue;
    }
    out.push_back({p.address.substr(prefix.size()), std::move(p.info)});
  }
  return out;
}

status store_peer_book::save(const std::string& address, const std::string& info) {
  return store_.put_peer({key_of(address), info});
}

status store_peer_book::erase(const std::string& address) {
  return store_.erase_peer(key_of(address));
}

}  // namespace zwerm::node::peers
