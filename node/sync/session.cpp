#include "node/sync/session.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <type_traits>
#include <utility>

namespace zwerm::node::sync {
namespace {

// The first digest_prefix_size bytes of a bucket digest or a head's record id.
template <class Tag>
digest_prefix prefix_of(const crypto::fixed_bytes<32, Tag>& d) {
  digest_prefix p;
  std::memcpy(p.data(), d.data(), digest_prefix_size);
  return p;
}

std::uint8_t bucket_of(const member_id& author) {
  return author.bytes[0];
}

}  // namespace

session::session(engine& e, session_id id, const member_id& peer, bool dialer, message_sink& sink)
    : engine_(e), id_(id), peer_(peer), dialer_(dialer), sink_(sink) {}

void session::send(const message& m) {
  std::string bytes = encode(m, version_);
  ++stats_.messages_sent;
  stats_.bytes_sent += bytes.size();
  sink_.send(std::move(bytes));
}

void session::fail(misbehaviour_kind kind, std::string reason) {
  if (stats_.closed) return;
  const bool keep_open = kind == misbehaviour_kind::forked;
  if (!keep_open) stats_.closed = true;
  engine_.report(*this, {kind, std::move(reason)});
}

bool session::local_ok(const status& st) {
  if (st.ok()) return true;
  if (!stats_.closed) {
    stats_.closed = true;
    engine_.local_error(*this, st);
  }
  return false;
}

void session::learn(const member_id& author, std::uint64_t seq) {
  auto& k = known_[author];
  k = std::max(k, seq);
}

bool session::learn_claim(const member_id& author, std::uint64_t seq) {
  if (known_.size() >= engine_.opts_.max_feeds_per_session && !known_.count(author)) {
    fail(misbehaviour_kind::protocol_violation,
         "peer claims more than " + std::to_string(engine_.opts_.max_feeds_per_session) + " feeds");
    return false;
  }
  learn(author, seq);
  return true;
}

bool session::spend(const char* what) {
  if (++served_this_period_ <= engine_.opts_.max_requests_per_period) return true;
  fail(misbehaviour_kind::protocol_violation,
       std::string(what) + ": more than " + std::to_string(engine_.opts_.max_requests_per_period) +
           " probes, rounds and peer requests in one anti-entropy period");
  return false;
}

std::uint64_t session::known(const member_id& author) const {
  auto it = known_.find(author);
  return it == known_.end() ? 0 : it->second;
}

void session::start() {
  auto digest = engine_.replica_.frontier_digest();
  if (!local_ok(digest.error())) return;
  hello h;
  h.max_version = engine_.opts_.max_version;
  h.community = engine_.replica_.community();
  h.frontier = *digest;
  send(h);
}

void session::receive(std::string_view bytes) {
  if (stats_.closed) return;
  ++stats_.messages_received;
  stats_.bytes_received += bytes.size();
  // A message of an optional type this node does not know (a newer peer's): ignored once the
  // hellos are done. Before the hello it is refused like anything but a hello.
  if (stats_.hello_received && !bytes.empty() && is_optional(static_cast<std::uint8_t>(bytes[0]))) {
    ++stats_.optional_ignored;
    return;
  }
  auto decoded = decode(bytes, stats_.hello_received ? version_ : max_protocol_version);
  if (!decoded) {
    fail(misbehaviour_kind::malformed_message, decoded.error().message());
    return;
  }
  const bool is_hello = std::holds_alternative<hello>(*decoded);
  if (!stats_.hello_received && !is_hello) {
    fail(misbehaviour_kind::protocol_violation,
         std::string(name_of(type_of(*decoded))) + " message before hello");
    return;
  }
  if (stats_.hello_received && is_hello) {
    fail(misbehaviour_kind::protocol_violation, "second hello on one connection");
    return;
  }
  std::visit([this](auto& m) { on(m); }, *decoded);
  if (!stats_.closed) flush_wants();
}

// --- frontier and reconciliation ---------------------------------------------------------

void session::on(const hello& m) {
  if (m.community != engine_.replica_.community()) {
    fail(misbehaviour_kind::protocol_violation,
         "hello names another community than the one this connection is for");
    return;
  }
  // The highest version both sides speak; none: close, naming both ranges (not misbehaviour).
  const std::uint8_t lo = std::max(m.min_version, min_protocol_version);
  const std::uint8_t hi = std::min(m.max_version, engine_.opts_.max_version);
  if (lo > hi) {
    fail(misbehaviour_kind::incompatible,
         "no common protocol version: this node speaks " + std::to_string(min_protocol_version) +
             ".." + std::to_string(engine_.opts_.max_version) + ", the peer " +
             std::to_string(m.min_version) + ".." + std::to_string(m.max_version));
    return;
  }
  version_ = hi;
  stats_.version = hi;
  stats_.hello_received = true;
  if (!relay_pending_.empty()) relay(std::exchange(relay_pending_, {}));
  if (engine_.cbs_.on_ready) engine_.cbs_.on_ready(id_);
  if (stats_.closed) return;
  // The dialer leads the first round; the other side answers its buckets.
  buckets_expected_ = !dialer_;
  compare_frontier(m.frontier, dialer_);
}

void session::compare_frontier(const frontier_digest& theirs, bool lead) {
  auto ours = engine_.replica_.frontier_digest();
  if (!local_ok(ours.error())) return;
  stats_.in_sync = *ours == theirs;
  if (!stats_.in_sync && lead && !stats_.restricted) start_round();
}

void session::set_restricted(bool restricted) {
  const bool lifted = stats_.restricted && !restricted;
  stats_.restricted = restricted;
  // Reconcile now: a probe, so that this node leads the round that follows (§5.4, §5.7).
  if (lifted) probe();
}

void session::probe() {
  // One probe open at a time: a second answer would be one the peer was not asked for.
  if (!ready() || stats_.restricted || probe_open_) return;
  auto ours = engine_.replica_.frontier_digest();
  if (!local_ok(ours.error())) return;
  probe_open_ = true;
  send(frontier{*ours, true});
}

void session::on(const frontier& m) {
  if (m.reply_wanted) {
    if (!spend("frontier probe")) return;
    auto ours = engine_.replica_.frontier_digest();
    if (!local_ok(ours.error())) return;
    stats_.in_sync = *ours == m.digest;
    // The prober leads a round when the digests differ.
    buckets_expected_ = true;
    send(frontier{*ours, false});
    return;
  }
  if (!probe_open_) {
    fail(misbehaviour_kind::protocol_violation, "frontier answer without a probe");
    return;
  }
  probe_open_ = false;
  compare_frontier(m.digest, true);
}

void session::start_round() {
  auto digests = engine_.replica_.bucket_digests();
  if (!local_ok(digests.error())) return;
  buckets b;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    const auto& d = (*digests)[i];
    if (d.is_zero()) continue;
    b.non_empty.set(i);
    b.digests.push_back(prefix_of(d));
  }
  round_open_ = true;
  heads_expected_ = true;
  send(b);
}

void session::on(const buckets& m) {
  // Answering buckets costs this node its heads of every differing bucket (about 50 bytes a
  // feed): only the round the protocol expects is served, and only within the budget.
  if (!buckets_expected_) {
    fail(misbehaviour_kind::protocol_violation,
         "buckets without a round: the peer neither dialed nor probed before it");
    return;
  }
  buckets_expected_ = false;
  if (!spend("reconciliation round")) return;
  if (stats_.restricted) return;  // nothing of the log for a peer that is not a member yet
  auto digests = engine_.replica_.bucket_digests();
  if (!local_ok(digests.error())) return;
  bucket_set differ;
  std::size_t k = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    const auto& ours = (*digests)[i];
    bool we_have = !ours.is_zero();
    bool they_have = m.non_empty.test(i);
    if (they_have) {
      if (!we_have || prefix_of(ours) != m.digests[k]) differ.set(i);
      ++k;
    } else if (we_have) {
      differ.set(i);
    }
  }
  stats_.in_sync = differ.none();
  if (differ.none()) return;
  // Heads not sent on this session yet are the catch-up the peer asks for: a few such rounds
  // per key and period, across its sessions. A peer that reconnects to ask for them again gets
  // no answer to this round (not misbehaviour: an honest node may redial after a drop); this
  // node probes at the next period and leads the round then.
  if ((differ & ~unchanged_since_sent(*digests)).any() && !engine_.take_full_round(peer_)) {
    ++stats_.rounds_deferred;
    round_deferred_ = true;
    return;
  }
  send_heads(differ, *digests);
  heads_expected_ = true;
  send(heads_request{differ});
}

bucket_set session::unchanged_since_sent(const std::array<crypto::digest, 256>& digests) const {
  bucket_set same;
  for (std::size_t b = 0; b < bucket_count; ++b) {
    if (heads_sent_digest_[b] == prefix_of(digests[b])) same.set(b);
  }
  return same;
}

void session::on(const heads_request& m) {
  if (!round_open_) {
    fail(misbehaviour_kind::protocol_violation, "heads_request without a reconciliation round");
    return;
  }
  round_open_ = false;
  auto digests = engine_.replica_.bucket_digests();
  if (!local_ok(digests.error())) return;
  send_heads(m.which, *digests);
}

void session::send_heads(const bucket_set& which, const std::array<crypto::digest, 256>& digests) {
  // A bucket whose heads went on this session and whose digest has not changed since is left
  // out: the peer has them already (it keeps what it learned for the session).
  const bucket_set to_send = which & ~unchanged_since_sent(digests);
  heads h;
  std::size_t size = 1 + 3;  // type + a count varint of up to 3 bytes
  for (std::size_t b = 0; b < bucket_count; ++b) {
    if (!to_send.test(b)) continue;
    heads_sent_digest_[b] = prefix_of(digests[b]);
    auto hs = engine_.replica_.bucket_heads(static_cast<std::uint8_t>(b));
    if (!local_ok(hs.error())) return;
    for (const auto& fh : *hs) {
      head_entry e{fh.author, fh.seq, prefix_of(fh.id), fh.forked};
      std::size_t add = 32 + varint_size(e.seq) + digest_prefix_size + (version_ >= 2 ? 1 : 0);
      if (!h.entries.empty() && size + add > engine_.opts_.heads_message_bytes) {
        send(h);
        h.entries.clear();
        size = 1 + 3;
      }
      h.entries.push_back(e);
      size += add;
    }
  }
  if (!h.entries.empty()) send(h);
}

void session::on(const heads& m) {
  if (!heads_expected_) {
    fail(misbehaviour_kind::protocol_violation, "heads without a reconciliation round");
    return;
  }
  // Our own heads of the buckets this message touches, for the equal-seq fork check.
  std::map<std::uint8_t, std::vector<feed_head>> ours;
  for (const auto& e : m.entries) {
    if (!learn_claim(e.author, e.seq)) return;
    auto b = bucket_of(e.author);
    if (!ours.count(b)) {
      auto hs = engine_.replica_.bucket_heads(b);
      if (!local_ok(hs.error())) return;
      ours.emplace(b, std::move(*hs));
    }
    const auto& list = ours[b];
    auto it = std::lower_bound(list.begin(), list.end(), e.author,
                               [](const feed_head& h, const member_id& a) { return h.author < a; });
    std::uint64_t our_seq = (it != list.end() && it->author == e.author) ? it->seq : 0;
    if (e.seq > our_seq) {
      engine_.want_feed(*this, e.author, e.seq);
    } else if (e.seq == our_seq && prefix_of(it->id) != e.id) {
      // Same seq, another record: the author forked.
      trace_fork(e.author);
    }
    if (stats_.closed) return;
  }
}

// --- peer exchange -----------------------------------------------------------------------

void session::request_peers() {
  if (!ready() || peers_asked_) return;
  peers_asked_ = true;
  send(peers_request{});
}

void session::on(const peers_request&) {
  if (!spend("peer request")) return;
  // Not a catch-up: the answer may carry at most 4 bytes per message byte received on this
  // session (QUIC's anti-amplification limit, §5.8); the own address first, then a random
  // choice of the others, so that each session learns different ones.
  const std::uint64_t credit = 4 * stats_.bytes_received;
  std::size_t size = 1 + 1;  // type + count
  peers p;
  if (engine_.cbs_.addresses_to_share && !stats_.restricted) {
    auto all = engine_.cbs_.addresses_to_share();
    if (all.size() > 2) std::shuffle(all.begin() + 1, all.end(), engine_.rng_);
    for (auto& a : all) {
      if (p.entries.size() >= max_peers_per_message) break;
      if (a.address.empty() || a.address.size() > max_address_size) continue;
      const std::size_t add = 32 + 1 + a.address.size();
      if (peers_bytes_sent_ + size + add > credit) break;
      size += add;
      p.entries.push_back(std::move(a));
    }
  }
  peers_bytes_sent_ += size;
  send(p);
}

void session::on(const fork_proof& m) {
  // Both records of one feed and seq (the decoder made sure they differ); the replica checks
  // the signatures and keeps the one it lacks as proof, as for relayed live records.
  auto a = engine_.replica_.peek(m.first);
  auto b = engine_.replica_.peek(m.second);
  if (!a || !b) {
    fail(misbehaviour_kind::bad_record,
         "fork_proof: malformed record: " + (a ? b.error() : a.error()).message());
    return;
  }
  if (a->author != b->author || a->seq != b->seq) {
    fail(misbehaviour_kind::bad_record,
         "fork_proof: the two records are of different feeds or seqs");
    return;
  }
  records first{true, {m.first}};
  on(first);
  if (stats_.closed) return;
  records second{true, {m.second}};
  on(second);
}

void session::on(const peers& m) {
  // Addresses are hints a node asked for: an unsolicited list would let any peer fill the
  // exchange table and steer this node's dials.
  if (!peers_asked_) {
    fail(misbehaviour_kind::protocol_violation, "peers without a peers_request");
    return;
  }
  peers_asked_ = false;
  if (engine_.cbs_.on_peers) engine_.cbs_.on_peers(id_, m.entries);
}

}  // namespace zwerm::node::sync
