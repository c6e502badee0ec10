// The communities this node is in: their state (one community::replayer each, fed from the
// store), this member's feed writers, and the secrets kept in the home (network keys).
//
// Writes go through one path: write() builds and signs the member's next record
// (feed_writer), commits it through the ingestor (one synced store batch) and absorbs what the
// store appended into the replayer; absorb() does the same for records that arrived from
// peers and were committed elsewhere, and absorb_soon() coalesces and paces those
// (absorb_pacer.hpp: batches that would make the state replay wait for the ones that follow,
// so that a catch-up replays a few times, not once per batch). Every appended record is then
// passed to `on_appended` with its origin (the daemon publishes it to `watch` clients; the
// network pushes this member's own to peers), and after an absorb of peers' records
// `on_absorbed` names each community it touched. (The absorb side is in
// community_host_absorb.cpp, the rest in community_host.cpp.)
//
// Secrets: <home>/communities.json (mode 0600) holds, per community, the network key (never in
// a record) and which community is the default for commands. It is rewritten atomically.
//
// Restored nodes (the self-fork guard, docs/OPERATIONS.md "Backup and restore"): `zwerm
// restore` marks each community's entry `"own_feed": "unconfirmed"` with the addresses to ask
// (`restore_peers`). While a community is so marked, write() and write_join() refuse: this
// node's store may lack the latest records of its own feed, and a record written now could
// take a seq already used elsewhere (a fork of one's own feed). The network host confirms the
// feed (confirm_own_feed) once a member's node told it the feed's head and the store holds it.
// Independently, `write_guard` (set by the network host) refuses a write while a connected peer
// is known to hold more of this member's feed than the store does.
//
// State on disk: each replayer is restored through a state_store (node/daemon/state_store.hpp):
// from the persisted snapshot plus the records after it, or from the whole log when that
// snapshot is missing, stale or unreadable. Snapshots are written as that header describes;
// the destructor writes one for every community whose state is ahead of its snapshot.
//
// Forks (PROTOCOL.md §3.6): the store keeps fork proofs and flags the feed's head; the state
// learns of them through mark_forks(), which every restore runs (a restart keeps the marks
// whatever the snapshot holds) and which zwermd runs when sync reports a forked record or an
// ingest of this host yields one. A new mark rewinds and replays, and a snapshot is written
// at once: fork proofs do not change the record count, so the start rule cannot see them.
//
// Threads: one owner, the daemon's I/O thread (which is also the store's single writer).
// Ownership: borrows the store and the key pair, which outlive it.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/bytes.hpp"
#include "base/clock.hpp"
#include "base/status.hpp"
#include "crypto/sign.hpp"
#include "node/community/position.hpp"
#include "node/community/replayer.hpp"
#include "node/community/views.hpp"
#include "node/daemon/absorb_pacer.hpp"
#include "node/daemon/state_store.hpp"
#include "node/ingest/ingest.hpp"
#include "node/records/record.hpp"
#include "store/store.hpp"

namespace zwerm::node {

class community_host {
 public:
  // Loads the secrets file and restores a replayer for every community the store holds
  // (state_store::restore). `time` stamps the records this member writes (their ts); it must
  // outlive the host. Errors: corruption (unreadable secrets file), the store's errors.
  static result<std::unique_ptr<community_host>> open(store::store& s, const crypto::key_pair& me,
                                                      std::filesystem::path secrets_file,
                                                      state_store_options state = {},
                                                      const zwerm::clock& time = machine_clock());
  // Writes a snapshot for every community whose state is ahead of its persisted one (errors
  // are logged).
  ~community_host();

  // The same as the destructor does, with the first error returned.
  status checkpoint_all();

  // Starts a community: writes the genesis record, makes a network key, keeps both. Returns
  // the genesis record (its id is the community id).
  result<record> create(const nlohmann::json& body);

  // Writes this member's next record of `type` with `body` in `community`. With
  // `only_with_effect`, a record the community rules would give no effect is not stored:
  // rejected, with the rules' reason (community::state::dry_run), and nothing is written.
  enum class write_mode { any, only_with_effect };
  result<record> write(const community_id& community, const std::string& type,
                       const nlohmann::json& body, write_mode mode = write_mode::any);
  // Writes this member's `member.join` with `body` in `community` before this node holds any
  // of its records but the ones it writes (a newcomer joins first and reads after, PROTOCOL.md
  // §3.3): the record's lamport is past `invite_lamport` (from the invite code), so it comes
  // after the invite in the total order.
  result<record> write_join(const community_id& community, const nlohmann::json& body,
                            std::uint64_t invite_lamport);

  // Where an appended record came from: written (or brought in) on this node, which pushes it
  // to peers, or received from peers by sync.
  enum class origin { this_node, peers };
  // Absorbs records the store appended into the replayers and notifies (on_appended, and
  // on_absorbed for records from peers).
  status absorb(const std::vector<record>& appended, origin from = origin::peers);
  // Absorbs records sync appended soon, coalesced and paced: the records of every call made
  // before the posted absorb runs go into one absorb(), and records that would make the state
  // replay wait as absorb_pacer.hpp says (a community's records at most `pacing.max_wait`), so
  // a catch-up replays a few times in all, while a live record after the state's head goes in
  // as soon as the executor is free. Never absorbs inside the call when a poster is set (the
  // caller may be inside a sync handler); without one it absorbs at once. Errors are logged.
  // `more_coming`: sync is still fetching feeds of the records' community (engine::fetching).
  void absorb_soon(std::vector<record> records, bool more_coming = false);
  // Records absorb_soon() holds that have not gone into the state yet (status, tests).
  std::size_t waiting_to_absorb() const;
  // Records kept in memory for the replays of a catch-up (see recent_ below; tests).
  std::size_t kept_for_replay() const;
  // Runs a function on the owner's executor after `delay` (zero: as soon as it is free; the
  // network host sets it). A delayed call may replace the delayed call still waiting (this host
  // only asks for one earlier than it). Without a poster, absorb_soon() absorbs at once.
  using poster = std::function<void(std::chrono::milliseconds delay, std::function<void()>)>;
  void set_poster(poster p, absorb_pacing pacing = {}) {
    post_ = std::move(p);
    pacing_ = pacing;
  }

  // Marks in the state of `community` every fork the store holds proof of (each feed whose head
  // is flagged forked, with store::forks()): the author's records from the fork position on
  // have no effect. Marks already known change nothing and cost one frontier read. A new mark
  // rewinds and replays (replayer::mark_forked), erases the snapshot it made stale and writes
  // a new one (errors of that write are logged: the next start re-marks from the store).
  // Returns how many authors were newly marked. Errors: the store's.
  result<std::size_t> mark_forks(const community_id& community);

  // Registers a community learned from an invite code (network key) before its records
  // arrive. Idempotent.
  status adopt(const community_id& community, const crypto::network_key& key);
  // Undoes adopt() after a join that failed: forgets the network key when this node holds no
  // record of the community (a node that holds some keeps it, like any member's node).
  // Returns whether the key was forgotten. Errors: saving the secrets file.
  result<bool> abandon(const community_id& community);

  // Whether `community` may be forgotten: only once this member is not active in it (left or
  // removed). Errors: not_found (this node holds no state of it), rejected (still active,
  // with what to do).
  status can_forget(const community_id& community) const;
  // Drops the community from this node after can_forget(): its records and everything the
  // store keeps of it (store::forget_community), its persisted state, its network key and
  // marks in the secrets file. The store's rows go first: a crash before the secrets file is
  // saved leaves a network key without records, which the next `community forget` or a join
  // handles. Returns how many records went. Errors: can_forget's, the store's, saving the
  // secrets file.
  result<std::uint64_t> forget(const community_id& community);

  // "name", "id", an id prefix, or nothing (then the default or the only one). Errors:
  // not_found (none matches / no community yet), invalid_argument (ambiguous: lists them).
  result<community_id> resolve(const std::optional<std::string>& ref) const;
  status set_default(const community_id& community);

  // Restored nodes (see the header): whether `community`'s own feed still waits for a member's
  // node; which communities do; the addresses `zwerm restore` named for it ("[KEY@]host:port").
  bool own_feed_unconfirmed(const community_id& community) const;
  std::vector<community_id> unconfirmed() const;
  std::vector<std::string> restore_peers(const community_id& community) const;
  // Lifts the mark (and forgets the addresses) and saves the secrets file. Errors: saving it.
  status confirm_own_feed(const community_id& community);
  // Asked before every write of this member's records; a failed status refuses the write.
  std::function<status(const community_id&)> write_guard;
  std::optional<community_id> default_community() const { return default_; }

  std::vector<community_id> ids() const;
  // nullptr when this node holds no state for it (yet).
  const community::state* state_of(const community_id& community) const;
  std::optional<crypto::network_key> network_key(const community_id& community) const;
  // Looks a stored record up by id (for views that show bodies).
  const community::record_lookup& lookup() const { return lookup_; }
  const crypto::key_pair& me() const { return me_; }
  const zwerm::clock& clock() const { return clock_; }
  store::store& store() { return store_; }

  // Every record the store appended, once the state absorbed it.
  std::function<void(const record&, origin)> on_appended;
  // After an absorb of records from peers: once per community it touched.
  std::function<void(const community_id&)> on_absorbed;

 private:
  // write() and write_join(): the next record of this member's feed, its lamport past every
  // record the state holds and past `lamport_floor`.
  result<record> write_after(const community_id& community, const std::string& type,
                             const nlohmann::json& body, std::uint64_t lamport_floor,
                             write_mode mode);
  community_host(store::store& s, const crypto::key_pair& me, std::filesystem::path secrets,
                 state_store_options state, const zwerm::clock& time);
  status load_secrets();
  // The refusal of a command about a restored community whose records have not arrived yet.
  status not_restored_yet(const community_id& community) const;
  status save_secrets() const;
  result<community::replayer*> replayer_for(const community_id& community);
  result<community::absorb_result> absorb_into(const community_id& community,
                                               const std::vector<record>& records);
  // on_appended for each record, then on_absorbed for each community when from peers.
  void notify(const std::vector<record>& appended, std::span<const community_id> touched,
              origin from);
  // absorb_soon's records: those whose pacer says they are due (all: every one), absorbed and
  // notified; arms a recheck for the rest.
  void absorb_waiting(bool all);
  // The waiting records of one community, absorbed and notified now (before this member writes
  // in it).
  void absorb_waiting_of(const community_id& community);
  // Absorbs a batch taken from to_absorb_, tells its pacer how long that took, and notifies.
  void absorb_taken(const community_id& community, std::vector<record> batch);
  result<std::size_t> mark_forks_in(const community_id& community, community::replayer& rep);

  store::store& store_;
  crypto::key_pair me_;
  const zwerm::clock& clock_;
  std::filesystem::path secrets_file_;
  std::unique_ptr<ingestor> ingestor_;
  state_store states_;
  std::map<community_id, crypto::network_key> keys_;
  // Restored communities whose own feed is not confirmed yet, with their restore_peers.
  std::map<community_id, std::vector<std::string>> unconfirmed_;
  std::optional<community_id> default_;
  std::map<community_id, std::unique_ptr<community::replayer>> replayers_;
  community::record_lookup lookup_;
  poster post_;
  absorb_pacing pacing_;
  // absorb_soon's records per community, until they go into the state.
  struct waiting {
    std::vector<record> records;
    std::optional<community::position> earliest;  // of `records`
    absorb_pacer pacer;
    // The records, leaving none.
    std::vector<record> take() {
      earliest.reset();
      return std::exchange(records, {});
    }
  };
  std::map<community_id, waiting> to_absorb_;
  // Records absorb_taken() put into a state while sync still fetched more of its community (a
  // catch-up), from its first absorb that replayed on. The absorb that comes next mostly
  // rewinds past them (the records arrive feed by feed, the total order interleaves the
  // feeds), and its replay takes them from here instead of reading and parsing them back from
  // the store (store_record_source). Emptied when an absorb is made with nothing more coming,
  // and by forget(); at most recent_max_bytes (records beyond it are read back as before).
  struct recent {
    recent_records by_position;
    std::size_t bytes = 0;  // about what by_position takes
  };
  static constexpr std::size_t recent_max_bytes = 64u << 20;
  std::map<community_id, recent> recent_;
  bool absorb_posted_ = false;
  std::optional<absorb_pacer::time_point> recheck_at_;  // the earliest recheck armed
  // Posted absorbs hold a weak reference: none runs after the host is gone.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

// The fork position the proofs of one feed imply (PROTOCOL.md §3.6): the smallest seq among
// them, and the smallest lamport among the records of every proof at that seq (both sides,
// so that nodes that kept different sides agree). nullopt when `proofs` is empty.
std::optional<community::fork_point> fork_point_of(std::span<const store::fork_proof> proofs);

}  // namespace zwerm::node
