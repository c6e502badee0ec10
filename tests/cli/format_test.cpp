#include "cli/format.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace zwerm::cli {
namespace {

constexpr std::int64_t now = 1'800'000'000'000;  // ms
constexpr std::int64_t sec = 1000;

TEST(RelativeTime, Steps) {
  EXPECT_EQ(relative_time(now, now), "just now");
  EXPECT_EQ(relative_time(now - 44 * sec, now), "just now");
  EXPECT_EQ(relative_time(now - 45 * sec, now), "1 min ago");
  EXPECT_EQ(relative_time(now - 5 * 60 * sec, now), "5 min ago");
  EXPECT_EQ(relative_time(now - 59 * 60 * sec, now), "59 min ago");
  EXPECT_EQ(relative_time(now - 3 * 3600 * sec, now), "3 h ago");
  EXPECT_EQ(relative_time(now - (3 * 3600 + 3599) * sec, now), "3 h ago");
  EXPECT_EQ(relative_time(now - 2 * 86400 * sec, now), "2 d ago");
  EXPECT_EQ(relative_time(now - 65 * 86400 * sec, now), "2 mo ago");
  EXPECT_EQ(relative_time(now - 800 * 86400 * sec, now), "2 y ago");
}

TEST(RelativeTime, FutureFromAClockAhead) {
  EXPECT_EQ(relative_time(now + 10 * 60 * sec, now), "in 10 min");
  EXPECT_EQ(relative_time(now + 20 * sec, now), "just now");
}

TEST(DisplayWidth, CountsColumnsNotBytes) {
  EXPECT_EQ(display_width("Ada"), 3u);
  EXPECT_EQ(display_width("Zoë"), 3u);        // ë is two bytes, one column
  EXPECT_EQ(display_width("e\xcc\x81"), 1u);  // e + combining acute
  EXPECT_EQ(display_width("日本"), 4u);       // wide
  EXPECT_EQ(display_width("\xff\xfe"), 2u);   // invalid bytes count one each
  EXPECT_EQ(display_width("\xe6\x97"), 2u);   // truncated sequence
}

TEST(FitWidth, CutsAtCodePointsWithAnEllipsis) {
  EXPECT_EQ(fit_width("hello", 5), "hello");
  EXPECT_EQ(fit_width("hello world", 6), "hello…");
  EXPECT_EQ(display_width(fit_width("Zoë Zoë Zoë", 4)), 4u);
  EXPECT_EQ(fit_width("日本語", 4), "日…");
  EXPECT_EQ(fit_width("abc", 0), "");
}

TEST(ParseDuration, UnitsAndRejections) {
  EXPECT_EQ(parse_duration("7d")->count(), 7 * 86400);
  EXPECT_EQ(parse_duration("30m")->count(), 1800);
  EXPECT_EQ(parse_duration("12h")->count(), 12 * 3600);
  EXPECT_EQ(parse_duration("2w")->count(), 14 * 86400);
  for (const char* bad : {"", "d", "7", "0d", "-1d", "7x", "7 d", "1.5h", "99999999999d"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(Table, AlignsColumns) {
  table t({{"name"}, {"given", false, true}, {"last active"}});
  t.add_row({"Ada", "12", "3 h ago"});
  t.add_row({"Bartholomew", "3", "just now"});
  EXPECT_EQ(t.render(),
            "name         given  last active\n"
            "Ada             12  3 h ago\n"
            "Bartholomew      3  just now\n");
}

TEST(Table, FitsEightyColumnsByShrinkingFlexibleColumnsFirst) {
  table t({{"id"}, {"author"}, {"title", true}, {"when"}});
  const std::string long_title(200, 't');
  t.add_row({"Kx3f9a2b", "Ada", long_title, "2 d ago"});
  t.add_row({"Qq81aa0c", "Bartholomew", "short", "5 min ago"});
  for (const auto& line : lines_of(t.render(80))) {
    EXPECT_LE(display_width(line), 80u) << line;
  }
  auto lines = lines_of(t.render(80));
  ASSERT_EQ(lines.size(), 3u);
  // Fixed columns kept whole; the title was cut.
  EXPECT_NE(lines[1].find("Ada"), std::string::npos);
  EXPECT_NE(lines[1].find("2 d ago"), std::string::npos);
  EXPECT_NE(lines[1].find("…"), std::string::npos);
  EXPECT_NE(lines[2].find("Bartholomew"), std::string::npos);
}

TEST(Table, ShrinksFixedColumnsWhenFlexibleOnesAreNotEnough) {
  table t({{"a"}, {"b"}, {"c"}});
  t.add_row({std::string(50, 'x'), std::string(50, 'y'), std::string(50, 'z')});
  for (const auto& line : lines_of(t.render(80))) EXPECT_LE(display_width(line), 80u) << line;
}

TEST(Table, WideCharactersCountDouble) {
  table t({{"name", true}, {"note", true}});
  t.add_row({"日本語の名前がとても長い人です", std::string(70, 'n')});
  for (const auto& line : lines_of(t.render(40))) EXPECT_LE(display_width(line), 40u) << line;
}

// Issue #15: at 80 columns every flexible column shrank alike, down to "We bean…". With a main
// column, the others keep their width and the main text takes what is left.
TEST(Table, TheMainColumnTakesTheRoomOthersLeave) {
  table t({{"id", false, false, false, 3},
           {"author", true, false, false, 2},
           {"title", true, false, true},
           {"tags", true, false, false, 1},
           {"when", false, false, false, 4}});
  const std::string title = "Wie helpt me met het afstellen van de lasersnijder voor 3 mm hout?";
  t.add_row({"Kx3f9a2b", "Ada", title, "lasercutting, plywood", "2 d ago"});
  auto lines = lines_of(t.render(80));
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& line : lines) EXPECT_LE(display_width(line), 80u) << line;
  // id, author and date whole; the tags shrank first; the title got the rest.
  EXPECT_NE(
      lines[1].find("Kx3f9a2b  Ada     Wie helpt me met het afstellen van de la…  lasercutt…"),
      std::string::npos)
      << lines[1];
  EXPECT_NE(lines[1].find("2 d ago"), std::string::npos) << lines[1];
  // Wide enough: nothing cut, nothing left out.
  EXPECT_EQ(t.render(200).find("…"), std::string::npos) << t.render(200);
  EXPECT_NE(t.render(200).find(title), std::string::npos);
}

TEST(Table, LeavesOutTheLeastKeptColumnsBeforeTheMainOneGetsTooNarrow) {
  table t({{"id", false, false, false, 3},
           {"title", true, false, true},
           {"answers", false, false, false, 0},
           {"tags", true, false, false, 1},
           {"when", false, false, false, 2}});
  const std::string title(60, 't');
  t.add_row({"Kx3f9a2b", title, "Ab12cd34, Ef56gh78", "lasercutting, plywood", "2 d ago"});
  // At 60 columns, leaving out the least kept column gives the title its floor (2/5 of the
  // width); the tags shrink but stay.
  std::string out = t.render(60);
  auto lines = lines_of(out);
  for (const auto& line : lines) EXPECT_LE(display_width(line), 60u) << line;
  ASSERT_EQ(lines.size(), 3u) << out;
  EXPECT_EQ(lines[0].find("answers"), std::string::npos) << out;
  EXPECT_NE(lines[0].find("tags"), std::string::npos) << out;
  EXPECT_NE(lines[1].find(std::string(24, 't')), std::string::npos) << out;
  EXPECT_EQ(lines[2], "(not shown at this width: answers; --wide shows all)");
  // At 50 the tags go too, and the dates and ids still stay whole.
  out = t.render(50);
  lines = lines_of(out);
  for (const auto& line : lines) EXPECT_LE(display_width(line), 50u) << line;
  ASSERT_EQ(lines.size(), 4u) << out;
  EXPECT_EQ(lines[0].find("tags"), std::string::npos) << out;
  EXPECT_NE(lines[1].find("Kx3f9a2b  " + std::string(30, 't')), std::string::npos) << out;
  EXPECT_NE(lines[1].find("2 d ago"), std::string::npos) << out;
  // The note wraps to the width as well.
  EXPECT_EQ(lines[2], "(not shown at this width: answers, tags; --wide");
  EXPECT_EQ(lines[3], "shows all)");
  // Unlimited: every column, whole.
  EXPECT_NE(t.render(unlimited_width).find(title + "  Ab12cd34, Ef56gh78"), std::string::npos);
}

TEST(Table, AWrappedMainColumnContinuesUnderItself) {
  table t({{"id"}, {"text", true, false, true, 0, true}, {"when"}});
  t.add_row({"Kx3f9a2b", "one two three four five six seven eight nine ten", "2 d ago"});
  const std::string out = t.render(40);
  EXPECT_EQ(out,
            "id        text                   when\n"
            "Kx3f9a2b  one two three four     2 d ago\n"
            "          five six seven eight\n"
            "          nine ten\n")
      << out;
}

// Beside a main column that wraps, a flexible column (a name) is cut only as far as the main
// column needs to reach its floor: a whole name is worth more than a wrapped text's line.
TEST(Table, BesideAWrappedMainColumnNamesShrinkOnlyToGiveItsFloor) {
  table t({{"author", true, false, false, 2},
           {"text", true, false, true, 0, true},
           {"id", false, false, false, 3}});
  const std::string text(120, 'w');
  t.add_row({"Fatma Yılmaz", text, "Kx3f9a2b"});
  // 80 columns: 12 + 8 + 4 separators leave 56 for the text, over its floor (32).
  std::string out = t.render(80);
  EXPECT_NE(out.find("Fatma Yılmaz  " + std::string(56, 'w') + "  Kx3f9a2b"), std::string::npos)
      << out;
  // 42 columns: the floor is 20, and the name gives way down to 10 columns to leave it that.
  out = t.render(42);
  EXPECT_NE(out.find("Fatma Yıl…  " + std::string(20, 'w') + "  Kx3f9a2b"), std::string::npos)
      << out;
  for (const auto& line : lines_of(out)) EXPECT_LE(display_width(line), 42u) << line;
}

// Of two flexible columns, the less kept one is cut first: tags before the author's name.
TEST(Table, TheLeastKeptFlexibleColumnShrinksFirst) {
  table t({{"author", true, false, false, 2},
           {"text", true, false, true, 0, true},
           {"tags", true, false, false, 1}});
  t.add_row({"Fatma Yılmaz", std::string(120, 'w'), "illustration, design"});
  // 46 columns: the text needs 10 more for its floor (20); the tags give all 10 (widest first
  // would have cut both to 11: "Fatma Yılm…").
  const std::string out = t.render(46);
  EXPECT_NE(out.find("Fatma Yılmaz  "), std::string::npos) << out;
  EXPECT_NE(out.find("illustrat…"), std::string::npos) << out;
  for (const auto& line : lines_of(out)) EXPECT_LE(display_width(line), 46u) << line;
}

TEST(WrapText, BreaksAtSpacesAndCutsOnlyWordsLongerThanALine) {
  EXPECT_EQ(wrap_text("one two three", 7), (std::vector<std::string>{"one two", "three"}));
  EXPECT_EQ(wrap_text("abcdefghij", 4), (std::vector<std::string>{"abcd", "efgh", "ij"}));
  EXPECT_EQ(wrap_text("a\nb c", 10), (std::vector<std::string>{"a", "b c"}));
  EXPECT_EQ(wrap_text("", 10), (std::vector<std::string>{""}));
  EXPECT_EQ(wrap_text("日本語の名前", 5), (std::vector<std::string>{"日本", "語の", "名前"}));
  // Nothing but spaces is lost, and no line is too wide.
  const std::string text = "Zoë zoekt  een soldeerbout van 60 W";
  std::string joined;
  for (const auto& l : wrap_text(text, 9)) {
    EXPECT_LE(display_width(l), 9u) << l;
    joined += l;
  }
  auto without_spaces = [](std::string s) {
    s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
    return s;
  };
  EXPECT_EQ(without_spaces(joined), without_spaces(text));
}

TEST(ShellCommand, PlainWordsStayAndOthersAreQuoted) {
  EXPECT_EQ(shell_command({"zwerm", "requests", "--state", "open", "--limit", "20"}),
            "zwerm requests --state open --limit 20");
  EXPECT_EQ(shell_command({"zwerm", "--community", "Learning circle"}),
            "zwerm --community 'Learning circle'");
  EXPECT_EQ(shell_command({"--tag", "it's"}), "--tag 'it'\\''s'");
  EXPECT_EQ(shell_command({"--before", "-Ab_c9", "--x", ""}), "--before -Ab_c9 --x ''");
  EXPECT_EQ(shell_command({"--tag", "$HOME"}), "--tag '$HOME'");
}

TEST(UtcDate, CalendarDatesInUtc) {
  EXPECT_EQ(utc_date(0), "1970-01-01");
  EXPECT_EQ(utc_date(1'800'000'000'000), "2027-01-15");
  EXPECT_EQ(utc_date(951'782'400'000), "2000-02-29");  // a leap day
  EXPECT_EQ(utc_date(951'868'799'999), "2000-02-29");  // its last millisecond
  EXPECT_EQ(utc_date(-1), "1969-12-31");
}

TEST(ShortNumber, AtMostTwoDecimals) {
  EXPECT_EQ(short_number(1.0 / 3.0), "0.33");
  EXPECT_EQ(short_number(0.2), "0.2");
  EXPECT_EQ(short_number(0.0), "0");
  EXPECT_EQ(short_number(1.0), "1");
  EXPECT_EQ(short_number(2.0 / 3.0), "0.67");
}

}  // namespace
}  // namespace zwerm::cli
