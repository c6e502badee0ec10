// Text for people: relative times, widths of UTF-8 text, tables that fit a terminal, and the
// duration syntax of --expires. Pure functions; no I/O.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zwerm::cli {

// "just now", "5 min ago", "3 h ago", "2 d ago", "4 mo ago", "1 y ago"; a time in the future
// (another member's clock runs ahead) reads "in 5 min". Both arguments are ms since the epoch.
std::string relative_time(std::int64_t ts_ms, std::int64_t now_ms);

// The UTC calendar date of ts_ms, "2026-11-30".
std::string utc_date(std::int64_t ts_ms);

// A number that is not whole, for people: at most two decimals, no trailing zeros ("0.33",
// "0.2", "1").
std::string short_number(double v);

// Milliseconds since the epoch, now.
std::int64_t now_ms();

// Columns the text occupies in a terminal: one per code point, two for East Asian wide
// characters, none for combining marks. Invalid UTF-8 bytes count one each.
std::size_t display_width(std::string_view utf8);

// The longest prefix of `utf8` (cut at a code point) that fits in `width` columns, ending in
// "…" when something was cut.
std::string fit_width(std::string_view utf8, std::size_t width);

// The words joined into one line a POSIX shell reads back as the same words: a word of only
// letters, digits and @%+=:,./_- stays as it is; any other (spaces, quotes, $, an empty word)
// is put in single quotes.
std::string shell_command(const std::vector<std::string>& words);

// Parses "30m", "12h", "7d", "2w" (a positive whole number and a unit). nullopt otherwise.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

// The values a param of the RPC contract takes, for CLI11's IsMember.
template <std::size_t N>
std::vector<std::string> choices(const std::array<std::string_view, N>& values) {
  return {values.begin(), values.end()};
}

// `utf8` broken into lines of at most `width` columns, at spaces where it can be (a word longer
// than a line is cut at a code point); newlines in the text start a new line. Nothing is lost
// but the spaces at the breaks. An empty text is one empty line.
std::vector<std::string> wrap_text(std::string_view utf8, std::size_t width);

// Width without limit: what a table or a line gets when nothing may be cut (--wide, or output
// that is not a terminal).
inline constexpr std::size_t unlimited_width = static_cast<std::size_t>(-1);

// A table rendered in aligned columns separated by two spaces, no wider than `max_width`
// when it can be.
//
// Without a main column, flexible columns (titles, notes) shrink first, down to 8 columns, then
// the others down to their header's width; cut cells end in "…".
//
// With a main column (the text that matters in this view: a request's title, a proposal's
// text), the main column takes the room the others leave. The others are never cut (ids and
// dates stay whole) except flexible ones, which shrink down to 10 columns before the main one
// is cut (the one with the lowest `keep` first, then the widest). When the main column would get
// less than its floor (the larger of 20 columns and 2/5 of the width, or its full width when that
// is less), the column with the lowest `keep` (the rightmost of equals) is left out and the fit is
// tried again; a table that leaves columns out ends with a line naming them. A main column with
// `wrap` continues on further lines instead of being cut; beside it, flexible columns shrink only
// as far as the main column needs to reach its floor (a name is not cut to make a wrapped text one
// line shorter).
class table {
 public:
  struct column {
    std::string header;
    bool flexible = false;     // shrinks first
    bool align_right = false;  // numbers
    bool main = false;         // takes the slack; at most one column
    int keep = 0;              // higher stays longer when columns must be left out
    bool wrap = false;         // main only: wraps instead of being cut
  };

  explicit table(std::vector<column> columns);
  // Missing cells are empty; extra cells are ignored.
  void add_row(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  std::size_t size() const { return rows_.size(); }
  // Every line ends with '\n'; trailing spaces are trimmed.
  std::string render(std::size_t max_width = 80) const;

 private:
  struct fitted {
    std::vector<std::size_t> width;  // 0: left out
    std::vector<bool> shown;
  };
  fitted fit_plain(std::size_t max_width) const;
  fitted fit_main(std::size_t main, std::size_t max_width) const;

  std::vector<column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace zwerm::cli
