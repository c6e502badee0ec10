// One process, several nodes: a node is a real store in a temp dir, a community host and a
// network host on a shared io_context that the test drives (network_host_test, membership_test).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>

#include <nlohmann/json.hpp>

#include "base/base64url.hpp"
#include "base/unix_time.hpp"
#include "crypto/hash.hpp"
#include "crypto/sodium.hpp"
#include "node/daemon/network_host.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::node::test {

using json = nlohmann::json;

// One member's node: store, community host and network host on the shared io_context.
struct test_node {
  explicit test_node(net::asio::io_context& io,
                     const std::function<void(network_options&)>& tune = {})
      : keys(crypto::generate_key_pair()) {
    auto s = store::store::open(dir.path() / "db");
    EXPECT_TRUE(s.ok());
    db = std::move(*s);
    network_options o;
    o.listen = {"127.0.0.1", 0};
    o.listener.max_inbound_per_address = 16;
    if (tune) tune(o);
    // The host reads the clock the network does (a test may give both a manual one).
    auto h = community_host::open(*db, keys, dir.path() / "communities.json", {}, *o.clock);
    EXPECT_TRUE(h.ok());
    host = std::move(*h);
    net = std::make_unique<network_host>(io.get_executor(), *host, o);
    host->on_appended = [this](const record& r, community_host::origin from) {
      net->on_host_appended(r, from);
    };
  }
  ~test_node() { net->stop(); }

  bool active(const community_id& c, const crypto::public_key& m) const {
    const auto* st = host->state_of(c);
    if (!st) return false;
    auto i = st->find_member(m);
    return i != community::no_index && st->members[i].status == community::member_status::active;
  }

  testing::temp_dir dir{"zw-net"};
  crypto::key_pair keys;
  std::unique_ptr<store::store> db;
  std::unique_ptr<community_host> host;
  std::unique_ptr<network_host> net;
};

class network_fixture : public ::testing::Test {
 protected:
  void SetUp() override { crypto::init(); }

  // Runs the io_context until `done` or 10 s pass.
  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io.restart();
      io.run_for(std::chrono::milliseconds(20));
    }
    return true;
  }

  // Each call names its community apart: two identical genesis records written in the same
  // millisecond would be one record (the same bytes, the same id).
  static community_id create(test_node& n, int quorum_pct = 50) {
    static int made = 0;
    json body{{"name", "Test " + std::to_string(++made)},
              {"purpose", "networking"},
              {"policy", {{"invite_by", "member"}, {"quorum_pct", quorum_pct}}}};
    auto g = n.host->create(body);
    EXPECT_TRUE(g.ok()) << (g.ok() ? "" : g.error().message());
    return community_of_genesis(g->id);
  }

  // Runs the io_context for `d`.
  void run_for(std::chrono::milliseconds d) {
    const auto deadline = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_for(std::chrono::milliseconds(20));
    }
  }

  // `a` writes a token invite for `token`, good for `valid_ms`.
  static record token_invite_record(test_node& a, const community_id& c, const invite_token& token,
                                    std::int64_t valid_ms = 600'000) {
    auto inv =
        a.host->write(c, "member.invite",
                      json{{"note", ""},
                           {"expires_ts", unix_ms_now() + valid_ms},
                           {"token_hash", crypto::to_text(crypto::blake2b256(token.view()))}});
    EXPECT_TRUE(inv.ok()) << (inv.ok() ? "" : inv.error().message());
    return inv.ok() ? *inv : record{};
  }
  static record_id token_invite(test_node& a, const community_id& c, const invite_token& token,
                                std::int64_t valid_ms = 600'000) {
    return token_invite_record(a, c, token, valid_ms).id;
  }

  // A invites B with a one-time token; B dials A with the invite code and writes its join as
  // soon as A answers (join first, read after); the join reaches A by sync, and then the log
  // reaches B. True when A sees B active and B holds the community's state.
  bool join_by_token(test_node& a, test_node& b, const community_id& c) {
    const auto token = crypto::random_fixed<invite_token>();
    const record inv = token_invite_record(a, c, token);
    invite_code code{c,      *a.host->network_key(c),
                     inv.id, inv.lamport,
                     token,  {{a.keys.pk, a.net->bound_address()}}};
    if (!b.net->begin_join(code).ok()) return false;
    return run_until([&] { return a.active(c, b.keys.pk) && b.active(c, b.keys.pk); });
  }

  // Connections of `n` in community c (peers_json).
  static std::size_t connections(test_node& n, const community_id& c) {
    return n.net->peers_json(c)["connections"].size();
  }

  net::asio::io_context io;
};

}  // namespace zwerm::node::test
