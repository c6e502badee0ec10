// zwermd's life on one home: start, status, one daemon per home, private socket, clean stop,
// recovery from a killed daemon, refusals at start-up.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "tests/e2e/node_harness.hpp"

namespace zwerm::testing {
namespace {

TEST(DaemonLifecycle, StatusReportsTheNodesIdentity) {
  node_harness ada("ada");
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  auto status = ada.zwerm_json({"status"});
  ASSERT_TRUE(status.is_object()) << ada.daemon_log();
  EXPECT_EQ(status["node_id"], ada.member_id());
  EXPECT_EQ(status["name"], "ada");
  EXPECT_EQ(status["pid"], ada.daemon()->pid());
  EXPECT_EQ(status["home"], ada.home().string());
  EXPECT_EQ(status["listen"], ada.listen());
  EXPECT_GE(status["uptime_s"].get<int>(), 0);

  auto human = ada.zwerm({"status"});
  EXPECT_EQ(human.exit_code, 0);
  EXPECT_NE(human.out.find(ada.member_id() + " (ada)"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("running   since"), std::string::npos) << human.out;
}

TEST(DaemonLifecycle, SecondDaemonOnTheSameHomeIsRefused) {
  node_harness ada("ada");
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  auto second = ada.zwermd({});
  EXPECT_EQ(second.exit_code, 3);
  EXPECT_NE(second.err.find("another zwermd (pid " + std::to_string(ada.daemon()->pid()) + ")"),
            std::string::npos)
      << second.err;
  // The first one is untouched and still answers on its socket.
  EXPECT_TRUE(ada.daemon()->running());
  EXPECT_EQ(ada.zwerm({"status"}).exit_code, 0);
}

TEST(DaemonLifecycle, SocketIsPrivateToTheAccount) {
  node_harness ada("ada");
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  struct stat st {};
  ASSERT_EQ(::lstat((ada.home() / "zwermd.sock").c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST(DaemonLifecycle, SigtermAndSigintStopCleanlyAndRemoveTheSocket) {
  for (int signo : {SIGTERM, SIGINT}) {
    node_harness ada("ada");
    std::string why;
    ASSERT_TRUE(ada.start(&why)) << why;
    ada.daemon()->signal(signo);
    auto code = ada.daemon()->wait_exit(std::chrono::seconds(5));
    ASSERT_TRUE(code.has_value()) << "zwermd did not stop on signal " << signo;
    EXPECT_EQ(*code, 0) << ada.daemon_log();
    EXPECT_FALSE(std::filesystem::exists(ada.home() / "zwermd.sock"));
    EXPECT_NE(ada.daemon_log().find("stopped cleanly"), std::string::npos);
    EXPECT_EQ(ada.zwerm({"status"}).exit_code, 3);
  }
}

TEST(DaemonLifecycle, ZwermStopStopsTheNodeCleanlyAndWaitsForIt) {
  node_harness ada("ada");
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  auto stopped = ada.zwerm({"stop"});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.out << stopped.err;
  EXPECT_NE(stopped.out.find("zwermd stopped"), std::string::npos) << stopped.out;
  // zwerm stop returns once the socket is gone: the daemon is on its way out.
  EXPECT_FALSE(std::filesystem::exists(ada.home() / "zwermd.sock"));
  auto code = ada.daemon()->wait_exit(std::chrono::seconds(5));
  ASSERT_TRUE(code.has_value()) << "zwermd did not stop";
  EXPECT_EQ(*code, 0) << ada.daemon_log();
  EXPECT_NE(ada.daemon_log().find("asked to stop over the local socket"), std::string::npos);
  // Nothing left to stop: the usual "no node" answer.
  EXPECT_EQ(ada.zwerm({"stop"}).exit_code, 3);
}

TEST(DaemonLifecycle, TheLogLevelChangesAtRunTimeAndSighupReloadsItFromTheConfig) {
  node_harness ada("ada");
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  EXPECT_EQ(ada.zwerm_json({"log-level"}).value("level", ""), "info");
  EXPECT_EQ(ada.zwerm_json({"log-level", "debug"}).value("level", ""), "debug");
  EXPECT_EQ(ada.zwerm_json({"log-level"}).value("level", ""), "debug");
  auto bad = ada.zwerm({"log-level", "loud"});
  EXPECT_EQ(bad.exit_code, 2) << bad.out << bad.err;
  EXPECT_EQ(ada.zwerm_json({"log-level"}).value("level", ""), "debug")
      << "a bad level changes nothing";

  // SIGHUP: config.json's level comes back (the daemon keeps running); a changed file counts.
  {
    const auto file = ada.home() / "config.json";
    std::stringstream text;
    text << std::ifstream(file).rdbuf();
    auto config = nlohmann::json::parse(text.str(), nullptr, false, /*ignore_comments=*/true);
    ASSERT_TRUE(config.is_object());
    config["log_level"] = "warn";
    std::ofstream(file) << config.dump(2) << "\n";
  }
  ada.daemon()->signal(SIGHUP);
  EXPECT_TRUE(eventually([&] {
    return ada.zwerm_json({"log-level"}).value("level", "") == "warn";
  })) << ada.daemon_log();
  EXPECT_TRUE(ada.daemon()->running());
  // A damaged file is reported and changes nothing.
  { std::ofstream(ada.home() / "config.json") << "{ nope"; }
  ada.daemon()->signal(SIGHUP);
  EXPECT_TRUE(eventually([&] {
    return ada.daemon_log().find("config.json not reloaded") != std::string::npos;
  })) << ada.daemon_log();
  EXPECT_TRUE(ada.daemon()->running());
  EXPECT_EQ(ada.zwerm_json({"log-level"}).value("level", ""), "warn");
}

// --log-file: the log goes to the file (not stderr), rotates by size keeping --log-files older
// files, and SIGHUP reopens it after an outside tool moved it away. Bad values are refused.
TEST(DaemonLifecycle, TheLogFileRotatesBySizeAndSighupReopensIt) {
  node_harness ada("ada");
  const auto log = ada.home() / "zwermd.log";
  auto rotated = [&](int n) { return ada.home() / ("zwermd." + std::to_string(n) + ".log"); };
  std::string why;
  ASSERT_TRUE(ada.start({"--log-file", log.string(), "--log-file-max-bytes", "4096", "--log-files",
                         "2", "--log-level", "debug"},
                        &why))
      << why;
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(log); }));
  // Lines reach the file within a second (warnings and errors at once).
  EXPECT_TRUE(eventually([&] { return read_file(log).find("started") != std::string::npos; }))
      << read_file(log);
  EXPECT_EQ(ada.daemon_log().find("info"), std::string::npos)
      << "with --log-file nothing but start-up failures goes to stderr: " << ada.daemon_log();
  // Enough lines (each level set over RPC logs one) to rotate more than twice.
  for (int i = 0; i < 600 && !std::filesystem::exists(rotated(2)); ++i) {
    ada.zwerm({"log-level", "debug"});
  }
  ASSERT_TRUE(std::filesystem::exists(rotated(1)));
  ASSERT_TRUE(std::filesystem::exists(rotated(2)));
  EXPECT_FALSE(std::filesystem::exists(rotated(3))) << "only 2 older files are kept";
  for (const auto& f : {log, rotated(1)}) {
    EXPECT_LE(std::filesystem::file_size(f), 4096u + 512u) << f;
  }
  // An outside rotation: the file is moved away, SIGHUP opens a new one.
  std::filesystem::rename(log, ada.home() / "moved.log");
  ada.daemon()->signal(SIGHUP);
  ASSERT_TRUE(eventually([&] {
    return std::filesystem::exists(log) &&
           read_file(log).find("received SIGHUP") != std::string::npos;
  }));
  EXPECT_TRUE(ada.daemon()->running());
  ASSERT_TRUE(ada.stop().has_value());

  auto bad = ada.zwermd({"--log-file", log.string(), "--log-file-max-bytes", "100"});
  EXPECT_EQ(bad.exit_code, 2) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("--log-file-max-bytes"), std::string::npos) << bad.err;
  // Its folder cannot be made: a file is in the way.
  auto unwritable =
      ada.zwermd({"--log-file", (ada.home() / "config.json" / "zwermd.log").string()});
  EXPECT_EQ(unwritable.exit_code, 2) << unwritable.out << unwritable.err;
  EXPECT_NE(unwritable.err.find("cannot write the log file"), std::string::npos) << unwritable.err;
}

TEST(DaemonLifecycle, AKilledDaemonsStaleSocketIsReplaced) {
  node_harness ada("ada");
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  ada.daemon()->signal(SIGKILL);
  ada.daemon()->wait_exit(std::chrono::seconds(5));
  ASSERT_TRUE(std::filesystem::exists(ada.home() / "zwermd.sock"));  // left behind
  EXPECT_EQ(ada.zwerm({"status"}).exit_code, 3);                     // nobody answers
  ASSERT_TRUE(ada.start(&why)) << why;                               // the lock died with it
  EXPECT_EQ(ada.zwerm({"status"}).exit_code, 0);
}

TEST(DaemonLifecycle, BadConfigIsRefusedWithTheReason) {
  node_harness ada("ada");
  { std::ofstream(ada.home() / "config.json") << "{ \"listen\": \"nowhere\" }"; }
  auto r = ada.zwermd({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'listen'"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(ada.home() / "zwermd.sock"));
}

TEST(DaemonLifecycle, KeyFileOthersCanReadIsRefused) {
  node_harness ada("ada");
  std::filesystem::permissions(ada.home() / "identity.key", std::filesystem::perms(0644));
  auto r = ada.zwermd({});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("identity.key"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(ada.home() / "zwermd.sock"));
}

TEST(DaemonLifecycle, HomeWithoutIdentitySaysHowToMakeOne) {
  temp_dir empty("zw-empty");
  temp_dir scratch("zw-out");
  auto r = run_program({program("zwermd"), "--home", empty.path().string()}, scratch.path());
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("zwerm init --home " + empty.path().string()), std::string::npos) << r.err;
}

TEST(DaemonLifecycle, PassphraseProtectedKey) {
  temp_dir home("zw-pass");
  temp_dir scratch("zw-out");
  const env_vars pass{{"ZWERM_PASSPHRASE", "correct horse"}};
  auto init = run_program({program("zwerm"), "--home", home.path().string(), "init", "--name",
                           "ada", "--listen", "127.0.0.1:0", "--passphrase"},
                          scratch.path(), pass);
  ASSERT_EQ(init.exit_code, 0) << init.err;
  auto without = run_program({program("zwermd"), "--home", home.path().string()}, scratch.path(),
                             {{"ZWERM_PASSPHRASE", ""}});
  EXPECT_EQ(without.exit_code, 4);
  EXPECT_NE(without.err.find("ZWERM_PASSPHRASE"), std::string::npos) << without.err;
  auto wrong = run_program({program("zwermd"), "--home", home.path().string()}, scratch.path(),
                           {{"ZWERM_PASSPHRASE", "wrong"}});
  EXPECT_EQ(wrong.exit_code, 4);
  child_process daemon({program("zwermd"), "--home", home.path().string()}, scratch.path() / "log",
                       pass);
  bool up = false;
  for (int i = 0; i < 500 && !up; ++i) {
    up = run_program({program("zwerm"), "--home", home.path().string(), "status"}, scratch.path())
             .exit_code == 0;
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(up) << read_file(scratch.path() / "log");
  // The passphrase is gone from the daemon's environment as /proc shows it to other processes
  // of the same user.
  const std::string environ = read_file("/proc/" + std::to_string(daemon.pid()) + "/environ");
  EXPECT_FALSE(environ.empty());
  EXPECT_EQ(environ.find("correct horse"), std::string::npos);
}

TEST(DaemonLifecycle, AHomeOthersCanReadIsMadeOwnerOnly) {
  node_harness ada("ada");
  namespace fs = std::filesystem;
  // zwerm init makes it owner-only already.
  EXPECT_EQ(fs::status(ada.home() / "config.json").permissions(),
            fs::perms::owner_read | fs::perms::owner_write);
  fs::permissions(ada.home(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(ada.home() / "config.json", fs::perms::owner_read | fs::perms::owner_write |
                                                  fs::perms::group_read | fs::perms::others_read);
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  const auto others = fs::perms::group_all | fs::perms::others_all;
  EXPECT_EQ(fs::status(ada.home()).permissions() & others, fs::perms::none);
  EXPECT_EQ(fs::status(ada.home() / "config.json").permissions() & others, fs::perms::none);
  EXPECT_EQ(fs::status(ada.home() / "db").permissions() & others, fs::perms::none);
  EXPECT_NE(ada.daemon_log().find("could be read by other users"), std::string::npos)
      << ada.daemon_log();
}

}  // namespace
}  // namespace zwerm::testing
