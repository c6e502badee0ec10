#include "node/community/journal.hpp"

#include <algorithm>

namespace zwerm::node::community {

void journal::begin_record(const position& p) {
  marks_.push_back({p, base_ + undo_.size()});
  if (marks_.size() > limit_) trim();
}

void journal::trim() {
  // Drop groups in bulk (a tenth of the limit at a time) so trimming costs O(1) amortised.
  std::size_t drop = marks_.size() - limit_ + limit_ / 10;
  if (drop >= marks_.size()) drop = marks_.size() - 1;
  for (std::size_t i = 0; i < drop; ++i) {
    floor_ = marks_.front().pos;
    marks_.pop_front();
  }
  std::size_t keep_from = marks_.front().start;
  while (base_ < keep_from) {
    undo_.pop_front();
    ++base_;
  }
}

std::size_t journal::undo_from(const position& p) {
  std::size_t undone = 0;
  while (!marks_.empty() && marks_.back().pos >= p) {
    std::size_t start = marks_.back().start;
    while (base_ + undo_.size() > start) {
      undo_.back().run();
      undo_.pop_back();
    }
    marks_.pop_back();
    ++undone;
  }
  return undone;
}

std::size_t journal::records_from(const position& p) const {
  auto first = std::lower_bound(marks_.begin(), marks_.end(), p,
                                [](const mark& m, const position& q) { return m.pos < q; });
  return static_cast<std::size_t>(marks_.end() - first);
}

void journal::reset(std::optional<position> floor) {
  undo_.clear();
  marks_.clear();
  base_ = 0;
  floor_ = floor;
}

}  // namespace zwerm::node::community
