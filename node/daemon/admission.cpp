#include "node/daemon/admission.hpp"

#include <nlohmann/json.hpp>

#include "base/base64url.hpp"
#include "base/durable_file.hpp"
#include "crypto/hash.hpp"
#include "node/community/body_schema.hpp"
#include "node/daemon/community_host.hpp"
#include "node/daemon/home_json.hpp"
#include "node/ingest/stored_record.hpp"
#include "node/records/record_scan.hpp"

namespace zwerm::node {

const char* to_string(standing s) {
  switch (s) {
    case standing::none:
      return "none";
    case standing::member:
      return "member";
    case standing::invitee:
      return "invitee";
    case standing::token:
      return "token";
  }
  return "unknown";
}

bool admission_book::open(const community::state& st, const community::invite_info& inv,
                          std::int64_t now_ms) {
  if (inv.used || now_ms > inv.expires_ts) return false;
  // An invite dies with its inviter's membership: a removed (or departed, or forked) member's
  // unused invites admit nobody.
  if (inv.inviter == community::no_index || inv.inviter >= st.members.size()) return false;
  const community::member_info& inviter = st.members[inv.inviter];
  return st.is_active_member(inviter.id) && inviter.active_since <= inv.made_at;
}

bool admission_book::open_for(const community::state& st, const community::invite_info& inv,
                              const crypto::public_key& key, std::int64_t now_ms) {
  if (!open(st, inv, now_ms)) return false;
  const community::index i = st.find_member(key);
  return i == community::no_index || st.members[i].status != community::member_status::removed ||
         inv.made_at >= st.members[i].removed_at;
}

standing admission_book::of(const community::state& st, const crypto::public_key& key,
                            std::int64_t now_ms) const {
  if (st.is_active_member(key)) return standing::member;
  // A member who left or was removed comes back only through a join; until then an invite may
  // admit them like anyone else (a new invite made for them).
  for (const auto& [id, inv] : st.invites) {
    if (inv.invitee && *inv.invitee == key && open_for(st, inv, key, now_ms)) {
      return standing::invitee;
    }
  }
  for (const auto& [id, who] : bound_) {
    if (who != key) continue;
    auto it = st.invites.find(id);
    if (it != st.invites.end() && open_for(st, it->second, key, now_ms)) return standing::token;
  }
  return standing::none;
}

bool admission_book::token_possible(const community::state& st, const crypto::public_key& key,
                                    std::int64_t now_ms) const {
  for (const auto& [id, inv] : st.invites) {
    if (!inv.token_hash || !open_for(st, inv, key, now_ms)) continue;
    auto b = bound_.find(id);
    if (b == bound_.end() || b->second == key) return true;
  }
  return false;
}

bool admission_book::bind_token(const community::state& st, const crypto::public_key& key,
                                std::string_view token, std::int64_t now_ms) {
  community::invite_token t;
  if (!community::invite_token::from(token, &t)) return false;
  const crypto::digest hash = crypto::blake2b256(t.view());
  for (const auto& [id, inv] : st.invites) {
    if (!inv.token_hash || *inv.token_hash != hash || !open_for(st, inv, key, now_ms)) continue;
    auto [b, inserted] = bound_.emplace(id, key);
    if (inserted || b->second == key) return true;
  }
  return false;
}

void admission_book::prune(const community::state& st, std::int64_t now_ms) {
  std::erase_if(bound_, [&](const auto& entry) {
    auto it = st.invites.find(entry.first);
    return it == st.invites.end() || !open(st, it->second, now_ms);
  });
}

namespace {

using sync::authority;
using sync::authority_verdict;

authority_verdict refuse(std::string reason) {
  return {authority::refuse, std::move(reason)};
}

// Does the join (by `joiner`, body `join`) match an invite that names `invitee` or carries
// `token_hash`?
authority_verdict match(const member_id& joiner, const community::join_body& join,
                        const std::optional<member_id>& invitee,
                        const std::optional<crypto::digest>& token_hash) {
  if (invitee) {
    if (join.token || *invitee != joiner)
      return refuse("the join redeems an invite made for another key");
    return {};
  }
  if (!token_hash || !join.token || crypto::blake2b256(join.token->view()) != *token_hash) {
    return refuse("the join's token does not match the invite it names");
  }
  return {};
}

}  // namespace

authority_verdict feed_authority(const community::state* st, const store::store& store,
                                 const community_id& community, std::string_view bytes) {
  if (bytes.size() <= signature_size) return {};
  const std::string_view payload = bytes.substr(0, bytes.size() - signature_size);
  record r;
  if (scan_payload(payload, &r)) return {};  // refused with its reason by the replica
  switch (community::kind_of(r.type)) {
    case community::record_kind::community_create:
      if (community_of_genesis(crypto::record_id_of(payload)) != community) {
        return refuse("a genesis record that is not this community's");
      }
      return {};
    case community::record_kind::member_join:
      break;
    default:
      return refuse("a feed must begin with the genesis or a join, not " + r.type);
  }
  auto body = community::parse_body(community::record_kind::member_join, r.body);
  if (!body) return refuse("a join whose body is invalid: " + body.error().message());
  const auto& join = std::get<community::join_body>(*body);
  if (st) {
    if (auto it = st->invites.find(join.invite); it != st->invites.end()) {
      return match(r.author, join, it->second.invitee, it->second.token_hash);
    }
  }
  auto entry = store.get(join.invite);
  if (!entry) return {authority::unknown, {}};  // not here yet (or the store failed: ask later)
  if (entry->community != community) return refuse("the join names an invite of another community");
  auto invite = record_from_store(*entry);
  if (!invite || community::kind_of(invite->type) != community::record_kind::member_invite) {
    return refuse("the join names a record that is not an invite");
  }
  auto ib = community::parse_body(community::record_kind::member_invite, invite->body);
  if (!ib) return refuse("the join names an invite whose body is invalid");
  const auto& inv = std::get<community::invite_body>(*ib);
  return match(r.author, join, inv.invitee, inv.token_hash);
}

std::optional<record_id> removal_record(const community::state& st, const member_id& key) {
  const community::index i = st.find_member(key);
  if (i == community::no_index) return std::nullopt;
  const community::member_info& m = st.members[i];
  if (m.status != community::member_status::removed || m.removed_at == 0) return std::nullopt;
  // removed_at is the size of the community feed when the removal took effect, before the
  // adopting record itself was noted: that record is the entry at removed_at.
  if (m.removed_at >= st.feed.size()) return std::nullopt;
  return st.feed[m.removed_at].id;
}

result<token_bindings> load_token_bindings(const std::filesystem::path& file) {
  auto read = read_home_json(file);
  if (!read) return read.error();
  if (!*read) return token_bindings{};
  const nlohmann::json& doc = **read;
  auto bad = [&](const std::string& why) { return damaged_home_file(file, why); };
  token_bindings all;
  for (const auto& [community_text, invites] : doc.items()) {
    community_id c;
    if (!crypto::from_text(community_text, &c) || !invites.is_object()) {
      return bad("the entry for '" + community_text + "' is malformed");
    }
    for (const auto& [invite_text, key_text] : invites.items()) {
      record_id invite;
      crypto::public_key key;
      if (!crypto::from_text(invite_text, &invite) || !key_text.is_string() ||
          !crypto::from_text(key_text.get<std::string>(), &key)) {
        return bad("the binding of invite '" + invite_text + "' is malformed");
      }
      all[c][invite] = key;
    }
  }
  return all;
}

status save_token_bindings(const std::filesystem::path& file, const token_bindings& all) {
  nlohmann::json doc = nlohmann::json::object();
  for (const auto& [c, invites] : all) {
    if (invites.empty()) continue;
    auto& entry = doc[crypto::to_text(c)] = nlohmann::json::object();
    for (const auto& [invite, key] : invites) entry[crypto::to_text(invite)] = crypto::to_text(key);
  }
  return replace_file(file, doc.dump(2) + "\n", "the token bindings");
}

}  // namespace zwerm::node
