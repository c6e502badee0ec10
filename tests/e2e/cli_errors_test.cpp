// The CLI's error paths, each with its exit code and a reason a person can act on.
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/e2e/node_harness.hpp"

namespace zwerm::testing {
namespace {

TEST(CliErrors, NoNodeRunningExitsThreeWithTheStartCommand) {
  node_harness ada("ada");
  auto r = ada.zwerm({"status"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("no zwermd is running on " + ada.home().string()), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("zwermd --home " + ada.home().string()), std::string::npos) << r.err;
  // The same for a command that needs the node for something else.
  EXPECT_EQ(ada.zwerm({"members"}).exit_code, 3);
  EXPECT_EQ(ada.zwerm({"watch"}).exit_code, 3);
}

TEST(CliErrors, UsageErrorsExitTwo) {
  node_harness ada("ada");
  EXPECT_EQ(ada.zwerm({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(ada.zwerm({}).exit_code, 2);
  EXPECT_EQ(ada.zwerm({"thank"}).exit_code, 2);  // missing the contribution id
  EXPECT_EQ(ada.zwerm({"propose", "teleport"}).exit_code, 2);
  EXPECT_EQ(ada.zwerm({"contribute", "x", "--kind", "gossip"}).exit_code, 2);
  auto expires = ada.zwerm({"invite", "--expires", "soon"});
  EXPECT_EQ(expires.exit_code, 2);
  EXPECT_NE(expires.err.find("--expires"), std::string::npos) << expires.err;
}

TEST(CliErrors, BothProgramsNameTheirVersionAndProtocol) {
  node_harness ada("ada");
  auto v = ada.zwerm({"--version"});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(v.out.rfind("zwerm ", 0), 0u) << v.out;
  EXPECT_NE(v.out.find("(sync protocol 1..2)"), std::string::npos) << v.out;
  auto help = ada.zwerm({"--help"});
  EXPECT_NE(help.out.find("Usage: zwerm "), std::string::npos) << help.out;
  auto d = ada.zwermd({"--version"});
  EXPECT_EQ(d.exit_code, 0) << d.err;
  EXPECT_EQ(d.out.rfind("zwermd ", 0), 0u) << d.out;
  EXPECT_NE(d.out.find("(sync protocol 1..2)"), std::string::npos) << d.out;
}

TEST(CliErrors, HelpOnEveryCommandHasAnExample) {
  node_harness ada("ada");
  for (std::vector<std::string> cmd :
       std::vector<std::vector<std::string>>{{"init"},
                                             {"status"},
                                             {"community", "create"},
                                             {"community", "list"},
                                             {"community", "show"},
                                             {"community", "use"},
                                             {"community", "forget"},
                                             {"backup"},
                                             {"restore"},
                                             {"invite"},
                                             {"join"},
                                             {"leave"},
                                             {"profile", "set"},
                                             {"profile", "show"},
                                             {"ask"},
                                             {"contribute"},
                                             {"thank"},
                                             {"propose", "agreement"},
                                             {"propose", "purpose"},
                                             {"propose", "remove"},
                                             {"propose", "steward"},
                                             {"propose", "dissolve"},
                                             {"endorse"},
                                             {"proposals"},
                                             {"circle", "open"},
                                             {"circle", "join"},
                                             {"circle", "leave"},
                                             {"circle", "close"},
                                             {"circle", "list"},
                                             {"members"},
                                             {"feed"},
                                             {"requests"},
                                             {"balance"},
                                             {"who-knows"},
                                             {"ties"},
                                             {"pulse"},
                                             {"peers"},
                                             {"peer", "add"},
                                             {"peer", "remove"},
                                             {"peer", "ban"},
                                             {"peer", "unban"},
                                             {"watch"}}) {
    cmd.push_back("--help");
    auto r = ada.zwerm(cmd);
    EXPECT_EQ(r.exit_code, 0) << cmd[0];
    EXPECT_NE(r.out.find("Example: zwerm"), std::string::npos) << cmd[0] << "\n" << r.out;
  }
}

TEST(CliErrors, BadInviteCodeIsAUsageError) {
  node_harness ada("ada");
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  for (const char* code : {"hello", "zw1-", "zw1-AAAA", "zw1-!!!!"}) {
    auto r = ada.zwerm({"join", code});
    EXPECT_EQ(r.exit_code, 2) << code << ": " << r.err;
    EXPECT_NE(r.err.find("invite code"), std::string::npos) << r.err;
  }
}

TEST(CliErrors, AnotherAccountCannotDriveTheNode) {
  node_harness ada("ada");
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  run_result r;
  if (::geteuid() == 0) {
    // Root ignores file modes; run the CLI as the unprivileged "nobody" account instead.
    temp_dir scratch("zw-out");
    std::filesystem::permissions(scratch.path(), std::filesystem::perms::all);
    r = run_program({program("zwerm"), "--home", ada.home().string(), "status"}, scratch.path(), {},
                    std::chrono::seconds(10), uid_t{65534});
  } else {
    // Take the permission away from ourselves.
    std::filesystem::permissions(ada.home() / "zwermd.sock", std::filesystem::perms::none);
    r = ada.zwerm({"status"});
  }
  // Refused with the reason (exit 1), not mistaken for "no node running" (exit 3).
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("permission denied"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace zwerm::testing
