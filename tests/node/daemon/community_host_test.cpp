// community_host: what it writes, and in which order, when a community is made.
#include "node/daemon/community_host.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace zwerm::node
