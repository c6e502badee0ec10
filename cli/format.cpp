#include "cli/format.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <sstream>

#include "base/unix_time.hpp"

namespace zwerm::cli {
namespace {

// Decodes one code point at text[i]; advances i. Invalid bytes decode as themselves (width 1).
char32_t next_code_point(std::string_view text, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  std::size_t len = b0 < 0x80           ? 1
                    : (b0 >> 5) == 0x6  ? 2
                    : (b0 >> 4) == 0xE  ? 3
                    : (b0 >> 3) == 0x1E ? 4
                                        : 0;
  if (len == 0 || i + len > text.size()) {
    ++i;
    return b0;
  }
  char32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b >> 6) != 0x2) {
      ++i;
      return b0;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += len;
  return cp;
}

std::size_t code_point_width(char32_t cp) {
  if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
      (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F) || cp == 0x200B ||
      cp == 0x200D) {
    return 0;  // combining marks and zero-width joiners
  }
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
      (cp >= 0x20000 && cp <= 0x3FFFD)) {
    return 2;  // East Asian wide and emoji
  }
  return 1;
}

std::string pad(std::string_view text, std::size_t width, bool right) {
  const std::size_t w = display_width(text);
  std::string spaces(w < width ? width - w : 0, ' ');
  return right ? spaces + std::string(text) : std::string(text) + spaces;
}

}  // namespace

std::string relative_time(std::int64_t ts_ms, std::int64_t now_ms) {
  const bool future = ts_ms > now_ms;
  const std::int64_t s = (future ? ts_ms - now_ms : now_ms - ts_ms) / 1000;
  if (s < 45) return "just now";
  std::string amount;
  if (s < 90) {
    amount = "1 min";
  } else if (s < 3600) {
    amount = std::to_string((s + 30) / 60) + " min";
  } else if (s < 86400) {
    amount = std::to_string(s / 3600) + " h";
  } else if (s < 30 * 86400) {
    amount = std::to_string(s / 86400) + " d";
  } else if (s < 365 * 86400) {
    amount = std::to_string(s / (30 * 86400)) + " mo";
  } else {
    amount = std::to_string(s / (365 * 86400)) + " y";
  }
  return future ? "in " + amount : amount + " ago";
}

std::string utc_date(std::int64_t ts_ms) {
  // Days since 1970-01-01 to a civil date (Howard Hinnant's days_from_civil, inverted).
  std::int64_t z = (ts_ms >= 0 ? ts_ms : ts_ms - 86'400'000 + 1) / 86'400'000 + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[80];  // room for any int64 in each field, so nothing is cut
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d));
  return buf;
}

std::string short_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string out = buf;
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

std::int64_t now_ms() {
  return unix_ms_now();
}

std::size_t display_width(std::string_view utf8) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < utf8.size();) width += code_point_width(next_code_point(utf8, i));
  return width;
}

std::string fit_width(std::string_view utf8, std::size_t width) {
  if (display_width(utf8) <= width) return std::string(utf8);
  if (width == 0) return {};
  // Keep code points while they fit in width - 1, then add the ellipsis (one column).
  std::size_t used = 0;
  std::size_t i = 0;
  while (i < utf8.size()) {
    std::size_t j = i;
    const std::size_t w = code_point_width(next_code_point(utf8, j));
    if (used + w > width - 1) break;
    used += w;
    i = j;
  }
  return std::string(utf8.substr(0, i)) + "…";
}

std::string shell_command(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    const bool plain = !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             std::string_view("@%+=:,./_-").find(c) != std::string_view::npos;
    });
    if (plain) {
      out += w;
      continue;
    }
    out += '\'';
    for (char c : w) {
      if (c == '\'')
        out += "'\\''";
      else
        out += c;
    }
    out += '\'';
  }
  return out;
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  const char unit = text.back();
  const std::string_view digits = text.substr(0, text.size() - 1);
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc{} || end != digits.data() + digits.size() || n <= 0) return std::nullopt;
  std::int64_t unit_s = 0;
  switch (unit) {
    case 'm':
      unit_s = 60;
      break;
    case 'h':
      unit_s = 3600;
      break;
    case 'd':
      unit_s = 86400;
      break;
    case 'w':
      unit_s = 7 * 86400;
      break;
    default:
      return std::nullopt;
  }
  if (n > (std::int64_t{10} * 365 * 86400) / unit_s) return std::nullopt;  // > 10 years
  return std::chrono::seconds(n * unit_s);
}

table::table(std::vector<column> columns) : columns_(std::move(columns)) {}

void table::add_row(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

std::vector<std::string> wrap_text(std::string_view utf8, std::size_t width) {
  std::vector<std::string> lines;
  width = std::max<std::size_t>(width, 1);
  std::size_t para_begin = 0;
  while (true) {
    const std::size_t nl = utf8.find('\n', para_begin);
    std::string_view para = utf8.substr(
        para_begin, nl == std::string_view::npos ? std::string_view::npos : nl - para_begin);
    std::string line;
    std::size_t line_width = 0;
    std::size_t i = 0;
    auto flush = [&] {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      lines.push_back(std::move(line));
      line.clear();
      line_width = 0;
    };
    bool any = false;
    while (i < para.size()) {
      // One word (up to the next space) and the spaces after it.
      std::size_t end = para.find(' ', i);
      if (end == std::string_view::npos) end = para.size();
      std::string_view word = para.substr(i, end - i);
      const std::size_t w = display_width(word);
      if (line_width > 0 && line_width + w > width) flush();
      // A word longer than a line: as many code points as fit, then the rest on the next.
      while (display_width(word) > width - line_width) {
        std::size_t used = line_width, k = 0;
        while (k < word.size()) {
          std::size_t j = k;
          const std::size_t cw = code_point_width(next_code_point(word, j));
          if (used + cw > width && used > line_width) break;
          used += cw;
          k = j;
        }
        line += word.substr(0, k);
        word.remove_prefix(k);
        flush();
      }
      line += word;
      line_width += display_width(word);
      any = true;
      i = end;
      while (i < para.size() && para[i] == ' ') {
        if (line_width < width) {
          line += ' ';
          ++line_width;
        }
        ++i;
      }
    }
    if (!line.empty() || !any) flush();
    if (nl == std::string_view::npos) break;
    para_begin = nl + 1;
  }
  return lines;
}

table::fitted table::fit_plain(std::size_t max_width) const {
  const std::size_t n = columns_.size();
  std::vector<std::size_t> width(n), min_width(n);
  for (std::size_t c = 0; c < n; ++c) {
    width[c] = display_width(columns_[c].header);
    for (const auto& row : rows_) width[c] = std::max(width[c], display_width(row[c]));
    const std::size_t header = display_width(columns_[c].header);
    min_width[c] =
        columns_[c].flexible ? std::max<std::size_t>(header, 8) : std::max<std::size_t>(header, 3);
    min_width[c] = std::min(min_width[c], width[c]);
  }
  auto total = [&] {
    std::size_t t = 2 * (n - 1);
    for (std::size_t w : width) t += w;
    return t;
  };
  // Shrink the widest column that may still shrink, flexible ones first, one column at a time.
  for (bool flexible_pass : {true, false}) {
    while (total() > max_width) {
      std::size_t pick = n;
      for (std::size_t c = 0; c < n; ++c) {
        if (columns_[c].flexible != flexible_pass || width[c] <= min_width[c]) continue;
        if (pick == n || width[c] > width[pick]) pick = c;
      }
      if (pick == n) break;
      --width[pick];
    }
  }
  return {width, std::vector<bool>(n, true)};
}

table::fitted table::fit_main(std::size_t main, std::size_t max_width) const {
  const std::size_t n = columns_.size();
  std::vector<std::size_t> natural(n);
  for (std::size_t c = 0; c < n; ++c) {
    natural[c] = display_width(columns_[c].header);
    for (const auto& row : rows_) natural[c] = std::max(natural[c], display_width(row[c]));
  }
  const std::size_t floor = std::min(natural[main], std::max<std::size_t>(20, max_width / 5 * 2));
  std::vector<bool> shown(n, true);
  while (true) {
    std::vector<std::size_t> width = natural;
    std::size_t others = 0, count = 0;
    for (std::size_t c = 0; c < n; ++c) {
      if (!shown[c]) continue;
      ++count;
      if (c != main) others += width[c];
    }
    const std::size_t separators = 2 * (count - 1);
    auto room = [&] {
      return max_width > others + separators ? max_width - others - separators : 0;
    };
    // Flexible columns other than the main one give way first, the least kept first, then the
    // widest: until the
    // main text fits, or, when it wraps, until it has the floor's width (a text that wraps
    // reads whole in that width, so a name beside it need not be cut for a shorter wrap).
    const std::size_t wanted = columns_[main].wrap ? floor : natural[main];
    while (room() < wanted) {
      std::size_t pick = n;
      for (std::size_t c = 0; c < n; ++c) {
        if (!shown[c] || c == main || !columns_[c].flexible) continue;
        const std::size_t least =
            std::min(natural[c], std::max<std::size_t>(display_width(columns_[c].header), 10));
        if (width[c] <= least) continue;
        if (pick == n || columns_[c].keep < columns_[pick].keep ||
            (columns_[c].keep == columns_[pick].keep && width[c] > width[pick])) {
          pick = c;
        }
      }
      if (pick == n) break;
      --width[pick];
      --others;
    }
    std::size_t drop = n;
    if (room() < floor) {
      for (std::size_t c = 0; c < n; ++c) {
        if (!shown[c] || c == main) continue;
        if (drop == n || columns_[c].keep <= columns_[drop].keep) drop = c;
      }
    }
    if (drop == n) {
      width[main] = std::min(natural[main], std::max<std::size_t>(room(), 8));
      for (std::size_t c = 0; c < n; ++c) {
        if (!shown[c]) width[c] = 0;
      }
      return {width, shown};
    }
    shown[drop] = false;
  }
}

std::string table::render(std::size_t max_width) const {
  const std::size_t n = columns_.size();
  if (n == 0) return {};
  std::size_t main = n;
  for (std::size_t c = 0; c < n; ++c) {
    if (columns_[c].main) main = c;
  }
  const fitted fit = main == n ? fit_plain(max_width) : fit_main(main, max_width);
  const bool wrap = main != n && columns_[main].wrap;
  std::string out;
  auto emit = [&](const std::vector<std::string>& cells) {
    std::vector<std::string> continued;
    std::string line;
    bool first = true;
    for (std::size_t c = 0; c < n; ++c) {
      if (!fit.shown[c]) continue;
      if (!first) line += "  ";
      first = false;
      std::string cell;
      if (wrap && c == main && display_width(cells[c]) > fit.width[c]) {
        continued = wrap_text(cells[c], fit.width[c]);
        cell = continued.front();
        continued.erase(continued.begin());
      } else {
        cell = fit_width(cells[c], fit.width[c]);
      }
      line += pad(cell, fit.width[c], columns_[c].align_right);
    }
    // Further lines of a wrapped main cell, under the first one.
    std::size_t indent = 0;
    for (std::size_t c = 0; c < main && c < n; ++c) {
      if (fit.shown[c]) indent += fit.width[c] + 2;
    }
    std::string lines = line;
    for (const auto& more : continued) lines += "\n" + std::string(indent, ' ') + more;
    std::istringstream each(lines);
    for (std::string l; std::getline(each, l);) {
      while (!l.empty() && l.back() == ' ') l.pop_back();
      out += l;
      out += '\n';
    }
  };
  std::vector<std::string> headers;
  for (const auto& col : columns_) headers.push_back(col.header);
  emit(headers);
  for (const auto& row : rows_) emit(row);
  std::string left_out;
  for (std::size_t c = 0; c < n; ++c) {
    if (!fit.shown[c]) left_out += (left_out.empty() ? "" : ", ") + columns_[c].header;
  }
  if (!left_out.empty()) {
    for (const auto& line :
         wrap_text("(not shown at this width: " + left_out + "; --wide shows all)", max_width)) {
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace zwerm::cli
