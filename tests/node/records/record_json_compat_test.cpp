// The scanner against an independent JSON implementation (nlohmann/json, which node/ uses to
// write bodies): everything nlohmann writes within the subset is accepted, survives a trip
// through the writer and parser unchanged, and everything the scanner accepts nlohmann parses.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "node/records/record_parse.hpp"
#include "node/records/record_scan.hpp"
#include "node/records/record_writer.hpp"
#include "record_test_helpers.hpp"

namespace zwerm::node {
namespace {

using json = nlohmann::json;

class random_json {
 public:
  explicit random_json(std::uint64_t seed) : rng_(seed) {}

  json object(int depth) {
    json o = json::object();
    int n = pick(0, 5);
    for (int i = 0; i < n; ++i) o[text()] = value(depth + 1);
    return o;
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  json value(int depth) {
    switch (depth >= 6 ? pick(2, 6) : pick(0, 6)) {
      case 0:
        return object(depth);
      case 1: {
        json a = json::array();
        int n = pick(0, 4);
        for (int i = 0; i < n; ++i) a.push_back(value(depth + 1));
        return a;
      }
      case 2:
        return text();
      case 3: {
        constexpr std::int64_t limit = std::int64_t{1} << 53;
        return std::uniform_int_distribution<std::int64_t>(-limit, limit)(rng_);
      }
      case 4:
        return pick(-1000, 1000);
      case 5:
        return pick(0, 1) == 1;
      default:
        return nullptr;
    }
  }

  // Code points of every UTF-8 length, control characters and JSON's special characters.
  std::string text() {
    std::string s;
    int n = pick(0, 8);
    for (int i = 0; i < n; ++i) {
      std::uint32_t cp;
      switch (pick(0, 5)) {
        case 0:
          cp = static_cast<std::uint32_t>(pick(0, 0x1f));
          break;
        case 1:
          cp = static_cast<std::uint32_t>("\"\\/ab"[pick(0, 4)]);
          break;
        case 2:
          cp = static_cast<std::uint32_t>(pick(0x20, 0x7f));
          break;
        case 3:
          cp = static_cast<std::uint32_t>(pick(0x80, 0x7ff));
          break;
        case 4:
          cp = static_cast<std::uint32_t>(pick(0x800, 0xffff - 0x800));
          if (cp >= 0xd800) cp += 0x800;  // skip the surrogates
          break;
        default:
          cp = static_cast<std::uint32_t>(pick(0x10000, 0x10ffff));
      }
      append(&s, cp);
    }
    return s;
  }

  static void append(std::string* s, std::uint32_t cp) {
    if (cp < 0x80) {
      s->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      s->push_back(static_cast<char>(0xc0 | cp >> 6));
      s->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      s->push_back(static_cast<char>(0xe0 | cp >> 12));
      s->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3f)));
      s->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      s->push_back(static_cast<char>(0xf0 | cp >> 18));
      s->push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3f)));
      s->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3f)));
      s->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  std::mt19937_64 rng_;
};

TEST(RecordJsonCompat, EverythingNlohmannWritesIsAcceptedAndRoundTrips) {
  crypto::key_pair key = test::key_from(11);
  random_json gen(20261127);
  for (int i = 0; i < 400; ++i) {
    json doc = gen.object(1);
    std::string compact = doc.dump();
    std::string ascii = doc.dump(-1, ' ', /*ensure_ascii=*/true);  // \u escapes, surrogate pairs
    std::string pretty = doc.dump(2);
    SCOPED_TRACE("document " + std::to_string(i) + ": " + ascii);
    auto c = check_json_object(compact, /*compact=*/true);
    ASSERT_FALSE(c.has_value()) << c->message;
    auto a = check_json_object(ascii, /*compact=*/true);
    ASSERT_FALSE(a.has_value()) << a->message;
    auto p = check_json_object(pretty, /*compact=*/false);
    ASSERT_FALSE(p.has_value()) << p->message;
    if (!doc.empty()) {
      EXPECT_TRUE(check_json_object(pretty, true).has_value());  // pretty is not compact
    }

    record_fields f;
    f.community = test::fake_community(1);
    f.type = "request";
    f.body = compact;
    auto w = write_record(f, key);
    ASSERT_TRUE(w.ok()) << w.error().message();
    auto r = parse_record(w->bytes);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->body, compact);
    EXPECT_EQ(json::parse(r->body), doc);
  }
}

TEST(RecordJsonCompat, EverythingTheScannerAcceptsNlohmannParses) {
  random_json gen(7);
  std::mt19937_64 rng(99);
  const std::string pieces[] = {"{", "}", "[",   "]",  "\"", ":",    ",",    "\\",   "\\u", "d83d",
                                "0", "-", "1e2", ".5", " ",  "\xC3", "\xA9", "null", "tru"};
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string s = gen.object(1).dump(-1, ' ', i % 2 == 0);
    for (int m = 0, n = 1 + static_cast<int>(rng() % 3); m < n && !s.empty(); ++m) {
      std::size_t at = rng() % s.size();
      switch (rng() % 3) {
        case 0:
          s.erase(at, 1);
          break;
        case 1:
          s.insert(at, pieces[rng() % std::size(pieces)]);
          break;
        default:
          s[at] = static_cast<char>(rng());
      }
    }
    if (check_json_object(s, /*compact=*/false).has_value()) continue;
    ++accepted;
    json parsed;
    ASSERT_NO_THROW(parsed = json::parse(s)) << s;
    EXPECT_TRUE(parsed.is_object()) << s;
  }
  EXPECT_GT(accepted, 100);  // the mutations must leave a fair share valid
}

}  // namespace
}  // namespace zwerm::node
