// Invite codes: the one copy-paste string a member hands to a newcomer (docs/PROTOCOL.md §6). It
// carries everything the newcomer's node needs to reach the community and prove it was invited:
//   - the community id (the genesis record's id),
//   - the community's network key (for the Secret Handshake),
//   - the id of the member.invite record (replicated, so any member's node can check it) and
//     its lamport (the newcomer writes its join right after it, before it reads anything),
//   - the one-time token whose hash the invite record holds (absent for an invite made out
//     to a member id: then the newcomer's own key is the proof),
//   - 1..8 member nodes to dial: each one's public key and "host:port".
//
// Text form: "zw1-" followed by base64url (no padding) of
//   flags(1: bit 0 = token present; bit 1 = 1 (invite lamport present); other bits zero)
//   community_id(32) network_key(32) invite_id(32) be64 invite_lamport [token(32)]
//   peer_count(1, 1..8) then per peer: public_key(32) address_length(1, 1..255) address(UTF-8)
// with nothing after the last peer. Decoding is strict: any deviation is an error that says
// what is wrong, never a partial result.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/ids.hpp"
#include "base/status.hpp"
#include "node/daemon/config.hpp"

namespace zwerm::node {

inline constexpr std::string_view invite_code_prefix = "zw1-";
inline constexpr std::size_t max_invite_peers = 8;
inline constexpr std::size_t max_invite_address = 255;  // bytes of one node's "host:port"

using invite_token = crypto::fixed_bytes<32, struct invite_token_tag>;

struct invite_peer {
  crypto::public_key key;
  host_port address;
  friend bool operator==(const invite_peer&, const invite_peer&) = default;
};

struct invite_code {
  community_id community;
  crypto::network_key network_key;
  record_id invite_id;
  std::uint64_t invite_lamport = 0;  // ≥ 1
  std::optional<invite_token> token;
  std::vector<invite_peer> peers;  // 1..max_invite_peers
  friend bool operator==(const invite_code&, const invite_code&) = default;
};

// Errors: invalid_argument when there are no peers, more than 8, or an address longer than 255
// bytes or with port 0.
result<std::string> encode_invite_code(const invite_code& code);

// Errors: invalid_argument with a sentence ("this is not a zwerm invite code: ...").
// Surrounding whitespace (from copy-paste) is ignored.
result<invite_code> decode_invite_code(std::string_view text);

}  // namespace zwerm::node
