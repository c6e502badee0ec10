#include "node/community/replayer.hpp"

#include <algorithm>

#include "node/community/snapshot.hpp"

namespace zwerm::node::community {
namespace {

// Orders batch records (sorted by position) against positions, for the binary searches.
struct position_order {
  bool operator()(const record* r, const position& p) const { return position_of(*r) < p; }
  bool operator()(const position& p, const record* r) const { return p < position_of(*r); }
};
constexpr position_order position_before{};

}  // namespace

replayer::replayer(const community_id& community, replayer_options options)
    : community_(community),
      options_(options),
      state_(std::make_unique<state>(community, options.journal_limit)) {}

result<std::unique_ptr<replayer>> replayer::open(const community_id& community,
                                                 std::optional<std::string_view> snapshot,
                                                 const record_source& source,
                                                 replayer_options options) {
  auto r = std::make_unique<replayer>(community, options);
  if (snapshot) {
    auto decoded = decode_snapshot(*snapshot, options.journal_limit);
    if (!decoded.ok()) return decoded.error();
    if (decoded.value()->community() != community) {
      return status(status_code::corruption, "the community snapshot belongs to another community");
    }
    r->state_ = std::move(decoded.value());
    r->checkpoints_.push_back({r->state_->head(), std::string(*snapshot)});
    r->last_checkpoint_applied_ = r->last_persist_applied_ = r->state_->applied();
  }
  std::vector<const record*> none;
  absorb_result ignored;
  if (auto s = r->replay(none, source, &ignored); !s.ok()) return s;
  return r;
}

result<absorb_result> replayer::absorb(std::span<const record> batch, const record_source& source) {
  std::vector<const record*> sorted;
  sorted.reserve(batch.size());
  for (const record& r : batch) {
    if (r.community == community_) sorted.push_back(&r);
  }
  absorb_result out;
  if (sorted.empty()) return out;
  std::sort(sorted.begin(), sorted.end(), [](const record* a, const record* b) {
    auto pa = position_of(*a), pb = position_of(*b);
    return pa != pb ? pa < pb : a->id < b->id;
  });
  out.earliest = position_of(*sorted.front());
  auto head = state_->head();
  if (head && *out.earliest <= *head) {
    if (auto s = rewind_before(*out.earliest, &out); !s.ok()) return s;
  }
  if (auto s = replay(sorted, source, &out); !s.ok()) return s;
  maybe_checkpoint();
  return out;
}

std::uint64_t replayer::replay_cost(const position& p) const {
  auto head = state_->head();
  if (!head || p > *head) return 0;
  if (state_->can_rewind_to(p)) return state_->undo_journal().records_from(p);
  return state_->applied();
}

result<absorb_result> replayer::mark_forked(const member_id& author, const fork_point& fork,
                                            const record_source& source) {
  absorb_result out;
  auto before = state_->forks();
  state_->set_fork(author, fork);
  if (state_->forks() == before) return out;  // nothing new
  auto it = state_->forks().find(author);
  position p{it->second.lamport, author, it->second.seq};
  out.earliest = p;
  auto head = state_->head();
  if (head && p <= *head) {
    if (auto s = rewind_before(p, &out); !s.ok()) return s;
    std::vector<const record*> none;
    if (auto s = replay(none, source, &out); !s.ok()) return s;
  }
  maybe_checkpoint();
  return out;
}

status replayer::rewind_before(const position& p, absorb_result* out) {
  out->rewound = true;
  // Checkpoints at or after p lack a record (or a fork) that sorts before their head.
  while (!checkpoints_.empty() && checkpoints_.back().head && *checkpoints_.back().head >= p) {
    checkpoints_.pop_back();
  }
  if (state_->can_rewind_to(p)) {
    state_->rewind_to(p);
    return {};
  }
  out->used_checkpoint = true;
  auto forks = state_->forks();
  std::unique_ptr<state> fresh;
  if (!checkpoints_.empty()) {
    auto decoded = decode_snapshot(checkpoints_.back().bytes, options_.journal_limit);
    if (!decoded.ok()) return decoded.error();
    fresh = std::move(decoded.value());
  } else {
    fresh = std::make_unique<state>(community_, options_.journal_limit);
  }
  fresh->set_forks(std::move(forks));
  state_ = std::move(fresh);
  last_checkpoint_applied_ = std::min(last_checkpoint_applied_, state_->applied());
  return {};
}

status replayer::replay(std::vector<const record*>& batch, const record_source& source,
                        absorb_result* out) {
  std::size_t next = 0;
  auto apply = [&](const record& r) {
    auto head = state_->head();
    if (head && position_of(r) <= *head) return;  // already applied (duplicate)
    state_->apply(r);
    ++out->applied;
  };
  auto head = state_->head();
  // Batch records at or before the head are duplicates of applied ones.
  while (next < batch.size() && head && position_of(*batch[next]) <= *head) ++next;
  bool needs_source = out->rewound;
  if (!needs_source && out->earliest == std::nullopt && batch.empty()) needs_source = true;  // open
  if (needs_source) {
    // The batch's own records are in the store too: the source need not read them again.
    const position_filter needed = [&](const position& p) {
      return !std::binary_search(batch.begin() + static_cast<std::ptrdiff_t>(next), batch.end(), p,
                                 position_before);
    };
    status st = source(head, needed, [&](const record& r) {
      if (r.community != community_) return true;
      position p = position_of(r);
      while (next < batch.size() && position_of(*batch[next]) < p) apply(*batch[next++]);
      while (next < batch.size() && position_of(*batch[next]) == p) ++next;  // same record
      apply(r);
      ++out->replayed;
      return true;
    });
    if (!st.ok()) return st;
  }
  while (next < batch.size()) apply(*batch[next++]);
  return {};
}

void replayer::maybe_checkpoint() {
  if (state_->applied() < last_checkpoint_applied_ + options_.checkpoint_interval) return;
  checkpoints_.push_back({state_->head(), encode_snapshot(*state_)});
  last_checkpoint_applied_ = state_->applied();
  if (checkpoints_.size() > options_.max_checkpoints) checkpoints_.erase(checkpoints_.begin());
}

bool replayer::persist_due() const {
  return state_->applied() >= last_persist_applied_ + options_.persist_interval;
}

std::string replayer::persist_snapshot() {
  last_persist_applied_ = state_->applied();
  std::string bytes = encode_snapshot(*state_, last_persist_bytes_ + last_persist_bytes_ / 8);
  last_persist_bytes_ = bytes.size();
  return bytes;
}

}  // namespace zwerm::node::community
