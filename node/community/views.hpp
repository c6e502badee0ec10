// The community views (PROTOCOL.md §3.8): pure functions of a state.
//
// Each returns a nlohmann::json object whose member names are snake_case and sorted (nlohmann's
// default object is ordered by key) and whose arrays are ordered by rules stated below, so two
// nodes holding the same records produce byte-identical `dump()` output. None scans all
// records: each reads the indexes the state keeps incrementally. Ids are base64url text;
// members carry their profile `name` ("" until they publish a profile).
//
// Thread-safety: read-only on `state`; call on the thread that owns the replayer.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "node/community/state.hpp"

namespace zwerm::node::community {

// ---- Plain views ------------------------------------------------------------------------------
// A plain view is served from its entry in the RPC contract alone (rpc_contract::method_spec::
// plain_view): zwermd answers the method of the same name with `make` and zwerm makes it a
// command, so a new one touches only this folder and the contract.

// What a plain view is asked: the request's params, their JSON types already checked against
// the contract (absent and null mean "not given"), and the node's clock.
struct view_request {
  const nlohmann::json& params;
  std::int64_t now_ms = 0;

  bool flag(std::string_view key, bool fallback) const;
  std::int64_t integer(std::string_view key, std::int64_t fallback) const;
};

struct plain_view {
  std::string_view name;  // the contract's method
  nlohmann::json (*make)(const state& s, const view_request& r);
};

// Every plain view, in one table (views/plain_views.cpp).
std::span<const plain_view> plain_views();
// The plain view of that name, or nullptr.
const plain_view* find_plain_view(std::string_view name);

// Looks a stored record up by id (the daemon backs it with the store); nullopt when absent.
using record_lookup = std::function<std::optional<record>(const record_id&)>;

// name, purpose, steward, policy, agreements in force (in order of adoption), dissolved.
nlohmann::json community_view(const state& s);

// Every member who ever joined, in order of first joining: status (active, left, removed,
// forked), name, skills, address, joined_ts, last_active_ts, records, given, taken.
nlohmann::json members_view(const state& s);
// The same view as JSON text, written directly (what an RPC answer embeds): byte-identical to
// members_view(s).dump() and several times faster for large communities. With
// `active_only`, the `members` array keeps only the rows whose status is "active" (the counts
// `active` and `total` stay those of the whole community).
std::string members_view_text(const state& s, bool active_only = false);
// One page of the `members` rows above, in the same order: at most `limit` rows (clamped to
// 1..500) of the members after member index `after` (from the first when absent).
// `next_cursor` is the id of the page's last member when a further row follows, else null;
// `active` and `total` are those of the whole community.
std::string members_page_text(const state& s, bool active_only, std::size_t limit,
                              std::optional<index> after);

struct feed_query {
  std::optional<record_kind> kind;
  std::optional<member_id> author;
  std::optional<std::string> tag;  // compared after normalize_topic
  std::optional<record_id> circle;
  std::size_t limit = 50;          // 1..500; larger values are clamped
  std::optional<position> before;  // the cursor: entries strictly before it
};
// Records that took effect, newest first (descending total order). `next_cursor` is the text
// position to pass as `before` for the next page, or null at the end. With `lookup`, each
// entry carries its parsed `body`.
nlohmann::json feed_view(const state& s, const feed_query& q,
                         const record_lookup* lookup = nullptr);

// What the thanks whose body is `body` thanked, so that a reader of the feed sees it without a
// second question: {id, author {id, name}, title} of the contribution; null when the state or
// `lookup` does not hold it. (Not part of feed_view: the RPC adds it to thanks entries.)
nlohmann::json thanked_view(const state& s, const nlohmann::json& body,
                            const record_lookup& lookup);

enum class request_filter : std::uint8_t { open, answered, all };
struct requests_query {
  request_filter filter = request_filter::open;
  std::size_t limit = 50;           // 1..500
  std::optional<record_id> before;  // cursor: a request id; entries older than it
  // Above 0: each row also names up to this many members who know its first tag (see
  // requests_view). The caller bounds it (the RPC: 0..5, and then at most 100 rows).
  std::size_t who_knows = 0;
};
// Requests newest first, each with status open/answered and the ids of answering contributions.
// With q.who_knows > 0 each row has "who_knows": null for a request without tags, else
// {"topic": its first tag, "members": [{id, name, score}]}, the who-knows ranking of that topic
// (who_knows_view's order) without the request's author, its first q.who_knows. A topic is
// ranked once per call however many rows carry it.
nlohmann::json requests_view(const state& s, const requests_query& q);

// Thresholds of the balance flags (PROTOCOL.md §3.8). takes_without_contributing: taken >= 3
// and no contribution of theirs took effect; carries: given >= 3 and given >= 2 * taken.
inline constexpr std::uint64_t takes_without_contributing_min_taken = 3;
inline constexpr std::uint64_t carries_min_given = 3;
// Active members with given/taken and flags, in order of first joining; lists of the flagged.
nlohmann::json balance_view(const state& s);
// balance_view(s).dump(), written directly (see members_view_text). With `top`: only the `top`
// active members with the most given + taken (ties by order of joining), in that order, and the
// flag lists only among them; thanks_between_active still counts every active member (the
// dashboard's reciprocity chart of a 10,000-member community).
std::string balance_view_text(const state& s, std::optional<std::size_t> top = std::nullopt);

// Score weights of who-knows (PROTOCOL.md §3.8).
inline constexpr std::uint64_t who_knows_skill_weight = 5;
inline constexpr std::uint64_t who_knows_contribution_weight = 2;
inline constexpr std::uint64_t who_knows_thanks_weight = 3;
// Active members ranked by score for TOPIC (descending, ties by order of joining), top `limit`.
nlohmann::json who_knows_view(const state& s, std::string_view topic, std::size_t limit = 20);
// The `k` best-ranked active members of topic index `t` (state::find_topic), best first: the
// order and scores of who_knows_view.
struct ranked_member {
  index member = no_index;
  std::uint64_t score = 0;
};
std::vector<ranked_member> who_knows_best(const state& s, std::uint32_t t, std::size_t k);
// One page of that ranking: at most `limit` (1..500) members ranked after member index `after`
// (from the best when absent), and `next_cursor`, the id of the page's last member when more
// follow, else null. nullopt when `after` is not ranked for the topic (no cursor of this page).
std::optional<nlohmann::json> who_knows_page(const state& s, std::string_view topic,
                                             std::size_t limit, std::optional<index> after);

// Thanks graph over active members: density, components, isolated members, top connectors.
nlohmann::json ties_view(const state& s, std::size_t top = 10);

// The thanks graph for pictures: `nodes` (active members: id, name, records, given, taken,
// partners), `edges` ([i, j, thanks]: index pairs into nodes, i < j, one per tie, with the
// number of effective thanks between the two members either way, >= 1), `active_members` and
// `truncated`. At most max_nodes nodes, the most active by
// records (then by order of joining); edges only between listed nodes.
nlohmann::json ties_graph_view(const state& s, std::size_t max_nodes = 300);

// Records and active members per week for the `weeks` weeks (1..max_pulse_weeks) up to the
// week holding now_ts, oldest first, and the fading warning (always over the last 12 weeks).
inline constexpr std::size_t max_pulse_weeks = 53;
nlohmann::json pulse_view(const state& s, std::int64_t now_ts, std::size_t weeks = 12);

// Proposals newest first; an open proposal older than 30 days at now_ts shows as expired.
// `filter` keeps only proposals of that status, before the page is cut, so `next_cursor` (the id
// of the page's last proposal, or null when no further one matches) pages through that status.
enum class proposal_filter : std::uint8_t { open, adopted, expired, all };
nlohmann::json proposals_view(const state& s, std::int64_t now_ts, std::size_t limit = 50,
                              std::optional<record_id> before = std::nullopt,
                              proposal_filter filter = proposal_filter::all);

// Circles in order of opening: name, purpose, open, active members, record count.
nlohmann::json circles_view(const state& s);
// One page of those circles (only the open ones unless `include_closed`): at most `limit`
// (1..500) circles opened after circle index `after` (from the first when absent), and
// `next_cursor`, the id of the page's last circle when more follow, else null.
nlohmann::json circles_page(const state& s, bool include_closed, std::size_t limit,
                            std::optional<index> after);

}  // namespace zwerm::node::community
