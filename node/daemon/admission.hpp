// Who may hold a session of a community on this node (docs/PROTOCOL.md §4.3.2, "The node's
// answer"), decided from the community state alone, with no sockets: network_host asks it at the
// handshake, again whenever the state changes or a second passes, and before it dials.
//
// A key qualifies while it is
//   - an active member (not left, removed or forked), or
//   - the invitee named by an unused, unexpired id invite whose inviter is still an active
//     member, or
//   - the key bound to an unused, unexpired token invite whose inviter is still an active
//     member. A token binds to the first key that presents it (bind_token) and admits that
//     key only: a second key presenting the same token is refused.
// A key that qualified by an invite stops qualifying when the invite is used (by its join or
// anyone else's), expires, or its inviter leaves or is removed; the owner then closes its
// sessions.
//
// Token bindings outlive a restart: network_host saves them (save_token_bindings) whenever one
// is made or dropped and restores them at start, so a token still admits only its first key.
//
// Threads: the I/O executor only, like the community state it reads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string_view>

#include "node/community/state.hpp"
#include "node/sync/engine.hpp"
#include "store/store.hpp"

namespace zwerm::node {

enum class standing {
  none,     // not admitted
  member,   // an active member
  invitee,  // named by an open id invite
  token,    // bound to an open token invite
};
const char* to_string(standing s);

class admission_book {
 public:
  // How `key` stands in `st` at `now_ms` (unix milliseconds).
  standing of(const community::state& st, const crypto::public_key& key, std::int64_t now_ms) const;
  // True when some open token invite exists that `key` could still bind (for the handshake's
  // needs_token answer): an unbound one, or one bound to `key`.
  bool token_possible(const community::state& st, const crypto::public_key& key,
                      std::int64_t now_ms) const;
  // `key` presents raw token bytes. Admits it when the token is well formed, names an open
  // token invite, and the invite is unbound (it becomes bound to `key`) or bound to `key`.
  bool bind_token(const community::state& st, const crypto::public_key& key, std::string_view token,
                  std::int64_t now_ms);
  // Forgets bindings of invites that are used, expired or gone (keeps the map small).
  void prune(const community::state& st, std::int64_t now_ms);
  std::size_t bound() const { return bound_.size(); }
  // The bindings, for saving, and restoring them (entries of invites no longer open go at the
  // next prune).
  using bindings = std::map<record_id, crypto::public_key>;
  const bindings& bound_keys() const { return bound_; }
  void restore(bindings b) { bound_ = std::move(b); }

 private:
  // The invite is unused, unexpired at now_ms, and its inviter is an active member.
  static bool open(const community::state& st, const community::invite_info& inv,
                   std::int64_t now_ms);
  // open(), and `key` is not a member removed after the invite was made (removal is final).
  static bool open_for(const community::state& st, const community::invite_info& inv,
                       const crypto::public_key& key, std::int64_t now_ms);

  std::map<record_id, crypto::public_key> bound_;  // token invite -> the key it admits
};

// Whether a feed this node does not hold may begin with `bytes` (PROTOCOL.md §5.10): only the
// community's genesis (its id is the community id) or a join that redeems an invite of the
// community (the invite names the joiner's key, or carries the hash of the join's token) can
// open a feed. The invite is looked up in `st` (may be null: nothing applied yet) and then in
// the store (it may be stored and not yet applied); unknown when neither holds it. Bytes that
// do not scan are admitted: the replica's full check refuses them with its own reason.
// When `key` is a member whose removal stands (status removed): the id of the record with which
// the removal took effect (the proposal or endorse that adopted it), for the refusal notice
// (PROTOCOL.md §4.3.2). nullopt for anyone else.
std::optional<record_id> removal_record(const community::state& st, const member_id& key);

// The token bindings of every community, as saved in the home's token_bindings.json (mode
// 0600, replaced atomically). A missing file is no bindings; a damaged one is a corruption
// error naming the file.
using token_bindings = std::map<community_id, admission_book::bindings>;
result<token_bindings> load_token_bindings(const std::filesystem::path& file);
status save_token_bindings(const std::filesystem::path& file, const token_bindings& all);

sync::authority_verdict feed_authority(const community::state* st, const store::store& store,
                                       const community_id& community, std::string_view bytes);

}  // namespace zwerm::node
