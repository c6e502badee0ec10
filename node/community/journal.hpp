// The undo journal that lets the community state rewind cheaply (PROTOCOL.md §3.6 explains
// why rewinds happen; docs/ARCHITECTURE.md how they are bounded).
//
// Every mutation of the state goes through a journal call that records how to undo it. Entries
// are grouped per applied record (begin_record); undo_from(p) undoes, newest first, every
// record at position >= p. The journal keeps the undo entries of the last `limit` records;
// older groups are dropped and `floor()` then names the newest dropped position, below which
// no undo is possible (the replayer falls back to a snapshot checkpoint).
//
// Pointers captured by entries stay valid because the state never erases entity objects
// (tables are std::deque or node-based maps, only grown) and undo runs strictly in reverse.
// Not thread-safe; owned by one state.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <utility>

#include "node/community/position.hpp"

namespace zwerm::node::community {

class journal {
 public:
  explicit journal(std::size_t limit = 100'000) : limit_(limit) {}

  // Starts the group of the record at `p` (positions must increase between calls).
  void begin_record(const position& p);

  // field = value, undone by restoring the old value.
  template <class T, class U>
  void assign(T& field, U&& value) {
    undo_.emplace_back([p = &field, old = std::move(field)]() mutable { *p = std::move(old); });
    field = std::forward<U>(value);
  }
  // vec.push_back(value), undone by pop_back.
  template <class V, class T>
  void push_back(V& vec, T&& value) {
    vec.push_back(std::forward<T>(value));
    undo_.emplace_back([p = &vec] { p->pop_back(); });
  }
  // set.insert(key) for sets and maps (map: key -> default or given value); undone by erase.
  template <class S, class K>
  bool insert(S& set, K key) {
    bool inserted = set.insert(key).second;
    if (inserted) undo_.emplace_back([p = &set, key] { p->erase(key); });
    return inserted;
  }
  template <class M, class K, class V>
  typename M::mapped_type& emplace(M& map, const K& key, V&& value) {
    auto [it, inserted] = map.try_emplace(key, std::forward<V>(value));
    if (inserted) undo_.emplace_back([p = &map, key] { p->erase(key); });
    return it->second;
  }
  // set.erase(key), undone by inserting it again (sets only).
  template <class S, class K>
  bool erase(S& set, K key) {
    bool erased = set.erase(key) > 0;
    if (erased) undo_.emplace_back([p = &set, key] { p->insert(key); });
    return erased;
  }
  // Any other mutation: the caller supplies the undo action.
  void on_undo(std::function<void()> undo) { undo_.push_back(std::move(undo)); }

  // True when every record at position >= p can be undone.
  bool can_undo_from(const position& p) const { return !floor_ || *floor_ < p; }
  // Undoes every record group at position >= p, newest first. Requires can_undo_from(p).
  void undo_from(const position& p);
  // Forgets everything; `floor` is the position of the newest record that can no longer be
  // undone (nullopt: the state is empty, everything after the start is undoable).
  void reset(std::optional<position> floor);

  std::optional<position> floor() const { return floor_; }
  std::size_t records() const { return marks_.size(); }
  std::size_t entries() const { return undo_.size(); }
  void set_limit(std::size_t limit) { limit_ = limit; }

 private:
  struct mark {
    position pos;
    std::size_t start;  // absolute index of the group's first entry
  };
  void trim();

  std::size_t limit_;
  std::deque<std::function<void()>> undo_;
  std::size_t base_ = 0;  // absolute index of undo_.front()
  std::deque<mark> marks_;
  std::optional<position> floor_;
};

}  // namespace zwerm::node::community
