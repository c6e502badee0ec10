// community_host: what it writes, and in which order, when a community is made; and the
// self-fork guard of a restored node (writes refused until its own feed is confirmed).
#include "node/daemon/community_host.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "base/base64url.hpp"
#include "crypto/sodium.hpp"
#include "store/store.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::node {
namespace {

// The network key is saved before the genesis: when the secrets file cannot be written, no
// record of the new community exists either (before, the genesis was committed first, and a
// crash or a failed save left a community whose network key nobody had).
TEST(CommunityHost, CreateWritesNoGenesisWhenTheNetworkKeyCannotBeSaved) {
  crypto::init();
  testing::temp_dir dir("zw-host");
  auto db = store::store::open(dir.path() / "db");
  ASSERT_TRUE(db.ok()) << db.error().message();
  const auto secrets = dir.path() / "communities.json";
  auto host = community_host::open(**db, crypto::generate_key_pair(), secrets);
  ASSERT_TRUE(host.ok()) << host.error().message();
  // A directory where the secrets file goes: every save fails (the rename cannot replace it).
  std::filesystem::create_directory(secrets);
  std::filesystem::create_directory(secrets / "keep");
  nlohmann::json body{{"name", "Never"},
                      {"purpose", "a save that fails"},
                      {"policy", {{"invite_by", "member"}, {"quorum_pct", 50}}}};
  auto made = (*host)->create(body);
  ASSERT_FALSE(made.ok());
  auto communities = (*db)->communities();
  ASSERT_TRUE(communities.ok());
  EXPECT_TRUE(communities->empty());
  EXPECT_TRUE((*host)->ids().empty());
}

nlohmann::json community_body(const std::string& name) {
  return {{"name", name},
          {"purpose", "the guard"},
          {"policy", {{"invite_by", "member"}, {"quorum_pct", 50}}}};
}

nlohmann::json request_body(const std::string& title) {
  return {{"title", title}, {"body", ""}, {"tags", nlohmann::json::array()}};
}

nlohmann::json read_json(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str(), nullptr, false, /*ignore_comments=*/true);
}

void write_json(const std::filesystem::path& file, const nlohmann::json& doc) {
  std::ofstream(file) << doc.dump(2) << "\n";
}

// What `zwerm restore` leaves: each community marked "own feed unconfirmed". The host refuses
// every write of the member's records there until confirm_own_feed(), which keeps the lifted
// mark in the file; a mark it does not know makes the file damaged, never ignored.
TEST(CommunityHost, ARestoredCommunityRefusesWritesUntilItsOwnFeedIsConfirmed) {
  crypto::init();
  testing::temp_dir dir("zw-host");
  const auto secrets = dir.path() / "communities.json";
  const crypto::key_pair me = crypto::generate_key_pair();
  community_id id;
  {
    auto db = store::store::open(dir.path() / "db");
    ASSERT_TRUE(db.ok()) << db.error().message();
    auto host = community_host::open(**db, me, secrets);
    ASSERT_TRUE(host.ok()) << host.error().message();
    auto made = (*host)->create(community_body("Guarded"));
    ASSERT_TRUE(made.ok()) << made.error().message();
    id = community_of_genesis(made->id);
    ASSERT_TRUE((*host)->write(id, "request", request_body("before")).ok());
  }
  auto doc = read_json(secrets);
  const std::string id_text = crypto::to_text(id);
  doc["communities"][id_text]["own_feed"] = "unconfirmed";
  doc["communities"][id_text]["restore_peers"] = {"bob@127.0.0.1:1"};
  write_json(secrets, doc);

  auto db = store::store::open(dir.path() / "db");
  ASSERT_TRUE(db.ok()) << db.error().message();
  auto host = community_host::open(**db, me, secrets);
  ASSERT_TRUE(host.ok()) << host.error().message();
  EXPECT_TRUE((*host)->own_feed_unconfirmed(id));
  EXPECT_EQ((*host)->restore_peers(id), std::vector<std::string>{"bob@127.0.0.1:1"});
  auto refused = (*host)->write(id, "request", request_body("too early"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), status_code::rejected);
  EXPECT_NE(refused.error().message().find("restored from a backup"), std::string::npos)
      << refused.error().message();
  auto own = (*db)->head(id, me.pk);
  ASSERT_TRUE(own.ok());
  ASSERT_TRUE(own->has_value());
  EXPECT_EQ((*own)->seq, 2u);  // the genesis and "before": nothing was written

  ASSERT_TRUE((*host)->confirm_own_feed(id).ok());
  EXPECT_FALSE((*host)->own_feed_unconfirmed(id));
  EXPECT_FALSE(read_json(secrets)["communities"][id_text].contains("own_feed"));
  auto written = (*host)->write(id, "request", request_body("after"));
  ASSERT_TRUE(written.ok()) << written.error().message();
  EXPECT_EQ(written->seq, 3u);

  // The network's guard refuses too, with its reason, and nothing is written.
  (*host)->write_guard = [](const community_id&) {
    return status{status_code::rejected, "a peer holds more of your feed"};
  };
  auto guarded = (*host)->write(id, "request", request_body("guarded"));
  ASSERT_FALSE(guarded.ok());
  EXPECT_EQ(guarded.error().message(), "a peer holds more of your feed");
  EXPECT_EQ((*(*db)->head(id, me.pk))->seq, 3u);
}

TEST(CommunityHost, AnUnknownOwnFeedMarkMakesTheSecretsFileDamaged) {
  crypto::init();
  testing::temp_dir dir("zw-host");
  const auto secrets = dir.path() / "communities.json";
  const std::string some_id(43, 'A');
  for (const auto& entry :
       {nlohmann::json{{"network_key", some_id}, {"own_feed", "maybe"}},
        nlohmann::json{
            {"network_key", some_id}, {"own_feed", "unconfirmed"}, {"restore_peers", "not a list"}},
        nlohmann::json{
            {"network_key", some_id}, {"own_feed", "unconfirmed"}, {"restore_peers", {1, 2}}}}) {
    write_json(secrets, {{"default", nullptr}, {"communities", {{some_id, entry}}}});
    auto db = store::store::open(dir.path() / "db");
    ASSERT_TRUE(db.ok()) << db.error().message();
    auto host = community_host::open(**db, crypto::generate_key_pair(), secrets);
    ASSERT_FALSE(host.ok()) << entry.dump();
    EXPECT_EQ(host.error().code(), status_code::corruption);
    EXPECT_NE(host.error().message().find("damaged"), std::string::npos);
  }
}

}  // namespace
}  // namespace zwerm::node
