// network_host in one process: two nodes (real stores in temp dirs, real TCP on 127.0.0.1,
// one io_context driven by the test): admission answers from the community state, and a join
// over the network followed by live push both ways.
#include "node/daemon/network_host.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "base/base64url.hpp"
#include "base/unix_time.hpp"
#include "crypto/hash.hpp"
#include "crypto/sodium.hpp"
#include "tests/node/network/test_node.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::node {
namespace {

using json = nlohmann::json;
using test::test_node;
using NetworkHost = test::network_fixture;

TEST_F(NetworkHost, AdmissionFollowsTheCommunityState) {
  test_node a(io);
  const community_id c = create(a);
  ASSERT_TRUE(a.net->start().ok());
  const crypto::network_key key = *a.host->network_key(c);
  const crypto::public_key stranger = crypto::generate_key_pair().pk;
  const crypto::public_key invitee = crypto::generate_key_pair().pk;

  EXPECT_EQ(a.net->authorize(key, a.keys.pk), net::admission::accept);
  // No open invite: a stranger is not let in at all.
  EXPECT_EQ(a.net->authorize(key, stranger), net::admission::reject);
  // Another community's network key: rejected.
  EXPECT_EQ(a.net->authorize(crypto::random_fixed<crypto::network_key>(), a.keys.pk),
            net::admission::reject);

  // An id invite admits its invitee only.
  ASSERT_TRUE(a.host
                  ->write(c, "member.invite",
                          json{{"note", ""},
                               {"expires_ts", unix_ms_now() + 60'000},
                               {"invitee", crypto::to_text(invitee)}})
                  .ok());
  EXPECT_EQ(a.net->authorize(key, invitee), net::admission::accept);
  EXPECT_EQ(a.net->authorize(key, stranger), net::admission::reject);

  // A token invite: strangers must show the token.
  const auto token = crypto::random_fixed<invite_token>();
  ASSERT_TRUE(a.host
                  ->write(c, "member.invite",
                          json{{"note", ""},
                               {"expires_ts", unix_ms_now() + 60'000},
                               {"token_hash", crypto::to_text(crypto::blake2b256(token.view()))}})
                  .ok());
  EXPECT_EQ(a.net->authorize(key, stranger), net::admission::needs_token);
  EXPECT_TRUE(a.net->check_token(key, stranger, token.view()));
  const auto other = crypto::random_fixed<invite_token>();
  EXPECT_FALSE(a.net->check_token(key, stranger, other.view()));
  EXPECT_FALSE(a.net->check_token(key, stranger, ""));
  EXPECT_FALSE(a.net->check_token(key, stranger, token.view().substr(0, 31)));

  // An expired token invite admits nobody.
  const auto old = crypto::random_fixed<invite_token>();
  ASSERT_TRUE(a.host
                  ->write(c, "member.invite",
                          json{{"note", ""},
                               {"expires_ts", unix_ms_now() - 1},
                               {"token_hash", crypto::to_text(crypto::blake2b256(old.view()))}})
                  .ok());
  EXPECT_FALSE(a.net->check_token(key, stranger, old.view()));
}

TEST_F(NetworkHost, JoinOverTheNetworkThenPushBothWays) {
  test_node a(io), b(io);
  const community_id c = create(a);
  ASSERT_TRUE(a.net->start().ok());
  ASSERT_TRUE(b.net->start().ok());
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(
        a.host
            ->write(c, "request",
                    json{{"title", "q" + std::to_string(i)}, {"body", ""}, {"tags", json::array()}})
            .ok());
  }
  const auto token = crypto::random_fixed<invite_token>();
  auto inv = a.host->write(c, "member.invite",
                           json{{"note", ""},
                                {"expires_ts", unix_ms_now() + 60'000},
                                {"token_hash", crypto::to_text(crypto::blake2b256(token.view()))}});
  ASSERT_TRUE(inv.ok());

  invite_code code;
  code.community = c;
  code.network_key = *a.host->network_key(c);
  code.invite_id = inv->id;
  code.invite_lamport = inv->lamport;
  code.token = token;
  code.peers.push_back({a.keys.pk, a.net->bound_address()});
  ASSERT_TRUE(b.net->begin_join(code).ok());
  // B writes its join first; once it took effect at A, the whole log comes along.
  ASSERT_TRUE(run_until([&] { return b.net->progress(c, inv->id).joined; }));
  ASSERT_TRUE(run_until([&] { return a.active(c, b.keys.pk); }));
  ASSERT_TRUE(
      run_until([&] { return b.host->state_of(c)->applied() == a.host->state_of(c)->applied(); }));

  // Live push both ways.
  ASSERT_TRUE(
      a.host->write(c, "request", json{{"title", "from a"}, {"body", ""}, {"tags", json::array()}})
          .ok());
  ASSERT_TRUE(
      b.host->write(c, "request", json{{"title", "from b"}, {"body", ""}, {"tags", json::array()}})
          .ok());
  ASSERT_TRUE(run_until([&] {
    return a.host->state_of(c)->applied() == b.host->state_of(c)->applied() &&
           a.host->state_of(c)->requests.size() == 52;
  })) << a.host->state_of(c)->applied()
      << " vs " << b.host->state_of(c)->applied();

  // Status shows the connection and no lag.
  auto st = b.net->status_json();
  EXPECT_EQ(st["peers"].size(), 1u) << st.dump();
  for (const auto& row : st["lag"]) EXPECT_EQ(row["behind"], 0) << st.dump();
}

TEST_F(NetworkHost, CommunitiesStayApart) {
  test_node a(io), b(io);
  const community_id c1 = create(a);
  const community_id c2 = create(a);
  ASSERT_TRUE(a.net->start().ok());
  ASSERT_TRUE(b.net->start().ok());
  ASSERT_TRUE(a.host
                  ->write(c2, "request",
                          json{{"title", "only in c2"}, {"body", ""}, {"tags", json::array()}})
                  .ok());
  const auto token = crypto::random_fixed<invite_token>();
  auto inv = a.host->write(c1, "member.invite",
                           json{{"note", ""},
                                {"expires_ts", unix_ms_now() + 60'000},
                                {"token_hash", crypto::to_text(crypto::blake2b256(token.view()))}});
  ASSERT_TRUE(inv.ok());
  invite_code code{c1,      *a.host->network_key(c1),
                   inv->id, inv->lamport,
                   token,   {{a.keys.pk, a.net->bound_address()}}};
  ASSERT_TRUE(b.net->begin_join(code).ok());
  ASSERT_TRUE(run_until([&] { return a.active(c1, b.keys.pk) && b.active(c1, b.keys.pk); }));
  ASSERT_TRUE(a.host
                  ->write(c2, "request",
                          json{{"title", "still only c2"}, {"body", ""}, {"tags", json::array()}})
                  .ok());
  ASSERT_TRUE(a.host
                  ->write(c1, "request",
                          json{{"title", "c1 after c2"}, {"body", ""}, {"tags", json::array()}})
                  .ok());
  ASSERT_TRUE(run_until([&] { return b.host->state_of(c1)->requests.size() == 1; }));
  // Nothing of the other community reached B, and A serves B only in c1.
  EXPECT_EQ(b.host->state_of(c2), nullptr);
  auto frontier = b.db->frontier(c2);
  ASSERT_TRUE(frontier.ok());
  EXPECT_TRUE(frontier->empty());
  EXPECT_EQ(a.net->peers_json(c1)["connections"].size(), 1u);
  EXPECT_EQ(a.net->peers_json(c2)["connections"].size(), 0u);
  // B, not a member of c2, cannot get in with c2's network key.
  EXPECT_EQ(a.net->authorize(*a.host->network_key(c2), b.keys.pk), net::admission::reject);
}

// A client that speaks the transport but sends garbage instead of sync messages.
struct recording_handler : net::session_handler {
  void on_connected(const net::session_ptr&) override {}
  void on_message(const net::session_ptr&, std::string_view) override {}
  void on_closed(const net::session_ptr&, const net::disconnect_info&) override { closed = true; }
  bool closed = false;
};

net::awaitable<void> dial_into(net::dialer* d, net::dial_target t,
                               std::optional<result<net::session_ptr>>* out) {
  auto r = co_await d->dial(std::move(t));
  out->emplace(std::move(r));
}

TEST_F(NetworkHost, PeerBreakingTheSyncProtocolIsClosedAndBanned) {
  test_node a(io);
  const community_id c = create(a);
  ASSERT_TRUE(a.net->start().ok());
  const crypto::key_pair hostile = crypto::generate_key_pair();
  // Invited by id, so the node admits it.
  ASSERT_TRUE(a.host
                  ->write(c, "member.invite",
                          json{{"note", ""},
                               {"expires_ts", unix_ms_now() + 60'000},
                               {"invitee", crypto::to_text(hostile.pk)}})
                  .ok());
  recording_handler handler;
  net::dialer d(io.get_executor(), hostile, handler);
  const net::dial_target target{"127.0.0.1", a.net->bound_address().port, a.keys.pk,
                                *a.host->network_key(c), ""};
  std::optional<result<net::session_ptr>> first;
  net::asio::co_spawn(io, dial_into(&d, target, &first), net::log_exception{"test dial"});
  ASSERT_TRUE(run_until([&] { return first.has_value(); }));
  ASSERT_TRUE(first->ok()) << first->error().message();
  ASSERT_TRUE((**first)->send(std::string("\xff\x00 not a sync message")));
  EXPECT_TRUE(run_until([&] { return handler.closed; }));

  // The address is banned now: the next connection is closed at accept.
  std::optional<result<net::session_ptr>> second;
  net::asio::co_spawn(io, dial_into(&d, target, &second), net::log_exception{"test dial"});
  ASSERT_TRUE(run_until([&] { return second.has_value(); }));
  EXPECT_FALSE(second->ok());
  d.stop();
}

TEST_F(NetworkHost, NodesOfProtocolVersionsOneAndTwoReplicateOverTcp) {
  test_node a(io);
  test_node old(io, [](network_options& o) { o.sync.max_version = 1; });  // an older node
  const community_id c = create(a);
  ASSERT_TRUE(a.net->start().ok());
  ASSERT_TRUE(old.net->start().ok());
  ASSERT_TRUE(join_by_token(a, old, c));
  ASSERT_TRUE(
      a.host->write(c, "request", json{{"title", "new"}, {"body", ""}, {"tags", json::array()}})
          .ok());
  ASSERT_TRUE(
      old.host->write(c, "request", json{{"title", "old"}, {"body", ""}, {"tags", json::array()}})
          .ok());
  ASSERT_TRUE(run_until([&] {
    return a.host->state_of(c)->requests.size() == 2 && old.host->state_of(c)->requests.size() == 2;
  }));
  EXPECT_EQ(a.host->state_of(c)->applied(), old.host->state_of(c)->applied());
}

TEST_F(NetworkHost, ANewerPeersVersionRangeAndUnknownOptionalMessagesAreNoFault) {
  test_node a(io);
  const community_id c = create(a);
  ASSERT_TRUE(a.net->start().ok());
  const crypto::key_pair newer = crypto::generate_key_pair();
  ASSERT_TRUE(a.host
                  ->write(c, "member.invite",
                          json{{"note", ""},
                               {"expires_ts", unix_ms_now() + 60'000},
                               {"invitee", crypto::to_text(newer.pk)}})
                  .ok());
  recording_handler handler;
  net::dialer d(io.get_executor(), newer, handler);
  const net::dial_target target{"127.0.0.1", a.net->bound_address().port, a.keys.pk,
                                *a.host->network_key(c), ""};
  std::optional<result<net::session_ptr>> first;
  net::asio::co_spawn(io, dial_into(&d, target, &first), net::log_exception{"test dial"});
  ASSERT_TRUE(run_until([&] { return first.has_value(); }));
  ASSERT_TRUE(first->ok()) << first->error().message();
  const auto& s = **first;
  // A node of version 2..7 with features and hello fields this node does not know, then
  // messages of optional types of its version.
  sync::hello h;
  h.min_version = 2;
  h.max_version = 7;
  h.features = 0x5;
  h.community = c;
  ASSERT_TRUE(s->send(sync::encode(h) + std::string(40, 'x')));
  ASSERT_TRUE(s->send(std::string("\x41 a message of version 7", 26)));
  ASSERT_TRUE(s->send(std::string("\xfe", 1)));
  run_for(std::chrono::milliseconds(500));
  EXPECT_FALSE(handler.closed);
  EXPECT_EQ(a.net->peers_json(c)["connections"].size(), 1u);

  // A node of versions 3..4 only: closed with both ranges named, and not banned.
  const crypto::key_pair future = crypto::generate_key_pair();
  ASSERT_TRUE(a.host
                  ->write(c, "member.invite",
                          json{{"note", ""},
                               {"expires_ts", unix_ms_now() + 60'000},
                               {"invitee", crypto::to_text(future.pk)}})
                  .ok());
  recording_handler handler2;
  net::dialer d2(io.get_executor(), future, handler2);
  std::optional<result<net::session_ptr>> second;
  net::asio::co_spawn(io, dial_into(&d2, target, &second), net::log_exception{"test dial"});
  ASSERT_TRUE(run_until([&] { return second.has_value(); }));
  ASSERT_TRUE(second->ok()) << second->error().message();
  h.min_version = 3;
  h.max_version = 4;
  ASSERT_TRUE((**second)->send(sync::encode(h)));
  ASSERT_TRUE(run_until([&] { return handler2.closed; }));
  std::optional<result<net::session_ptr>> third;
  net::asio::co_spawn(io, dial_into(&d2, target, &third), net::log_exception{"test dial"});
  ASSERT_TRUE(run_until([&] { return third.has_value(); }));
  EXPECT_TRUE(third->ok()) << "banned: " << third->error().message();
  d.stop();
  d2.stop();
}

TEST(BootstrapConfig, KeyAtHostPortNamesTheMemberKey) {
  const crypto::public_key k = crypto::generate_key_pair().pk;
  auto o = parse_config(
      R"({"bootstrap": [")" + crypto::to_text(k) + R"(@192.0.2.7:7411", "192.0.2.8:7411"]})",
      "config.json");
  ASSERT_TRUE(o.ok()) << o.error().message();
  ASSERT_EQ(o->bootstrap.size(), 2u);
  ASSERT_EQ(o->bootstrap_keys.size(), 2u);
  EXPECT_EQ(o->bootstrap[0].to_string(), "192.0.2.7:7411");
  EXPECT_EQ(o->bootstrap_keys[0], k);
  EXPECT_FALSE(o->bootstrap_keys[1].has_value());
  auto bad = parse_config(R"({"bootstrap": ["notakey@192.0.2.7:7411"]})", "config.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("bootstrap[0]"), std::string::npos) << bad.error().message();
}

TEST_F(NetworkHost, NoReachableNodeIsReported) {
  test_node b(io);
  ASSERT_TRUE(b.net->start().ok());
  invite_code code;
  code.community = crypto::random_fixed<community_id>();
  code.network_key = crypto::random_fixed<crypto::network_key>();
  code.invite_id = crypto::random_fixed<record_id>();
  code.invite_lamport = 2;
  // A port nothing listens on (our own listener's port + nothing: bind one and close it).
  net::asio::ip::tcp::acceptor probe(io, {net::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = probe.local_endpoint().port();
  probe.close();
  code.peers.push_back({crypto::generate_key_pair().pk, host_port{"127.0.0.1", port}});
  ASSERT_TRUE(b.net->begin_join(code).ok());
  ASSERT_TRUE(run_until([&] {
    auto p = b.net->progress(code.community, code.invite_id);
    return p.dials_failed >= 1 && p.dialing == 0;
  }));
  auto p = b.net->progress(code.community, code.invite_id);
  EXPECT_FALSE(p.joined);
  EXPECT_FALSE(p.join_written);  // nobody answered: nothing written
  EXPECT_EQ(p.connected, 0u);
  EXPECT_NE(p.last_problem.find("failed"), std::string::npos) << p.last_problem;
}

}  // namespace
}  // namespace zwerm::node
