// A small community driven through the real daemon parts, for the state-on-disk tests and
// their crash child: member A is the node's own identity (writes through community_host),
// the other members' records arrive the way sync delivers them (verified by an ingestor,
// committed, then absorbed by the host), some of them late in total order.
#pragma once

#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/base64url.hpp"
#include "crypto/sign.hpp"
#include "node/community/snapshot.hpp"
#include "node/community/views.hpp"
#include "node/daemon/community_host.hpp"
#include "node/daemon/state_store.hpp"
#include "node/ingest/ingest.hpp"
#include "node/records/record_writer.hpp"
#include "store/store.hpp"

namespace zwerm::node::testing {

inline crypto::key_pair member_key(std::uint8_t n) {
  crypto::seed s;
  std::memset(s.bytes.data(), 0, s.bytes.size());
  s.bytes[0] = n;
  s.bytes[31] = 0x5a;
  return crypto::key_pair_from_seed(s);
}

inline constexpr std::int64_t sim_t0 = 1'700'000'000'000;

class state_sim {
 public:
  // Opens (or creates) the store in `dir` and the host with `opts`. `members` other members.
  state_sim(std::filesystem::path dir, state_store_options opts, std::size_t members = 3)
      : dir_(std::move(dir)), opts_(opts) {
    for (std::size_t i = 0; i < members; ++i)
      others_.push_back(member_key(static_cast<std::uint8_t>(i + 2)));
    open();
  }

  void open() {
    auto s = store::store::open(dir_ / "db");
    if (!s) throw std::runtime_error(s.error().message());
    db_ = std::move(*s);
    ingest_ = std::make_unique<ingestor>(*db_);
    auto h = community_host::open(*db_, me_, dir_ / "communities.json", opts_);
    if (!h) throw std::runtime_error(h.error().message());
    host_ = std::move(*h);
    if (!host_->ids().empty()) community_ = host_->ids().front();
  }
  // Clean close: the host writes its checkpoints.
  void close() {
    host_.reset();
    ingest_.reset();
    db_.reset();
  }

  store::store& db() { return *db_; }
  community_host& host() { return *host_; }
  const community_id& community() const { return community_; }
  const community::state& current() const { return *host_->state_of(community_); }

  // Genesis by A, then an invite by A and a join and a profile per other member.
  void setup() {
    auto g = host_->create({{"name", "Sim"},
                            {"purpose", "state on disk"},
                            {"policy", {{"invite_by", "member"}, {"quorum_pct", 50}}}});
    if (!g) throw std::runtime_error(g.error().message());
    community_ = community_of_genesis(g->id);
    for (std::size_t i = 0; i < others_.size(); ++i) {
      auto inv = a_write("member.invite", {{"invitee", crypto::to_text(others_[i].pk)},
                                           {"note", ""},
                                           {"expires_ts", sim_t0 + 1'000'000'000'000}});
      member_write(i, "member.join", {{"invite", crypto::to_text(inv.id)}}, false);
      member_write(i, "profile", profile(i + 1), false);
    }
  }

  // `n` more records from random writers; with late = true about one in ten of the members'
  // records takes a lamport just after its own feed head (often far behind the community's).
  void grow(std::size_t n, std::mt19937_64& rng, bool late = true) {
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t who = rng() % (others_.size() + 1);
      const std::uint64_t roll = rng() % 100;
      std::string type;
      nlohmann::json body;
      if (roll < 40 || contributions_.empty()) {
        type = "contribution";
        body = {{"kind", "knowledge"},   {"title", "thing " + std::to_string(k)},
                {"body", "what I know"}, {"tags", {"topic" + std::to_string(rng() % 7)}},
                {"answers", nullptr},    {"circle", nullptr}};
      } else if (roll < 75) {
        type = "thanks";
        body = {{"contribution", contributions_[rng() % contributions_.size()]},
                {"note", "thank you"}};
      } else if (roll < 90) {
        type = "request";
        body = {{"title", "who can help"}, {"body", "details"}, {"tags", {"topic1"}}};
      } else {
        type = "profile";
        body = profile(who);
      }
      record r = who == 0 ? a_write(type, body)
                          : member_write(who - 1, type, body, late && rng() % 10 == 0);
      if (type == "contribution") contributions_.push_back(crypto::to_text(r.id));
    }
  }

  record a_write(const std::string& type, const nlohmann::json& body) {
    auto r = host_->write(community_, type, body);
    if (!r) throw std::runtime_error(r.error().message());
    return *r;
  }

  // A member's next record, committed like a sync batch and absorbed by the host. late: its
  // lamport follows the member's own head instead of the newest record of the community.
  record member_write(std::size_t i, const std::string& type, const nlohmann::json& body,
                      bool late) {
    auto r = make_member_record(i, type, body, late);
    commit_and_absorb(r);
    return r;
  }

  record make_member_record(std::size_t i, const std::string& type, const nlohmann::json& body,
                            bool late) {
    const auto& k = others_.at(i);
    auto h = db_->head(community_, k.pk);
    if (!h) throw std::runtime_error(h.error().message());
    std::optional<feed_head> head;
    std::uint64_t max_lamport = current().head() ? current().head()->lamport : 0;
    if (*h) {
      head = **h;
      if (late) max_lamport = (*h)->lamport;
    }
    feed_writer w(k, community_, head, max_lamport);
    auto r = w.append(type, body.dump(), sim_t0 + static_cast<std::int64_t>(++clock_) * 60'000);
    if (!r) throw std::runtime_error(r.error().message());
    return *r;
  }

  // Commits without telling the host (a record some other writer committed).
  std::vector<record> commit_only(const record& r) {
    auto done = ingest_->ingest_records(std::span<const record>(&r, 1));
    if (!done) throw std::runtime_error(done.error().message());
    return done->appended;
  }

  void commit_and_absorb(const record& r) {
    auto appended = commit_only(r);
    if (status s = host_->absorb(appended); !s.ok()) throw std::runtime_error(s.message());
  }

  const std::vector<crypto::key_pair>& others() const { return others_; }

 private:
  nlohmann::json profile(std::size_t who) {
    return {{"name", "member " + std::to_string(who)},
            {"about", "v" + std::to_string(++clock_)},
            {"skills", {"topic" + std::to_string(who % 7)}},
            {"address", nullptr}};
  }

  std::filesystem::path dir_;
  state_store_options opts_;
  crypto::key_pair me_ = member_key(1);
  std::vector<crypto::key_pair> others_;
  std::unique_ptr<store::store> db_;
  std::unique_ptr<ingestor> ingest_;
  std::unique_ptr<community_host> host_;
  community_id community_;
  std::vector<std::string> contributions_;
  std::uint64_t clock_ = 0;
};

// Every view of the state as JSON text (the RPC's answers), for byte comparison.
inline std::string all_views(const community::state& s) {
  using namespace community;
  nlohmann::json out;
  out["community"] = community_view(s);
  out["members"] = members_view_text(s);
  feed_query feed;
  feed.limit = 500;
  out["feed"] = feed_view(s, feed);
  requests_query requests;
  requests.filter = request_filter::all;
  requests.limit = 500;
  out["requests"] = requests_view(s, requests);
  out["balance"] = balance_view_text(s);
  out["who_knows"] = who_knows_view(s, "topic1");
  out["ties"] = ties_view(s);
  out["pulse"] = pulse_view(s, sim_t0 + 30LL * 86'400'000);
  out["proposals"] = proposals_view(s, sim_t0);
  out["circles"] = circles_view(s);
  return out.dump();
}

// The state rebuilt from every stored record, ignoring any snapshot.
inline std::unique_ptr<community::replayer> full_replay(store::store& db, const community_id& c) {
  auto r = community::replayer::open(c, std::nullopt, store_record_source(db, c));
  if (!r) throw std::runtime_error(r.error().message());
  return std::move(*r);
}

}  // namespace zwerm::node::testing
