// `zwerm backup` and `zwerm restore` end to end, with real zwermd processes on 127.0.0.1:
//
// - RoundTripWithoutASelfFork: Ada writes, backs up, writes more (which reach Bob), loses her
//   home and restores it. Her restored node refuses to write while no member's node has told it
//   the head of her feed (Bob is down), catches up once Bob is back, then writes the record
//   after her old head; no node sees a fork.
// - HostileFilesAndHomes: a wrong passphrase, a damaged, truncated or foreign file, a restore
//   into a home that has an identity, a backup over an existing file, a passphrase file others
//   can read, a short passphrase, a malformed --peer: each refused with its reason, and nothing
//   written.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "tests/e2e/node_harness.hpp"
#include "tests/e2e/ok_json.hpp"

namespace zwerm::testing {
namespace {

using json = nlohmann::json;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::filesystem::path& p, const std::string& bytes, unsigned mode = 0600) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
  ::chmod(p.c_str(), mode);
}

// The seq of `member`'s feed that `n` holds (from status), -1 when it does not say.
std::int64_t have_seq(const node_harness& n, const std::string& member) {
  auto s = n.zwerm_json({"status"});
  if (!s.is_object() || !s.contains("lag")) return -1;
  for (const auto& row : s["lag"]) {
    if (str(row, "member") == member) return row.value("have_seq", std::int64_t{-1});
  }
  return -1;
}

// The state of this member's own feed in the node's (only) community, from status.
std::string own_feed_state(const node_harness& n) {
  auto s = n.zwerm_json({"status"});
  if (!s.is_object() || !s.contains("sync") || s["sync"].empty()) return "";
  return s["sync"][0].value("own_feed", json::object()).value("state", std::string());
}

std::size_t forked_members(const node_harness& n) {
  auto m = n.zwerm_json({"members", "--all"});
  std::size_t forked = 0;
  for (const auto& row : m.value("members", json::array()))
    forked += str(row, "status") == "forked";
  return forked;
}

bool home_is_empty(const std::filesystem::path& home) {
  return std::filesystem::is_empty(home);
}

void wipe(const std::filesystem::path& home) {
  for (const auto& e : std::filesystem::directory_iterator(home)) {
    std::filesystem::remove_all(e.path());
  }
}

TEST(BackupRestore, RoundTripWithoutASelfFork) {
  node_harness ada("ada"), bob("bob");
  temp_dir keep("zw-keep");
  const auto pass = keep.path() / "pass";
  const auto file = keep.path() / "ada.backup";
  write_file(pass, "a long enough passphrase\n");
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  ASSERT_TRUE(bob.start(&why)) << why;
  ok_json(ada, {"community", "create", "Guild", "--purpose", "backups"});
  auto invite = ok_json(ada, {"invite"});
  ok_json(bob, {"join", str(invite, "code")});
  for (int i = 0; i < 3; ++i) ok_json(ada, {"ask", "before the backup " + std::to_string(i)});

  auto made = ada.zwerm({"--json", "backup", file.string(), "--passphrase-file", pass.string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  struct stat st;
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string sealed = read_file(file);
  EXPECT_EQ(sealed.substr(0, 8), "ZWERMBAK");
  EXPECT_EQ(sealed.find(read_file(ada.home() / "communities.json").substr(100, 20)),
            std::string::npos);  // nothing of the secrets in the clear

  // Written after the backup: only Bob's node keeps these for Ada.
  for (int i = 0; i < 2; ++i) ok_json(ada, {"ask", "after the backup " + std::to_string(i)});
  const std::int64_t old_head = have_seq(ada, ada.member_id());
  ASSERT_GE(old_head, 6);  // genesis, profile?, 3 + 2 asks, invite
  ASSERT_TRUE(eventually([&] { return have_seq(bob, ada.member_id()) == old_head; }));

  ASSERT_EQ(ada.stop(), std::optional<int>(0));
  wipe(ada.home());
  auto restored = ada.zwerm({"--json", "restore", file.string(), "--passphrase-file", pass.string(),
                             "--peer", bob.member_id() + "@" + bob.listen()});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_EQ(str(json::parse(restored.out), "member_id"), ada.member_id());
  EXPECT_TRUE(std::filesystem::exists(ada.home() / "config.json"));

  // Bob is down: nobody can tell Ada's node how far her feed goes. It refuses to write.
  ASSERT_EQ(bob.stop(), std::optional<int>(0));
  ASSERT_TRUE(ada.start(&why)) << why;
  auto early = ada.zwerm({"ask", "too early"});
  EXPECT_EQ(early.exit_code, 1) << early.out;
  EXPECT_NE(early.err.find("restored from a backup"), std::string::npos) << early.err;
  EXPECT_EQ(own_feed_state(ada), "restored");
  EXPECT_NE(ada.zwerm({"status"}).out.find("writes wait"), std::string::npos);

  // Bob is back: Ada's node catches up, her feed is confirmed, and she writes after her head.
  ASSERT_TRUE(bob.start(&why)) << why;
  ASSERT_TRUE(eventually([&] { return own_feed_state(ada) == "ok"; }, std::chrono::seconds(60)))
      << ada.daemon_log();
  EXPECT_EQ(have_seq(ada, ada.member_id()), old_head);
  ok_json(ada, {"ask", "after the restore"});
  EXPECT_EQ(have_seq(ada, ada.member_id()), old_head + 1);
  ASSERT_TRUE(eventually([&] { return have_seq(bob, ada.member_id()) == old_head + 1; }));
  EXPECT_TRUE(eventually([&] { return records_of(ada) == records_of(bob); }));
  EXPECT_EQ(forked_members(ada), 0u);
  EXPECT_EQ(forked_members(bob), 0u);
  EXPECT_NE(bob.zwerm({"feed", "--type", "request"}).out.find("after the restore"),
            std::string::npos);
  // The restored node's secrets no longer carry the mark after the confirmation.
  EXPECT_EQ(read_file(ada.home() / "communities.json").find("unconfirmed"), std::string::npos);
}

TEST(BackupRestore, HostileFilesAndHomes) {
  node_harness ada("ada"), fresh("fresh");
  temp_dir keep("zw-keep");
  const auto pass = keep.path() / "pass";
  const auto file = keep.path() / "ada.backup";
  write_file(pass, "a long enough passphrase\n");
  // Without a running node: the files of the home are enough.
  auto made = ada.zwerm({"backup", file.string(), "--passphrase-file", pass.string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string sealed = read_file(file);

  // A backup over an existing file: refused, the file kept.
  auto again = ada.zwerm({"backup", file.string(), "--passphrase-file", pass.string()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("exists"), std::string::npos) << again.err;
  EXPECT_EQ(read_file(file), sealed);
  // A passphrase file others can read, and a short passphrase: refused before anything.
  const auto open_pass = keep.path() / "open-pass";
  write_file(open_pass, "a long enough passphrase\n", 0644);
  auto readable =
      ada.zwerm({"backup", (keep.path() / "x").string(), "--passphrase-file", open_pass.string()});
  EXPECT_EQ(readable.exit_code, 2);
  EXPECT_NE(readable.err.find("chmod 600"), std::string::npos) << readable.err;
  const auto short_pass = keep.path() / "short-pass";
  write_file(short_pass, "short\n");
  auto too_short =
      ada.zwerm({"backup", (keep.path() / "x").string(), "--passphrase-file", short_pass.string()});
  EXPECT_EQ(too_short.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(keep.path() / "x"));

  // Restores into an empty home that fail: nothing is written there.
  temp_dir home("zw-restore");
  temp_dir scratch("zw-scratch");
  auto restore = [&](const std::filesystem::path& f, const std::filesystem::path& p,
                     std::vector<std::string> more = {}) {
    std::vector<std::string> argv{program("zwerm"), "--home",   home.path().string(),
                                  "restore",        f.string(), "--passphrase-file",
                                  p.string()};
    argv.insert(argv.end(), more.begin(), more.end());
    return run_program(argv, scratch.path());
  };
  const auto wrong = keep.path() / "wrong";
  write_file(wrong, "not the passphrase at all\n");
  auto r = restore(file, wrong);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("wrong passphrase"), std::string::npos) << r.err;
  EXPECT_TRUE(home_is_empty(home.path()));

  std::string flipped = sealed;
  flipped[flipped.size() / 2] ^= 0x20;
  write_file(keep.path() / "flipped", flipped);
  r = restore(keep.path() / "flipped", pass);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("damaged"), std::string::npos) << r.err;

  write_file(keep.path() / "truncated", sealed.substr(0, sealed.size() - 10));
  r = restore(keep.path() / "truncated", pass);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;

  write_file(keep.path() / "foreign", read_file(ada.home() / "identity.key"));
  r = restore(keep.path() / "foreign", pass);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a zwerm backup"), std::string::npos) << r.err;

  std::string future = sealed;
  future[9] = 9;
  write_file(keep.path() / "future", future);
  r = restore(keep.path() / "future", pass);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("format version 9"), std::string::npos) << r.err;

  r = restore(file, pass, {"--peer", "not-an-address"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("KEY@host:port"), std::string::npos) << r.err;
  EXPECT_TRUE(home_is_empty(home.path()));

  // The real thing, then a second restore over the identity it made: refused.
  r = restore(file, pass);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(home.path() / "identity.key"), read_file(ada.home() / "identity.key"));
  const std::string identity = read_file(home.path() / "identity.key");
  // `fresh` has its own identity: restoring Ada's over it needs --force.
  auto over = fresh.zwerm({"restore", file.string(), "--passphrase-file", pass.string()});
  EXPECT_EQ(over.exit_code, 1);
  EXPECT_NE(over.err.find("already holds an identity"), std::string::npos) << over.err;
  EXPECT_NE(read_file(fresh.home() / "identity.key"), identity);
  // A running node holds its home: a forced restore is refused while it runs.
  std::string why;
  ASSERT_TRUE(fresh.start(&why)) << why;
  auto busy =
      fresh.zwerm({"restore", file.string(), "--passphrase-file", pass.string(), "--force"});
  EXPECT_EQ(busy.exit_code, 1);
  EXPECT_NE(busy.err.find("zwerm stop"), std::string::npos) << busy.err;
  EXPECT_NE(read_file(fresh.home() / "identity.key"), identity);
}

}  // namespace
}  // namespace zwerm::testing
