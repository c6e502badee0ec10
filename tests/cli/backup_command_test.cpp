// `zwerm backup` / `zwerm restore` on real homes in temp dirs (cli/backup_command.hpp), with
// fast key derivation: the round trip of every file, and payloads that open but make no sense
// (sealed with the right passphrase, as a forger who knows it would), each refused with
// nothing written.
#include "cli/backup_command.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/base64url.hpp"
#include "cli/init_command.hpp"
#include "crypto/identity.hpp"
#include "crypto/sodium.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::cli {
namespace {

using json = nlohmann::json;

crypto::backup_kdf fast() {
  crypto::backup_kdf k;
  k.opslimit = 1;
  k.memlimit = 8192;
  return k;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

const std::string some_id = crypto::base64url_encode(std::string(32, 'c'));
const std::string some_key = crypto::base64url_encode(std::string(32, 'k'));

class BackupCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    init_options io;
    io.home = (dir_ / "home").string();
    io.name = "Ada";
    auto made = run_init(io);
    ASSERT_TRUE(made.ok()) << made.error().message();
    member_ = made->member_id;
    write_file(dir_ / "home" / "communities.json",
               "// comment\n" + json{{"default", some_id},
                                     {"communities", {{some_id, {{"network_key", some_key}}}}}}
                                    .dump());
  }

  result<backup_outcome> backup(std::map<std::string, std::vector<std::string>> peers = {}) {
    backup_options o;
    o.home = (dir_ / "home").string();
    o.file = dir_ / "ada.backup";
    o.passphrase = "correct horse";
    o.kdf = fast();
    o.peers = std::move(peers);
    return run_backup(o);
  }

  result<restore_outcome> restore(const std::filesystem::path& file,
                                  std::vector<std::string> peers = {}) {
    restore_options o;
    o.home = (dir_ / "restored").string();
    o.file = file;
    o.passphrase = "correct horse";
    o.peers = std::move(peers);
    return run_restore(o);
  }

  // A backup whose payload is `payload`, sealed with the test's passphrase.
  std::filesystem::path forged(const json& payload) {
    auto sealed = crypto::seal_backup(payload.dump(), "correct horse", fast());
    EXPECT_TRUE(sealed.ok());
    const auto file = dir_ / "forged.backup";
    write_file(file, *sealed);
    return file;
  }

  json good_payload() {
    auto keys = crypto::load_identity(dir_ / "home" / "identity.key", std::nullopt);
    EXPECT_TRUE(keys.ok());
    return json{
        {"zwerm_backup", 1},
        {"member_id", member_},
        {"identity_seed",
         crypto::base64url_encode(std::string(reinterpret_cast<const char*>(keys->sk.data()), 32))},
        {"config", nullptr},
        {"default", nullptr},
        {"communities", {{some_id, {{"network_key", some_key}, {"peers", json::array()}}}}}};
  }

  testing::temp_dir dir_{"zw-backup"};
  std::string member_;
};

TEST_F(BackupCommand, RoundTripBringsBackEveryFileAndMarksTheOwnFeed) {
  auto made = backup({{some_id, {member_ + "@127.0.0.1:7411", "not an address"}}});
  ASSERT_TRUE(made.ok()) << made.error().message();
  EXPECT_EQ(made->communities, 1u);
  EXPECT_EQ(made->peers, 1u);  // the malformed hint is left out
  auto back = restore(dir_ / "ada.backup", {member_ + "@192.0.2.1:1"});
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->member_id, member_);
  EXPECT_TRUE(back->config_written);
  EXPECT_EQ(read_file(dir_ / "restored" / "identity.key"),
            read_file(dir_ / "home" / "identity.key"));
  EXPECT_EQ(read_file(dir_ / "restored" / "config.json"), read_file(dir_ / "home" / "config.json"));
  json secrets = json::parse(read_file(dir_ / "restored" / "communities.json"), nullptr, false,
                             /*ignore_comments=*/true);
  EXPECT_EQ(secrets["default"], some_id);
  const json& entry = secrets["communities"][some_id];
  EXPECT_EQ(entry["network_key"], some_key);
  EXPECT_EQ(entry["own_feed"], "unconfirmed");
  EXPECT_EQ(entry["restore_peers"],
            json::array({member_ + "@127.0.0.1:7411", member_ + "@192.0.2.1:1"}));
  // Over the identity it made: refused without --force.
  auto again = restore(dir_ / "ada.backup");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), status_code::already_exists);
}

TEST_F(BackupCommand, PayloadsThatMakeNoSenseAreRefusedAndNothingIsWritten) {
  ASSERT_TRUE(restore(forged(good_payload())).ok());  // the forger's baseline works
  std::filesystem::remove_all(dir_ / "restored");
  std::vector<std::pair<std::string, json>> cases;
  auto with = [&](const std::string& why, const std::function<void(json&)>& change) {
    json p = good_payload();
    change(p);
    cases.emplace_back(why, p);
  };
  with("not an object", [](json& p) { p = json::array({1}); });
  with("no version", [](json& p) { p.erase("zwerm_backup"); });
  with("a newer version", [](json& p) { p["zwerm_backup"] = 2; });
  with("no seed", [](json& p) { p.erase("identity_seed"); });
  with("a short seed", [](json& p) { p["identity_seed"] = "AAAA"; });
  with("another member id", [](json& p) { p["member_id"] = some_id; });
  with("communities not an object", [](json& p) { p["communities"] = "all"; });
  with("a bad community id", [](json& p) {
    p["communities"] = {{"short", {{"network_key", some_key}}}};
  });
  with("no network key", [](json& p) { p["communities"][some_id].erase("network_key"); });
  with("a bad peer", [](json& p) { p["communities"][some_id]["peers"] = {"x@y"}; });
  with("a default it does not hold", [](json& p) { p["default"] = some_key; });
  with("a config that is no text", [](json& p) { p["config"] = 7; });
  for (const auto& [why, payload] : cases) {
    auto r = restore(forged(payload));
    ASSERT_FALSE(r.ok()) << why;
    EXPECT_FALSE(std::filesystem::exists(dir_ / "restored")) << why;
  }
  // A malformed --peer is a usage error, also before anything is written.
  auto bad_peer = restore(forged(good_payload()), {"nobody@nowhere"});
  ASSERT_FALSE(bad_peer.ok());
  EXPECT_EQ(bad_peer.error().code(), status_code::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "restored"));
}

TEST_F(BackupCommand, ABackupNeverReplacesAFileWithoutForce) {
  write_file(dir_ / "ada.backup", "keep me");
  auto made = backup();
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().code(), status_code::already_exists);
  EXPECT_EQ(read_file(dir_ / "ada.backup"), "keep me");
}

TEST_F(BackupCommand, ADamagedSecretsFileIsNotBackedUp) {
  write_file(dir_ / "home" / "communities.json", R"({"communities": {"x": 1}})");
  auto made = backup();
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().code(), status_code::corruption);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "ada.backup"));
}

}  // namespace
}  // namespace zwerm::cli
