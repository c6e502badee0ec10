// One connection's sync state (internal to the engine; see engine.hpp for the contract).
//
// Handlers are plain functions of (this state, one decoded message): they validate the message
// against the protocol state, update the state, and queue replies on the sink. The engine
// owns sessions and supplies the node-level decisions (which peer to fetch a feed from, who
// gets a newly stored record).
#pragma once

#include <array>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "node/sync/engine.hpp"

namespace zwerm::node::sync {

class session {
 public:
  session(engine& e, session_id id, const member_id& peer, bool dialer, message_sink& sink);

  session_id id() const { return id_; }
  const member_id& peer() const { return peer_; }
  bool ready() const { return stats_.hello_received && !stats_.closed; }
  bool closed() const { return stats_.closed; }
  const session_stats& stats() const { return stats_; }

  void start();                            // sends hello
  void receive(std::string_view message);  // decode + dispatch
  void close() { stats_.closed = true; }
  // A new anti-entropy period began: the peer's budget of probes, reconciliation rounds and
  // peer requests starts again (engine_options::max_rounds_per_period).
  // Held-aside feeds older than two periods are dropped.
  void new_period(std::uint64_t round);
  // Asks again about the feeds held aside for unknown authority: admitted ones are ingested,
  // refused ones fail the session.
  void retry_waiting();

  // Engine-driven actions.
  void probe();  // anti-entropy: frontier with reply_wanted
  void request_peers();
  void set_restricted(bool restricted);
  void queue_want(const member_id& author, std::uint64_t from_seq);
  // The peer's side of `author`'s feed differs from ours (equal heads with another id, or
  // a record that goes on from another one): fetch its side from seq 1, once per feed, so that
  // the first record that differs (where the two sides part) is kept as the fork proof.
  void trace_fork(const member_id& author);
  void flush_wants();
  // These records (fork proofs) as live records messages of one record each.
  void relay(const std::vector<std::string>& records);
  // Live push: `eager` records go in full, `announce` as a `have`.
  void push(const std::vector<record_key>& eager, const std::vector<record_key>& announce);

  // The replica finished the records message this session submitted as `ticket` (`bytes` of
  // records): applies the outcomes (peer faults, gaps to fetch), acknowledges the bytes.
  void ingested(std::uint64_t ticket, std::size_t bytes, const result<ingest_report>& report,
                bool ack = true);

  std::uint64_t known(const member_id& author) const;
  bool streaming(const member_id& author) const { return streams_.count(author) != 0; }

 private:
  struct stream {
    member_id author;
    std::uint64_t next_seq = 0;
    // The seqs of the feed streamed to the peer before this want (lo > hi: none).
    std::uint64_t served_lo = 1, served_hi = 0;
    std::uint64_t rank = 0;  // engine_callbacks::feed_rank of the author
  };
  // A feed this node does not hold whose first record's authority is not known yet.
  struct waiting_feed {
    std::vector<std::string> items;  // consecutive from seq 1
    std::uint64_t last_seq = 0;
    std::size_t bytes = 0;
    std::uint64_t since_round = 0;
  };
  enum class route { submit, held, dropped, failed };
  // Where a record of `key` goes: an unheld feed's first record is asked about
  // (engine_callbacks::first_record); later records of a held-aside feed join it.
  route route_record(const record_key& key, bool live, std::string& item, bool feed_unheld);
  void drop_waiting(const member_id& author);

  void send(const message& m);
  void fail(misbehaviour_kind kind, std::string reason);
  bool local_ok(const status& st);
  void learn(const member_id& author, std::uint64_t seq);
  // learn() for a peer's claim (heads, have), refusing more than max_feeds_per_session feeds.
  bool learn_claim(const member_id& author, std::uint64_t seq);
  // Counts one heavy request the peer made (a probe answered, a reconciliation round served, a
  // peer list sent); false (and the session failed) when it is over the period's budget.
  bool spend(const char* what);

  void on(const hello& m);
  void on(const frontier& m);
  void on(const buckets& m);
  void on(const heads_request& m);
  void on(const heads& m);
  void on(const want& m);
  void on(records& m);  // moves the records into the replica
  void on(const ack& m);
  void on(const have& m);
  void on(const peers_request& m);
  void on(const peers& m);
  void on(const fork_proof& m);

  void compare_frontier(const frontier_digest& theirs, bool lead);
  void start_round();
  void send_heads(const bucket_set& which, const std::array<crypto::digest, 256>& digests);
  bucket_set unchanged_since_sent(const std::array<crypto::digest, 256>& digests) const;
  void pump();

  engine& engine_;
  session_id id_;
  member_id peer_;
  bool dialer_;
  message_sink& sink_;
  session_stats stats_;
  std::uint8_t version_ = min_protocol_version;  // negotiated at the peer's hello
  std::vector<std::string> relay_pending_;       // fork proofs to send once it is negotiated

  bool probe_open_ = false;                   // sent frontier{reply_wanted}, answer pending
  bool round_open_ = false;                   // sent buckets; a heads_request may follow
  std::map<member_id, std::uint64_t> known_;  // the peer holds author up to seq
  std::deque<stream> queue_;                  // feeds to stream, in order
  std::set<member_id> streams_;               // authors in queue_
  std::vector<want_entry> wants_;             // queued, sent by flush_wants
  // Records messages handed to the replica and not yet reported (ingest_async): per feed, the
  // highest seq among them and the ticket of the message that brought it, so that the next
  // streamed message is checked against the feed as it will be, not as the store has it now.
  std::map<member_id, std::pair<std::uint64_t, std::uint64_t>> submitted_heads_;
  std::uint64_t next_ticket_ = 0;

  // Message-state rules (PROTOCOL.md §5.4, §5.7, §5.8): what the peer may send now.
  bool buckets_expected_ = false;  // the peer leads a round: after the hellos when it dialed,
                                   // or after we answered its probe
  bool heads_expected_ = false;    // we sent buckets or a heads_request this session
  bool peers_asked_ = false;       // we sent peers_request and no peers answer came yet
  std::uint32_t served_this_period_ = 0;
  // Per bucket, its digest when its heads last went on this session (zero: never, or the
  // bucket was empty, and an empty bucket has no heads to send). A later round sends a bucket's
  // heads again only once its digest changed (§5.4 step 3).
  std::array<digest_prefix, bucket_count> heads_sent_digest_{};
  bool round_deferred_ = false;  // the peer's round went unanswered (max_full_rounds_per_key)
  // Bytes of `peers` answers sent on this session: they may reach 4 per message byte received
  // (stats_.bytes_received), since a peer list is not catch-up (§5.8).
  std::uint64_t peers_bytes_sent_ = 0;
  // Per feed: the lowest and highest seq streamed to the peer (it was sent all between).
  std::map<member_id, std::pair<std::uint64_t, std::uint64_t>> served_;
  std::size_t resent_this_period_ = 0;     // bytes streamed again (repeated wants)
  std::size_t pending_this_period_ = 0;    // its records that went to the pending area
  std::size_t abandoned_this_period_ = 0;  // feeds of unknown authority dropped (§5.10)

  std::map<member_id, waiting_feed> waiting_;
  std::size_t waiting_bytes_ = 0;
  // Feeds dropped from the waiting area (over its bounds, or expired): their further records
  // on this session are dropped quietly too, and the feed is fetched again in a later round.
  std::set<member_id> abandoned_;
};

}  // namespace zwerm::node::sync
