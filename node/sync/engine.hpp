// The sync protocol for one community on one node (docs/PROTOCOL.md §5).
//
// An engine owns the per-connection sync state of every peer connected for its community and
// the node-level bookkeeping between them: which feed is being fetched from which peer, which
// newly stored records go to which peer (eager push or a `have` announcement), and the
// periodic anti-entropy probe. Every input is a plain function call; every output is a call on
// a message_sink or a callback. No sockets, no timers, no threads: the daemon maps net/'s
// connected / message / closed events onto attach / on_message / detach and calls
// anti_entropy() from a timer; tests and the simulator do the same with in-memory queues.
//
// Ownership: the engine borrows the replica and every sink; both must outlive the engine (a
// sink: until detach() of its session). Threads: one thread (zwermd: the I/O executor); no
// call may run concurrently with another. Callbacks run synchronously inside engine calls and
// may call detach() (also for the session being handled: the engine defers the removal).
//
// Received records go to replica::ingest_async. With a replica that answers later (zwermd's
// store_replica over node::ingest_queue) the engine keeps receiving meanwhile: the next
// streamed message of a feed is checked against the feed including the messages still being
// ingested, the peer's bytes are acknowledged (opening its window again) only when their
// report is in, and peer faults are reported then. session_stats::ingesting_bytes tells the
// owner how much of a session waits, for receive-side flow control.
//
// Errors: malformed or rule-breaking peer input never throws and never asserts: the session
// is marked closed (it ignores all further input), on_misbehaviour reports it, and the owner
// closes the connection and decides on a ban. Local replica failures close the session too
// and are reported through on_local_error.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "node/sync/messages.hpp"
#include "node/sync/replica.hpp"

namespace zwerm::node::sync {

class session;
using session_id = std::uint64_t;

// Where a session's outgoing sync messages go (net/: one message of the message layer each).
class message_sink {
 public:
  virtual ~message_sink() = default;
  // One encoded sync message. Must not call back into the engine.
  virtual void send(std::string message) = 0;
};

enum class misbehaviour_kind {
  malformed_message,   // the decoder refused a message
  protocol_violation,  // a well-formed message at the wrong time or with wrong content
  bad_record,          // a record that is malformed, badly signed or of another community
  out_of_order,        // a streamed record past a gap in its feed
  bad_chain,           // a record whose prev or lamport does not fit the feed
  forked,              // a record conflicting with one held: kept as proof. Honest peers
                       // relay fork proofs, so the daemon marks rather than bans for this one
                       // and the session stays open.
  incompatible,        // the hellos share no protocol version: not misbehaviour, close only
};
// Not misbehaviour: records that go on from the other side of a forked feed
// (ingest_outcome::fork_continuation) are refused quietly, the session stays open, and the
// engine stops fetching that feed from that peer while this node's head of it stays where it
// was (see engine::fork_continued), so that the two sides do not send them again every round.
const char* to_string(misbehaviour_kind k);

struct misbehaviour {
  misbehaviour_kind kind = misbehaviour_kind::protocol_violation;
  std::string reason;  // a sentence for the log
};

// May a feed this node does not hold begin with this record (its seq 1)? Asked of the owner
// (engine_callbacks::first_record), which knows the community's rules: a feed opens only with
// the genesis or with a join that redeems an invite (PROTOCOL.md §5.10).
enum class authority {
  admit,    // store it (the full checks still follow in the replica)
  unknown,  // the invite it redeems is not known yet: hold the feed aside and ask again
  refuse,   // it can never open a feed: the sender misbehaves
};
struct authority_verdict {
  authority verdict = authority::admit;
  std::string reason;  // for refuse: a sentence for the log
};

struct engine_options {
  // Most record bytes sent on one session and not yet acknowledged. Default 512 KiB.
  std::size_t window_bytes = 512 * 1024;
  // Record bytes packed into one `records` message during catch-up (a message can exceed it
  // by at most one record). Default 60 KiB.
  std::size_t batch_bytes = 60 * 1024;
  // Largest `heads` message sent; more heads are split over several. Default 64 KiB.
  std::size_t heads_message_bytes = 64 * 1024;
  // A newly stored record goes in full to at most this many connected peers not known to
  // have it, and as a `have` announcement to the others. Default 2 (see PERFORMANCE.md).
  std::size_t eager_push_peers = 2;
  // Feeds one peer may have us stream at once; more is a protocol violation. Default 65,536.
  std::size_t max_streams_per_session = 65'536;
  // Feeds a peer may claim to hold (heads, have) on one connection; more is a protocol
  // violation. Bounds the memory a peer can make this node spend. Default 100,000.
  std::size_t max_feeds_per_session = 100'000;
  // Records of feeds whose authority is unknown (authority::unknown) held per session until
  // the invite they redeem arrives: at most this many feeds and bytes. Past either bound the
  // feed is dropped quietly (not stored, fetched again in a later round); a held feed
  // expires after two anti-entropy periods. Defaults 2,048 feeds, 4 MiB (a joiner's catch-up
  // may meet a heads message's worth of joins before the feed that holds their invites).
  std::size_t max_waiting_feeds = 2048;
  std::size_t max_waiting_bytes = std::size_t{4} << 20;
  // Feeds of unknown authority one peer may have dropped (the waiting area full, or a held feed
  // expired) per anti-entropy period; more is misbehaviour. An honest peer streams an
  // inviter's feed before the joins it admitted, so it rarely meets any. Default 2,048.
  std::size_t max_dropped_feeds_per_period = 2048;
  // Heavy requests one peer may make per anti-entropy period (between two anti_entropy()
  // calls): frontier probes answered, reconciliation rounds served (buckets received) and
  // peer lists sent, together. An honest peer with the same period makes at most about three
  // (its probe, the round after it, now and then a peer request); the bound leaves room for
  // periods that do not line up (a busy node's timer runs late). More is misbehaviour.
  // Default 8.
  std::uint32_t max_requests_per_period = 8;
  // Reconciliation rounds per peer key and anti-entropy period, across all its sessions, in
  // which this node sends heads the session has not carried yet. A peer that reconnects to ask
  // for every head again gets no answer to its round (not misbehaviour: an honest node whose
  // connection drops may redial); this node probes it at the next period. Default 3.
  std::uint32_t max_full_rounds_per_key = 3;
  // Record bytes a peer may have streamed to it again (wants for records this session sent it
  // before) per anti-entropy period; more is misbehaviour. Default 4 MiB.
  std::size_t max_resent_bytes_per_period = std::size_t{4} << 20;
  // Records of one peer that may go to the store's pending area (past a gap in their feed) per
  // anti-entropy period: its share of the area, which all peers share. Default 1,024.
  std::size_t max_pending_per_period = 1024;
  // The highest protocol version this node announces in its hello (min_protocol_version ..
  // max_protocol_version). Lower only to run an older node in tests.
  std::uint8_t max_version = max_protocol_version;
  // Seed for the choice of eager peers and the anti-entropy peer. 0: a random seed.
  std::uint64_t seed = 0;
};

struct engine_callbacks {
  // A peer broke the protocol (see misbehaviour_kind). Required.
  std::function<void(session_id, const member_id& peer, const misbehaviour&)> on_misbehaviour;
  // The replica failed locally while serving a session (the session is closed).
  std::function<void(session_id, const status&)> on_local_error;
  // Records appended to the log by sync (for the views and `watch`), in log order. Not called
  // for the records passed to records_written().
  std::function<void(const std::vector<record_key>&)> on_appended;
  // A peer shared addresses (peer exchange).
  std::function<void(session_id, const std::vector<peer_address>&)> on_peers;
  // Addresses this node shares when a peer asks (at most max_peers_per_message are sent).
  std::function<std::vector<peer_address>()> addresses_to_share;
  // Whether a feed this node does not hold may begin with this record (see authority).
  // Optional: without it every feed is admitted.
  std::function<authority_verdict(std::string_view record)> first_record;
  // The order in which to stream the feeds a peer wants (smaller first): the daemon ranks an
  // author by the position of their membership, so that an invite reaches a joiner before the
  // join that redeems it. Optional: without it feeds go in the order asked.
  std::function<std::uint64_t(const member_id& author)> feed_rank;
  // The peer's hello arrived and a version was agreed: the session carries sync messages from
  // now on. Optional.
  std::function<void(session_id)> on_ready;
  // The replica reported a records message of the session (its stats' ingesting_bytes went
  // down): an owner that stopped reading the connection for too much ingest in flight can
  // read on. Optional.
  std::function<void(session_id)> on_ingested;
};

// Per-session counters, for status views, tests and benchmarks.
struct session_stats {
  bool hello_received = false;
  std::uint8_t version = 0;            // the protocol version in use (0 before the peer's hello)
  std::uint64_t optional_ignored = 0;  // messages of optional types this node does not know
  bool in_sync = false;                // the last frontier comparison found equal digests
  bool closed = false;                 // misbehaviour or local error: input is ignored
  bool restricted = false;             // engine::set_restricted
  std::uint64_t messages_sent = 0, bytes_sent = 0;
  std::uint64_t messages_received = 0, bytes_received = 0;
  std::uint64_t records_sent = 0, record_bytes_sent = 0;
  std::uint64_t records_received = 0, records_stored = 0, records_duplicate = 0;
  std::uint64_t records_fork_continuation = 0;  // refused: the other side of a forked feed
  std::size_t in_flight_bytes = 0;
  // Record bytes received from the peer and handed to the replica, not yet reported back
  // (replica::ingest_async); acknowledged to the peer once reported.
  std::size_t ingesting_bytes = 0;
  std::size_t streams = 0;            // feeds being streamed to the peer
  std::uint64_t rounds_deferred = 0;  // rounds left unanswered (max_full_rounds_per_key)
};

class engine {
 public:
  engine(replica& r, engine_options opts, engine_callbacks cbs);
  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  // A connection for this community is up. Sends `hello` at once. `dialer` is true on the side
  // that opened the connection: it leads the reconciliation that follows the hellos.
  session_id attach(const member_id& peer, bool dialer, message_sink& sink);
  // One sync message from the peer (a view valid during the call).
  void on_message(session_id id, std::string_view message);
  // The connection is gone; its feeds still wanted are asked of other peers.
  void detach(session_id id);

  // This node appended records itself (its member wrote them): push them to peers.
  void records_written(const std::vector<record_key>& appended);
  // Anti-entropy: probes one randomly chosen session. False when none is ready. Also gives up
  // on feeds asked of a peer that sent nothing of them for a whole period (since the previous
  // call) and asks another peer known to hold them: a peer that claims records it never sends
  // cannot block a feed.
  bool anti_entropy();
  // Asks the peer for addresses (peer exchange).
  void request_peers(session_id id);
  // A restricted session serves the peer nothing of the log (PROTOCOL.md §5.13): no heads, no
  // records, no live push, no fork proofs, an empty peer list; it still takes the peer's
  // records (a newcomer's join). Lifting the restriction probes the peer, so that a
  // reconciliation round led by this node follows.
  void set_restricted(session_id id, bool restricted);
  // Sends fork proofs (`records`: pairs of exact record bytes, each pair two records of one
  // author at one seq) to session `to`, or to every open session when `to` is 0, so that every
  // peer can keep the proof (PROTOCOL.md §2.8, §5.6): as `fork_proof` messages on sessions of
  // version 2, as live records messages of one record each on version 1. Counted in the
  // window like any live push.
  void relay(const std::vector<std::string>& records, session_id to = 0);

  session_stats stats(session_id id) const;
  std::vector<session_id> sessions() const;
  // The highest seq of `author`'s feed that a connected peer is known to hold (0 when none):
  // with the local head, how far this node lags behind the best-known head (zwerm status).
  std::uint64_t best_known_seq(const member_id& author) const;
  // The highest seq of `author`'s feed that the peer of session `id` is known to hold (from its
  // heads, haves and records on this connection); 0 when it said nothing of that feed or the
  // session is gone (a restored node's own feed, community_host::confirm_own_feed).
  std::uint64_t known_by(session_id id, const member_id& author) const;
  // Feeds being fetched (wanted and not yet complete), over all sessions.
  std::size_t fetching() const { return wanted_.size(); }

  replica& local() { return replica_; }
  const engine_options& options() const { return opts_; }

 private:
  friend class session;
  struct want_state {
    session_id from = 0;
    std::uint64_t target = 0;    // the seq the peer said it holds
    std::uint64_t progress = 0;  // anti-entropy round of the last record received for it
  };

  session* find(session_id id) const;
  // Hands a session's records message to the replica; ingested() runs with the report.
  // `ack`: acknowledge the bytes to the peer when the report is in (false for records held
  // aside and acknowledged when they arrived).
  void submit(session& s, std::uint64_t ticket, std::size_t bytes, std::vector<std::string> items,
              bool ack = true);
  void ingested(session_id id, std::uint64_t ticket, std::size_t bytes, bool ack,
                result<ingest_report> report);
  // Fetch `author` from `s` unless another session already fetches it, or s's peer sent the
  // other side of the feed's fork at this node's present head of it; s queues the want.
  void want_feed(session& s, const member_id& author, std::uint64_t peer_seq);
  // s's peer sent records of `author`'s feed that go on from the other side of its fork:
  // remember that (at this node's head of the feed), drop the want of that feed from s and
  // ask another peer that may hold more of this node's side.
  void fork_continued(session& s, const member_id& author);
  // True when `peer` sent the other side of `author`'s fork while this node's head was `head`.
  bool fork_refused(const member_id& peer, const member_id& author, std::uint64_t head) const;
  // Records entered the log (from a peer when `synced`, through `origin` unless that session
  // is gone; else written locally): drop satisfied wants, ask another peer for feeds still
  // behind, push to peers, tell the owner (on_appended, for synced records).
  void on_stored(const std::vector<record_key>& appended, session* origin, bool synced);
  void refresh_wants(const std::vector<record_key>& appended);
  // Asks a ready session known to hold more of `author` than we do, preferring any other
  // than `avoid`.
  void fetch_from_anyone(const member_id& author, session_id avoid = 0);
  // Drops wants that made no progress for a whole anti-entropy period and asks elsewhere.
  void retry_stalled_wants();
  void fan_out(const std::vector<record_key>& appended, session* origin);
  void report(session& s, misbehaviour m);
  void local_error(session& s, const status& st);
  void reap();
  // Counts a round with new heads for `peer`; false when its rounds of this period are spent.
  bool take_full_round(const member_id& peer);

  replica& replica_;
  engine_options opts_;
  engine_callbacks cbs_;
  std::mt19937_64 rng_;
  session_id next_id_ = 1;
  std::map<session_id, std::unique_ptr<session>> sessions_;
  // Ordered containers throughout: authors come from peers' claims, and a hash table keyed by
  // attacker-chosen bytes could be flooded with collisions.
  std::map<member_id, want_state> wanted_;
  std::set<member_id> forked_;  // feeds a fork was seen in (no more fork probes)
  // Feeds whose fork was traced back to where the two sides part (want from seq 1), once.
  std::set<member_id> fork_traced_;
  // (peer, author) -> this node's head seq of author's feed when that peer sent the other
  // side of the feed's fork. The feed is not fetched from that peer again until the head
  // moves. At most one entry per connected-or-former peer and feed whose author signed a
  // record that does not chain (only the author can make one).
  std::map<std::pair<member_id, member_id>, std::uint64_t> fork_refused_;
  std::uint64_t round_ = 0;  // anti_entropy() calls so far
  // Rounds with new heads served per peer key in this period (max_full_rounds_per_key).
  std::map<member_id, std::uint32_t> full_rounds_;
  std::vector<session_id> doomed_;  // detached while a call was running
  int depth_ = 0;                   // engine calls on the stack
  // Reports of replica::ingest_async hold a weak reference: none reaches a destroyed engine.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace zwerm::node::sync
