#include "tests/conformance/histories.hpp"

#include <algorithm>

#include "base/base64url.hpp"
#include "node/community/views.hpp"

namespace zwerm::conformance::histories {

namespace cm = node::community;
using nlohmann::json;

const std::vector<std::string>& observed_names() {
  static const std::vector<std::string> names = {"state",     "community", "members",  "feed",
                                                 "requests",  "balance",   "ties",     "pulse",
                                                 "proposals", "circles",   "who_knows"};
  return names;
}

std::map<node::member_id, cm::fork_point> forks_of(const std::vector<node::record>& records) {
  // author -> seq -> (distinct ids, smallest lamport)
  std::map<node::member_id,
           std::map<std::uint64_t, std::pair<std::vector<record_id>, std::uint64_t>>>
      at;
  for (const auto& r : records) {
    auto& slot = at[r.author][r.seq];
    if (std::find(slot.first.begin(), slot.first.end(), r.id) != slot.first.end()) continue;
    slot.second = slot.first.empty() ? r.lamport : std::min(slot.second, r.lamport);
    slot.first.push_back(r.id);
  }
  std::map<node::member_id, cm::fork_point> out;
  for (const auto& [author, seqs] : at) {
    for (const auto& [seq, slot] : seqs) {  // ascending seq: the first fork is the smallest k
      if (slot.first.size() >= 2) {
        out.emplace(author, cm::fork_point{seq, slot.second});
        break;
      }
    }
  }
  return out;
}

namespace {

std::string text_of(const record_id& d) {
  return crypto::to_text(d);
}

json summary(const cm::state& s) {
  json forks = json::array();
  for (const auto& [author, f] : s.forks()) {
    forks.push_back({{"author", crypto::to_text(author)}, {"seq", f.seq}, {"lamport", f.lamport}});
  }
  std::vector<std::pair<std::uint64_t, json>> invites;
  for (const auto& [id, inv] : s.invites) {
    invites.emplace_back(inv.made_at,
                         json{{"id", text_of(id)}, {"made_at", inv.made_at}, {"used", inv.used}});
  }
  std::sort(invites.begin(), invites.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  json invite_list = json::array();
  for (auto& [made_at, j] : invites) invite_list.push_back(std::move(j));
  json removed = json::object();
  for (const auto& m : s.members) {
    if (m.removed_at > 0) removed[crypto::to_text(m.id)] = m.removed_at;
  }
  return {{"effective_records", s.feed.size()},
          {"forks", std::move(forks)},
          {"invites", std::move(invite_list)},
          {"removed_at", std::move(removed)}};
}

}  // namespace

observation observe(const cm::state& s, const std::unordered_map<record_id, node::record>& held,
                    std::int64_t now_ts) {
  observation o;
  o["state"] = summary(s);
  o["community"] = cm::community_view(s);
  o["members"] = cm::members_view(s);
  cm::record_lookup lookup = [&held](const record_id& id) -> std::optional<node::record> {
    auto it = held.find(id);
    if (it == held.end()) return std::nullopt;
    return it->second;
  };
  cm::feed_query all;
  all.limit = 500;
  o["feed"] = cm::feed_view(s, all, &lookup);
  o["requests"] = cm::requests_view(s, {cm::request_filter::all, 500, std::nullopt});
  o["balance"] = cm::balance_view(s);
  o["ties"] = cm::ties_view(s);
  o["pulse"] = cm::pulse_view(s, now_ts);
  o["proposals"] = cm::proposals_view(s, now_ts, 500);
  o["circles"] = cm::circles_view(s);
  json who = json::object();
  for (const auto& topic : s.topics) who[topic] = cm::who_knows_view(s, topic);
  o["who_knows"] = std::move(who);
  return o;
}

holder::holder(const community_id& community)
    : community_(community), replayer_(std::make_unique<cm::replayer>(community)) {}

std::string holder::add(const std::vector<node::record>& batch) {
  std::vector<node::record> fresh;
  for (const auto& r : batch) {
    if (by_id_.count(r.id)) continue;
    by_id_.emplace(r.id, r);
    held_.push_back(r);
    store_.emplace(cm::position_of(r), r);
    fresh.push_back(r);
  }
  cm::record_source source = [this](const std::optional<cm::position>& after,
                                    const cm::position_filter&,
                                    const cm::record_visitor& visit) -> status {
    auto it = after ? store_.upper_bound(*after) : store_.begin();
    for (; it != store_.end(); ++it) {
      if (!visit(it->second)) break;
    }
    return {};
  };
  if (!fresh.empty()) {
    auto r = replayer_->absorb(fresh, source);
    if (!r.ok()) return "absorb failed: " + r.error().message();
  }
  for (const auto& [author, fork] : forks_of(held_)) {
    auto r = replayer_->mark_forked(author, fork, source);
    if (!r.ok()) return "mark_forked failed: " + r.error().message();
  }
  return "";
}

observation holder::observe(std::int64_t now_ts) const {
  return histories::observe(replayer_->current(), by_id_, now_ts);
}

observation holder::observe_from_scratch(std::int64_t now_ts) const {
  cm::state s(community_);
  s.set_forks(forks_of(held_));
  for (const auto& [p, r] : store_) s.apply(r);  // the store is in total order
  return histories::observe(s, by_id_, now_ts);
}

}  // namespace zwerm::conformance::histories
