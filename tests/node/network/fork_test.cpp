// A member's feed forks and both sides reach two daemons (network_host + community_host over
// real stores, real TCP on 127.0.0.1): each node learns of the fork when sync brings it the
// other side, and from then on the member's records from the fork position have no effect on
// either node, whichever of the two records it kept; the marks survive a restart.
#include <gtest/gtest.h>

#include <functional>

#include "base/base64url.hpp"
#include "base/unix_time.hpp"
#include "crypto/hash.hpp"
#include "crypto/sodium.hpp"
#include "node/community/views.hpp"
#include "node/daemon/network_host.hpp"
#include "node/ingest/ingest.hpp"
#include "node/records/record_fork.hpp"
#include "node/records/record_writer.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::node {
namespace {

using json = nlohmann::json;

// One member's node; close() and reopen() keep the home (store and secrets).
struct fork_node {
  fork_node(net::asio::io_context& io, crypto::key_pair k,
            std::chrono::milliseconds anti_entropy = std::chrono::seconds(60))
      : io_(io), keys(k), anti_entropy_(anti_entropy) {
    open(true);
  }
  ~fork_node() { close(); }

  void open(bool with_network) {
    auto s = store::store::open(dir.path() / "db");
    ASSERT_TRUE(s.ok()) << s.error().message();
    db = std::move(*s);
    auto h = community_host::open(*db, keys, dir.path() / "communities.json");
    ASSERT_TRUE(h.ok()) << h.error().message();
    host = std::move(*h);
    if (!with_network) return;
    network_options o;
    o.listen = {"127.0.0.1", 0};
    o.listener.max_inbound_per_address = 16;
    o.anti_entropy_interval = anti_entropy_;
    net = std::make_unique<network_host>(io_.get_executor(), *host, o);
    host->on_appended = [this](const record& r, community_host::origin from) {
      net->on_host_appended(r, from);
    };
  }
  void close() {
    if (net) net->stop();
    net.reset();
    host.reset();  // writes the snapshot, as zwermd's stop does
    db.reset();
  }

  // Records that reached this node some other way (another device of their author, an import):
  // verified, committed and absorbed; the host's on_appended pushes them to peers.
  void deliver(const std::vector<record>& records) {
    ingestor in(*db);
    auto done = in.ingest_records(records);
    ASSERT_TRUE(done.ok()) << done.error().message();
    for (const auto& item : done->items) {
      ASSERT_EQ(item.stored.kind, store::outcome::appended) << item.stored.reason;
    }
    ASSERT_TRUE(host->absorb(done->appended, community_host::origin::this_node).ok());
  }

  const community::state& state(const community_id& c) const { return *host->state_of(c); }
  community::index index_of(const community_id& c, const crypto::public_key& m) const {
    return state(c).find_member(m);
  }

  net::asio::io_context& io_;
  testing::temp_dir dir{"zw-fork"};
  crypto::key_pair keys;
  std::chrono::milliseconds anti_entropy_;
  std::unique_ptr<store::store> db;
  std::unique_ptr<community_host> host;
  std::unique_ptr<network_host> net;
};

// Every view the RPC answers that a fork can change, as the RPC's text.
std::string views_of(const community::state& s) {
  using namespace community;
  json out;
  out["members"] = members_view_text(s);
  out["balance"] = balance_view_text(s);
  out["who_knows"] = who_knows_view(s, "forks");
  out["ties"] = ties_view(s);
  out["pulse"] = pulse_view(s, unix_ms_now());
  feed_query q;
  q.limit = 100;
  out["feed"] = feed_view(s, q);
  return out.dump();
}

json contribution(const std::string& title) {
  return {{"kind", "knowledge"}, {"title", title},     {"body", "how"},
          {"tags", {"forks"}},   {"answers", nullptr}, {"circle", nullptr}};
}

class Forks : public ::testing::Test {
 protected:
  void SetUp() override { crypto::init(); }

  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io.restart();
      io.run_for(std::chrono::milliseconds(20));
    }
    return true;
  }

  void run_for(std::chrono::milliseconds d) {
    const auto until = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < until) {
      io.restart();
      io.run_for(std::chrono::milliseconds(20));
    }
  }

  // A creates the community "Forked" (any member invites, quorum 50 %); both nodes listen.
  community_id create_and_start(fork_node& a, fork_node& b) {
    auto g = a.host->create({{"name", "Forked"},
                             {"purpose", "forks"},
                             {"policy", {{"invite_by", "member"}, {"quorum_pct", 50}}}});
    EXPECT_TRUE(g.ok()) << g.error().message();
    EXPECT_TRUE(a.net->start().ok());
    EXPECT_TRUE(b.net->start().ok());
    return community_of_genesis(g->id);
  }

  // A invites M by id; M's device (M runs no node) writes its join and a contribution C1
  // ("before the fork"), delivered to A. Returns M's device and C1.
  std::pair<feed_writer, record> admit_member_without_node(fork_node& a, const community_id& c,
                                                           const crypto::key_pair& m) {
    auto inv_m = a.host->write(c, "member.invite",
                               json{{"note", ""},
                                    {"expires_ts", unix_ms_now() + 600'000},
                                    {"invitee", crypto::to_text(m.pk)}});
    EXPECT_TRUE(inv_m.ok());
    feed_writer m_device(m, c, std::nullopt, a.state(c).head()->lamport);
    auto m_join = m_device.append(
        "member.join", json{{"invite", crypto::to_text(inv_m->id)}}.dump(), unix_ms_now());
    EXPECT_TRUE(m_join.ok());
    auto c1 =
        m_device.append("contribution", contribution("before the fork").dump(), unix_ms_now());
    EXPECT_TRUE(c1.ok());
    a.deliver({*m_join, *c1});
    return {m_device, *c1};
  }

  // A invites B with a one-time token; B dials A with the invite code and writes its join as
  // soon as A answers; once the join took effect at A, the log reaches B.
  void join_by_token(fork_node& a, fork_node& b, const community_id& c) {
    const auto token = crypto::random_fixed<invite_token>();
    auto inv_b =
        a.host->write(c, "member.invite",
                      json{{"note", ""},
                           {"expires_ts", unix_ms_now() + 600'000},
                           {"token_hash", crypto::to_text(crypto::blake2b256(token.view()))}});
    ASSERT_TRUE(inv_b.ok());
    invite_code code{c,         *a.host->network_key(c),
                     inv_b->id, inv_b->lamport,
                     token,     {{a.keys.pk, a.net->bound_address()}}};
    ASSERT_TRUE(b.net->begin_join(code).ok());
    auto active = [&](fork_node& n) {
      const community::state* st = n.host->state_of(c);
      return st && st->is_active_member(b.keys.pk);
    };
    ASSERT_TRUE(run_until([&] { return active(a) && active(b); }));
  }

  net::asio::io_context io;
};

TEST_F(Forks, AForkedMembersRecordsAfterTheForkHaveNoEffectOnEveryNodeAndAfterRestart) {
  fork_node a(io, crypto::generate_key_pair()), b(io, crypto::generate_key_pair());
  const crypto::key_pair m = crypto::generate_key_pair();  // the member who forks (no node)
  const community_id c = create_and_start(a, b);

  // M joins (records written on M's own device, delivered to A) and contributes C1.
  auto [m_device, c1] = admit_member_without_node(a, c, m);
  ASSERT_TRUE(
      a.host->write(c, "thanks", json{{"contribution", crypto::to_text(c1.id)}, {"note", ""}})
          .ok());

  // B joins over the network and gets the whole log.
  join_by_token(a, b, c);
  auto cb = b.host->write(c, "contribution", contribution("by b"));
  ASSERT_TRUE(cb.ok());
  ASSERT_TRUE(run_until([&] {
    return a.state(c).applied() == b.state(c).applied() &&
           a.index_of(c, b.keys.pk) != community::no_index;
  }));
  const auto m_on_a = a.index_of(c, m.pk);
  ASSERT_NE(m_on_a, community::no_index);
  EXPECT_EQ(a.state(c).members[m_on_a].given, 1u);

  // M's two devices both write seq 3: on A's side a contribution C2 (which A then thanks), on
  // B's side a thanks for B's contribution. Each node first holds only its side.
  feed_writer m_other_device = m_device;
  m_device.observe(a.state(c).head()->lamport);
  m_other_device.observe(b.state(c).head()->lamport + 5);  // the two sides differ in lamport too
  auto c2 = m_device.append("contribution", contribution("after the fork").dump(), unix_ms_now());
  ASSERT_TRUE(c2.ok());
  auto m_thanks = m_other_device.append(
      "thanks", json{{"contribution", crypto::to_text(cb->id)}, {"note", ""}}.dump(),
      unix_ms_now());
  ASSERT_TRUE(m_thanks.ok());
  ASSERT_EQ(c2->seq, m_thanks->seq);
  ASSERT_NE(c2->id, m_thanks->id);
  a.deliver({*c2});
  // A reacts to C2 before it knows of the fork; this thanks reaches B like any other record.
  auto a_thanks =
      a.host->write(c, "thanks", json{{"contribution", crypto::to_text(c2->id)}, {"note", ""}});
  ASSERT_TRUE(a_thanks.ok());
  b.deliver({*m_thanks});
  // Before either node knows of the fork, each side took effect where it was delivered.
  EXPECT_EQ(a.state(c).members[m_on_a].given, 2u);
  const auto b_on_b = b.index_of(c, b.keys.pk);
  EXPECT_EQ(b.state(c).members[b_on_b].given, 1u);
  EXPECT_TRUE(a.state(c).forks().empty());
  EXPECT_TRUE(b.state(c).forks().empty());

  // Sync brings each node the other side: both mark M forked at the same position.
  ASSERT_TRUE(run_until([&] {
    auto has = b.db->contains(a_thanks->id);
    return a.state(c).forks().contains(m.pk) && b.state(c).forks().contains(m.pk) && has.ok() &&
           *has;
  }));
  const community::fork_point expected{c2->seq, std::min(c2->lamport, m_thanks->lamport)};
  EXPECT_EQ(a.state(c).forks().at(m.pk), expected);
  EXPECT_EQ(b.state(c).forks().at(m.pk), expected);

  // Neither C2, nor A's thanks for C2, nor M's thanks for B's contribution counts; C1
  // (before the fork) and A's thanks for it still do.
  for (fork_node* n : {&a, &b}) {
    const auto& st = n->state(c);
    const auto mi = st.find_member(m.pk);
    EXPECT_EQ(st.members[mi].given, 1u);
    EXPECT_EQ(st.members[mi].taken, 0u);
    EXPECT_EQ(st.members[st.find_member(b.keys.pk)].given, 0u);
    EXPECT_EQ(st.members[st.find_member(a.keys.pk)].taken, 1u);
    EXPECT_EQ(st.members[mi].status, community::member_status::active);  // forked, not removed
    EXPECT_FALSE(st.is_active_member(m.pk));
  }
  // The views are byte-identical on both nodes, though A kept C2 and B kept M's thanks.
  const std::string views_a = views_of(a.state(c));
  EXPECT_EQ(views_a, views_of(b.state(c)));
  const json members = json::parse(community::members_view_text(a.state(c)));
  bool shown_forked = false;
  for (const auto& row : members["members"]) {
    if (row["id"] == crypto::to_text(m.pk)) shown_forked = row["status"] == "forked";
  }
  EXPECT_TRUE(shown_forked) << members.dump();
  // The RPC's default `members` (active members only) leaves the forked member out.
  EXPECT_EQ(
      community::members_view_text(a.state(c), /*active_only=*/true).find(crypto::to_text(m.pk)),
      std::string::npos);
  EXPECT_NE(a.db->get(c2->id).ok(), b.db->get(c2->id).ok());

  // After a restart (clean stop writes the snapshot) the marks and views are the same.
  a.close();
  b.close();
  a.open(false);
  b.open(false);
  EXPECT_EQ(a.state(c).forks().at(m.pk), expected);
  EXPECT_EQ(b.state(c).forks().at(m.pk), expected);
  EXPECT_EQ(views_of(a.state(c)), views_a);
  EXPECT_EQ(views_of(b.state(c)), views_a);
}

// The sync counters status_json reports for the one community of `n`.
json sync_row(const fork_node& n) {
  return n.net->status_json()["sync"].at(0);
}

// The connections `n` has, as status_json lists them (member and since_ts identify one).
json peer_rows(const fork_node& n) {
  return n.net->status_json()["peers"];
}

// After the fork, the device of M that wrote A's side goes on writing (seq 4 and 5, prev =
// A's seq 3). A relays them to B, who holds the other seq 3: B refuses them as the forked
// feed's continuation, but A is an honest relay, so B neither bans A nor closes the session,
// later records of A still reach B, both views stay identical, and anti-entropy rounds after
// that (the two heads of M's feed now differ for good) do not send those records again.
TEST_F(Forks, ARelayedContinuationOfAForkedFeedIsRefusedWithoutBanningTheRelay) {
  const auto period = std::chrono::milliseconds(100);
  fork_node a(io, crypto::generate_key_pair(), period), b(io, crypto::generate_key_pair(), period);
  const crypto::key_pair m = crypto::generate_key_pair();
  const community_id c = create_and_start(a, b);
  auto [m_device, c1] = admit_member_without_node(a, c, m);

  join_by_token(a, b, c);
  ASSERT_TRUE(run_until([&] {
    return a.state(c).applied() == b.state(c).applied() &&
           a.index_of(c, b.keys.pk) != community::no_index;
  }));

  // The fork at seq 3: A holds 3a, B holds 3b; sync gives each the other as a proof.
  feed_writer m_other_device = m_device;
  m_device.observe(a.state(c).head()->lamport);
  m_other_device.observe(b.state(c).head()->lamport + 5);
  auto s3a = m_device.append("contribution", contribution("side a").dump(), unix_ms_now());
  auto s3b = m_other_device.append("contribution", contribution("side b").dump(), unix_ms_now());
  ASSERT_TRUE(s3a.ok() && s3b.ok());
  a.deliver({*s3a});
  b.deliver({*s3b});
  ASSERT_TRUE(run_until(
      [&] { return a.state(c).forks().contains(m.pk) && b.state(c).forks().contains(m.pk); }));
  ASSERT_EQ(peer_rows(b).size(), 1u);
  const json link_before = peer_rows(b).at(0);

  // M's device of side a writes seq 4 and 5; they reach A, which pushes them to B.
  const auto received_before = sync_row(b)["records_received"].get<std::uint64_t>();
  auto s4a = m_device.append("contribution", contribution("side a, later").dump(), unix_ms_now());
  ASSERT_TRUE(s4a.ok());
  auto s5a =
      m_device.append("contribution", contribution("side a, later still").dump(), unix_ms_now());
  ASSERT_TRUE(s5a.ok());
  ASSERT_EQ(s4a->seq, 4u);
  a.deliver({*s4a, *s5a});
  auto a_head = a.db->head(c, m.pk);
  ASSERT_TRUE(a_head.ok() && a_head->has_value());
  EXPECT_EQ((*a_head)->seq, 5u);
  // B gets them (live push, and the fetch its anti-entropy starts) and stores neither.
  ASSERT_TRUE(run_until(
      [&] { return sync_row(b)["records_received"].get<std::uint64_t>() >= received_before + 2; }));

  // An honest record of A written after that still reaches B over the same connection.
  auto later = a.host->write(c, "contribution", contribution("by a, after"));
  ASSERT_TRUE(later.ok());
  ASSERT_TRUE(run_until([&] {
    auto has = b.db->contains(later->id);
    return has.ok() && *has;
  }));
  EXPECT_FALSE(b.db->contains(s4a->id).value());
  EXPECT_FALSE(b.db->contains(s5a->id).value());
  auto b_head = b.db->head(c, m.pk);
  ASSERT_TRUE(b_head.ok() && b_head->has_value());
  EXPECT_EQ((*b_head)->seq, 3u);
  EXPECT_TRUE((*b_head)->forked);
  EXPECT_EQ(b.db->pending_count().value(), 0u);  // 5 is not held past a gap either
  ASSERT_EQ(peer_rows(b).size(), 1u);
  EXPECT_EQ(peer_rows(b).at(0), link_before);  // the same connection: not closed, not redialed
  ASSERT_EQ(peer_rows(a).size(), 1u);
  EXPECT_EQ(peer_rows(a).at(0)["member"], crypto::to_text(b.keys.pk));

  // Nothing loops: over about 15 anti-entropy periods (each side probes every 100 ms) the
  // feed heads of M still differ, and B is sent no record again, only reconciliation
  // messages (frontier, buckets, heads).
  run_for(3 * period);  // whatever is still in flight settles
  const json settled_b = sync_row(b), settled_a = sync_row(a);
  run_for(15 * period);
  const json after_b = sync_row(b), after_a = sync_row(a);
  EXPECT_EQ(after_b["records_received"], settled_b["records_received"]);
  EXPECT_EQ(after_a["records_received"], settled_a["records_received"]);
  const auto received = after_b["bytes_received"].get<std::uint64_t>() -
                        settled_b["bytes_received"].get<std::uint64_t>();
  EXPECT_GT(received, 0u);         // the rounds did run
  EXPECT_LT(received, 8u * 1024);  // a few hundred bytes per round, never the records
  EXPECT_EQ(peer_rows(b).at(0), link_before);

  // Both views are identical: M is forked at seq 3 on both, nothing of M from 3 on counts.
  EXPECT_EQ(a.state(c).forks().at(m.pk), b.state(c).forks().at(m.pk));
  EXPECT_EQ(views_of(a.state(c)), views_of(b.state(c)));
}

// Forks travel: A sits between B and C; M's two devices write seq 3 differently, one side
// reaching B, the other C. A holds the proof first and relays it, so that B, whose log has the
// same record as A's (reconciliation alone would never show B a difference), learns of the fork
// too. Anti-entropy is left at its 60 s: only the relay can be fast.
TEST_F(Forks, AProofReachesEveryNodeWithinTwoSeconds) {
  fork_node a(io, crypto::generate_key_pair()), b(io, crypto::generate_key_pair()),
      c3(io, crypto::generate_key_pair());
  const crypto::key_pair m = crypto::generate_key_pair();
  const community_id c = create_and_start(a, b);
  ASSERT_TRUE(c3.net->start().ok());
  auto [m_device, c1] = admit_member_without_node(a, c, m);
  join_by_token(a, b, c);
  join_by_token(a, c3, c);
  ASSERT_TRUE(run_until([&] {
    for (fork_node* n : {&b, &c3}) {
      auto head = n->db->head(c, m.pk);
      if (!head.ok() || !head->has_value() || (*head)->seq != c1.seq) return false;
    }
    return a.index_of(c, c3.keys.pk) != community::no_index &&
           a.index_of(c, b.keys.pk) != community::no_index;
  }));
  // B and C are not connected to each other (nobody published an address): only through A.
  feed_writer m_other_device = m_device;
  m_device.observe(a.state(c).head()->lamport);
  m_other_device.observe(a.state(c).head()->lamport + 3);
  auto x = m_device.append("contribution", contribution("one side").dump(), unix_ms_now());
  auto y = m_other_device.append("contribution", contribution("other side").dump(), unix_ms_now());
  ASSERT_TRUE(x.ok() && y.ok());
  ASSERT_EQ(x->seq, y->seq);
  // Both sides at once: each of B and C holds its own side before anything moves.
  const auto started = std::chrono::steady_clock::now();
  b.deliver({*x});
  c3.deliver({*y});
  auto knows = [&](fork_node& n) {
    auto proofs = n.db->forks(c, m.pk);
    return n.state(c).forks().contains(m.pk) && proofs.ok() && !proofs->empty();
  };
  ASSERT_TRUE(run_until([&] { return knows(a) && knows(b) && knows(c3); }))
      << knows(a) << knows(b) << knows(c3);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  // The proof each node holds checks out, and all agree on where the fork is.
  for (fork_node* n : {&a, &b, &c3}) {
    auto proofs = n->db->forks(c, m.pk);
    ASSERT_TRUE(proofs.ok());
    auto facts =
        verify_fork_proof(fork_proof{proofs->front().kept.bytes, proofs->front().other.bytes});
    ASSERT_TRUE(facts.ok()) << facts.error().message;
    EXPECT_EQ(facts->seq, x->seq);
    EXPECT_EQ(n->state(c).forks().at(m.pk),
              (community::fork_point{x->seq, std::min(x->lamport, y->lamport)}));
  }
}

}  // namespace
}  // namespace zwerm::node
