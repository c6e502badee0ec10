#include "store/sorted_batch.hpp"

#include <algorithm>
#include <numeric>

namespace zwerm::store {

void sorted_batch::write_to(leveldb::WriteBatch* wb) {
  std::vector<std::uint32_t> order(ops_.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return ops_[a].key < ops_[b].key; });
  for (std::uint32_t i : order) {
    const op& o = ops_[i];
    if (o.erase) {
      wb->Delete(o.key);
    } else {
      wb->Put(o.key, o.value);
    }
  }
}

}  // namespace zwerm::store
