// Internal to store/*.cpp: a write batch that reaches LevelDB in key order.
//
// LevelDB inserts a WriteBatch into its memtable (a skip list) one operation at a time, in the
// order the operations were added. An ingest touches keys all over the key space (record ids
// are random, feeds interleave), so each insert walks the skip list from the top through
// nodes that are not in the CPU cache. Handing the operations over sorted by key lets each
// insert reuse the path of the one before, which made LevelDB's write of a 1,000-record batch
// about a quarter cheaper in CPU (docs/ARCHITECTURE.md, "Durability").
//
// Semantics are those of the WriteBatch the operations would otherwise have gone into: the
// sort is stable, so for one key the later operation still wins (a Delete after a Put of the
// same key in one ingest cancels the Put). The result is committed atomically, as before.
#pragma once

#include <leveldb/write_batch.h>

#include <string>
#include <string_view>
#include <vector>

namespace zwerm::store {

class sorted_batch {
 public:
  void put(std::string key, std::string_view value) {
    ops_.push_back({std::move(key), std::string(value), false});
  }
  void put(std::string key, std::string&& value) {
    ops_.push_back({std::move(key), std::move(value), false});
  }
  void del(std::string key) { ops_.push_back({std::move(key), {}, true}); }

  bool empty() const { return ops_.empty(); }

  // Appends every operation to `wb` in key order (ties in the order they were added).
  void write_to(leveldb::WriteBatch* wb);

 private:
  struct op {
    std::string key;
    std::string value;
    bool erase = false;
  };
  std::vector<op> ops_;
};

}  // namespace zwerm::store
