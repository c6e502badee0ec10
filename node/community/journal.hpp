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
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "node/community/position.hpp"

namespace zwerm::node::community {

// One undo action. Small actions (a pointer and an old value up to 48 bytes: almost all of
// them) live inline, so journaling a mutation does not allocate.
class undo_entry {
 public:
  template <class F>
  explicit undo_entry(F&& f) {
    using T = std::decay_t<F>;
    if constexpr (sizeof(T) <= sizeof(buf_) && alignof(T) <= alignof(std::max_align_t)) {
      new (buf_) T(std::forward<F>(f));
      ops_ = &inline_ops<T>;
    } else {
      new (buf_) T*(new T(std::forward<F>(f)));
      ops_ = &heap_ops<T>;
    }
  }
  undo_entry(const undo_entry&) = delete;
  undo_entry& operator=(const undo_entry&) = delete;
  ~undo_entry() { ops_->destroy(buf_); }
  void run() { ops_->run(buf_); }

 private:
  struct ops {
    void (*run)(void*);
    void (*destroy)(void*);
  };
  template <class T>
  static constexpr ops inline_ops = {[](void* p) { (*std::launder(static_cast<T*>(p)))(); },
                                     [](void* p) { std::launder(static_cast<T*>(p))->~T(); }};
  template <class T>
  static constexpr ops heap_ops = {[](void* p) { (**static_cast<T**>(p))(); },
                                   [](void* p) { delete *static_cast<T**>(p); }};

  const ops* ops_;
  alignas(std::max_align_t) unsigned char buf_[48];
};

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
  template <class F>
  void on_undo(F&& undo) {
    undo_.emplace_back(std::forward<F>(undo));
  }

  // True when every record at position >= p can be undone.
  bool can_undo_from(const position& p) const { return !floor_ || *floor_ < p; }
  // Undoes every record group at position >= p, newest first, and returns how many groups
  // were undone. Requires can_undo_from(p).
  std::size_t undo_from(const position& p);
  // How many record groups undo_from(p) would undo (binary search; changes nothing).
  std::size_t records_from(const position& p) const;
  // Position of the newest record still applied: the newest group, else the floor.
  std::optional<position> last() const {
    return marks_.empty() ? floor_ : std::optional<position>(marks_.back().pos);
  }
  // Forgets everything; `floor` is the position of the newest record that can no longer be
  // undone (nullopt: the state is empty, everything after the start is undoable).
  void reset(std::optional<position> floor);

  std::optional<position> floor() const { return floor_; }
  std::size_t records() const { return marks_.size(); }
  std::size_t entries() const { return undo_.size(); }
  void set_limit(std::size_t limit) { limit_ = limit; }
  std::size_t limit() const { return limit_; }

 private:
  struct mark {
    position pos;
    std::size_t start;  // absolute index of the group's first entry
  };
  void trim();

  std::size_t limit_;
  std::deque<undo_entry> undo_;
  std::size_t base_ = 0;  // absolute index of undo_.front()
  std::deque<mark> marks_;
  std::optional<position> floor_;
};

}  // namespace zwerm::node::community
