// Output that is not a terminal is never cut (issue #15 item 4): scripts read zwerm's views
// through a pipe, whatever $COLUMNS says, and every title, text and purpose arrives whole. The
// width rules themselves are unit-tested from fixed data (tests/cli/render_golden_test.cpp);
// this runs them through a real node and the real zwerm binary.
#include <gtest/gtest.h>

#include "tests/e2e/node_harness.hpp"
#include "tests/e2e/ok_json.hpp"

namespace zwerm::testing {
namespace {

const std::string purpose =
    "Make and repair things together in the neighbourhood, share tools and skills, and teach "
    "anyone who wants to learn how, from soldering a first LED to building a cargo bike frame.";
const std::string title =
    "Wie helpt me met het afstellen van de lasersnijder voor 3 mm multiplex zonder dat de "
    "randen verbranden?";
const std::string agreement =
    "The workshop is open on Tuesday and Thursday evenings from 19:00 to 22:00; whoever opens it "
    "also closes it and checks that the extraction fan is off.";

TEST(CliWidth, OutputThatIsNotATerminalIsNeverCut) {
  node_harness ada{"ada"};
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  ok_json(ada, {"community", "create", "Werkplaats Noord", "--purpose", purpose});
  ok_json(ada, {"profile", "set", "--skills",
                "soldering,electronics,kicad,3d-printing,laser-cutting,woodworking"});
  ok_json(ada, {"ask", title, "--tags", "lasercutting,plywood"});
  ok_json(ada, {"propose", "agreement", agreement});

  struct view {
    std::vector<std::string> args;
    std::vector<std::string> whole;
  };
  const std::vector<view> views{
      {{"requests"}, {title}},
      {{"proposals", "--state", "all"}, {agreement}},
      {{"community", "show"}, {purpose, agreement}},
      {{"members"}, {"soldering, electronics, kicad, 3d-printing, laser-cutting, woodworking"}},
      {{"feed"}, {title, agreement}},
  };
  // A narrow $COLUMNS applies to terminals only; --wide changes nothing here.
  for (const env_vars& env : {env_vars{}, env_vars{{"COLUMNS", "40"}}}) {
    for (const bool wide : {false, true}) {
      for (const auto& v : views) {
        std::vector<std::string> args = v.args;
        if (wide) args.insert(args.begin(), "--wide");
        auto r = ada.zwerm(args, env);
        ASSERT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
        for (const auto& text : v.whole) {
          EXPECT_NE(r.out.find(text), std::string::npos) << args[0] << " cut \"" << text << "\":\n"
                                                         << r.out;
        }
        EXPECT_EQ(r.out.find("…"), std::string::npos) << args[0] << ":\n" << r.out;
        EXPECT_EQ(r.out.find("not shown at this width"), std::string::npos) << args[0] << ":\n"
                                                                            << r.out;
      }
    }
  }
}

}  // namespace
}  // namespace zwerm::testing
