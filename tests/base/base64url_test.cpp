#include "base/base64url.hpp"

#include <gtest/gtest.h>

namespace zwerm::crypto {
namespace {

TEST(Base64url, Rfc4648Vectors) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(Base64url, RoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 100; ++n) {
    std::string out;
    ASSERT_TRUE(base64url_decode(base64url_encode(bytes), &out)) << n;
    EXPECT_EQ(out, bytes);
    bytes.push_back(static_cast<char>(n * 37 + 11));
  }
}

TEST(Base64url, RejectsPaddingForeignCharactersAndNonCanonicalTails) {
  std::string out;
  EXPECT_FALSE(base64url_decode("Zg==", &out));
  EXPECT_FALSE(base64url_decode("Zm9v+", &out));
  EXPECT_FALSE(base64url_decode("Zm9/", &out));
  EXPECT_FALSE(base64url_decode("Z", &out));
  EXPECT_FALSE(base64url_decode("Zh", &out));  // "Zg" with non-zero unused bits
  EXPECT_FALSE(base64url_decode("Zm9 v", &out));
}

TEST(Base64url, FixedSizeTextForm) {
  digest d;
  for (std::size_t i = 0; i < d.size(); ++i) d.bytes[i] = static_cast<std::uint8_t>(i);
  std::string text = to_text(d);
  EXPECT_EQ(text.size(), 43u);
  digest back;
  ASSERT_TRUE(from_text(text, &back));
  EXPECT_EQ(back, d);
  EXPECT_FALSE(from_text(text.substr(1), &back));
}

}  // namespace
}  // namespace zwerm::crypto
