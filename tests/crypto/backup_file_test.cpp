// The sealed backup envelope (crypto/backup_file.hpp): a round trip, and every way a file can
// be wrong (wrong passphrase, truncation, a flipped byte anywhere, wrong magic, a newer version,
// bytes appended, a forged file with a recomputed checksum), each with its own error.
#include "crypto/backup_file.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include "crypto/sodium.hpp"

namespace zwerm::crypto {
namespace {

backup_kdf fast() {
  backup_kdf k;
  k.opslimit = 1;
  k.memlimit = 8192;  // Argon2id's minimum: tests need not burn memory
  return k;
}

// Recomputes the trailing checksum after a change, as a forger would.
void rechecksum(std::string& file) {
  const std::size_t body = file.size() - 32;
  crypto_generichash(reinterpret_cast<unsigned char*>(file.data() + body), 32,
                     reinterpret_cast<const unsigned char*>(file.data()), body, nullptr, 0);
}

class BackupFile : public ::testing::Test {
 protected:
  void SetUp() override {
    init();
    auto sealed = seal_backup(payload_, "correct horse", fast());
    ASSERT_TRUE(sealed.ok()) << sealed.error().message();
    file_ = *sealed;
  }
  std::string payload_ = R"({"identity":"secret seed","communities":{}})";
  std::string file_;
};

TEST_F(BackupFile, RoundTrip) {
  EXPECT_EQ(file_.substr(0, 8), "ZWERMBAK");
  EXPECT_EQ(file_.size(), 84 + payload_.size() + 16 + 32);
  EXPECT_EQ(file_.find("secret seed"), std::string::npos);
  auto opened = open_backup(file_, "correct horse");
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  EXPECT_EQ(*opened, payload_);
}

TEST_F(BackupFile, TwoSealsOfOnePayloadDiffer) {
  auto again = seal_backup(payload_, "correct horse", fast());
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*again, file_);  // fresh salt and nonce
}

TEST_F(BackupFile, WrongPassphrase) {
  auto opened = open_backup(file_, "correct hors");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), status_code::invalid_argument);
  EXPECT_NE(opened.error().message().find("wrong passphrase"), std::string::npos);
}

TEST_F(BackupFile, EmptyPassphraseIsRefusedWhenSealing) {
  auto sealed = seal_backup(payload_, "", fast());
  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.error().code(), status_code::invalid_argument);
}

TEST_F(BackupFile, EveryTruncationIsRefused) {
  for (std::size_t n = 0; n < file_.size(); ++n) {
    auto opened = open_backup(std::string_view(file_).substr(0, n), "correct horse");
    ASSERT_FALSE(opened.ok()) << "length " << n;
    if (n >= 8) {
      EXPECT_EQ(opened.error().code(), status_code::corruption) << "length " << n;
      EXPECT_NE(opened.error().message().find("truncated"), std::string::npos) << n;
    }
  }
}

TEST_F(BackupFile, BytesAppendedAreRefused) {
  auto opened = open_backup(file_ + "x", "correct horse");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), status_code::corruption);
}

TEST_F(BackupFile, EveryFlippedByteIsRefused) {
  for (std::size_t i = 0; i < file_.size(); ++i) {
    std::string bad = file_;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto opened = open_backup(bad, "correct horse");
    ASSERT_FALSE(opened.ok()) << "byte " << i;
    if (i < 8) {
      EXPECT_NE(opened.error().message().find("not a zwerm backup"), std::string::npos);
    } else if (i < 10) {
      EXPECT_EQ(opened.error().code(), status_code::unsupported) << i;
    } else if (i >= 80 && i < 84) {
      EXPECT_EQ(opened.error().code(), status_code::corruption) << i;  // the length
    } else {
      EXPECT_NE(opened.error().message().find("damaged"), std::string::npos) << i;
    }
  }
}

TEST_F(BackupFile, AForgedFileWithARecomputedChecksumIsRefused) {
  // A changed ciphertext byte or header field (here the memlimit's low byte stays in range and
  // the salt) with a valid checksum: the passphrase check or the AEAD tag catches it.
  for (std::size_t i : {std::size_t{30}, std::size_t{50}, std::size_t{90}, file_.size() - 40}) {
    std::string bad = file_;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    rechecksum(bad);
    auto opened = open_backup(bad, "correct horse");
    ASSERT_FALSE(opened.ok()) << "byte " << i;
  }
  // The passphrase check copied from elsewhere passes, yet the tag still refuses the contents.
  std::string bad = file_;
  bad[100] = static_cast<char>(bad[100] ^ 0x80);
  rechecksum(bad);
  auto opened = open_backup(bad, "correct horse");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), status_code::corruption);
  EXPECT_NE(opened.error().message().find("authentication"), std::string::npos);
}

TEST_F(BackupFile, WrongMagic) {
  auto opened = open_backup("PK\x03\x04 a zip file, not a backup at all", "correct horse");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), status_code::invalid_argument);
  EXPECT_NE(opened.error().message().find("not a zwerm backup"), std::string::npos);
  EXPECT_FALSE(open_backup("", "correct horse").ok());
}

TEST_F(BackupFile, AFutureVersionIsNamed) {
  std::string future = file_;
  future[9] = 2;
  rechecksum(future);
  auto opened = open_backup(future, "correct horse");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), status_code::unsupported);
  EXPECT_NE(opened.error().message().find("format version 2"), std::string::npos);
}

TEST_F(BackupFile, OutOfRangeKdfLimitsAreRefusedBeforeDeriving) {
  std::string huge = file_;
  huge[16] = 0x7f;  // a memlimit of exabytes: never handed to Argon2id
  rechecksum(huge);
  auto opened = open_backup(huge, "correct horse");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), status_code::corruption);
  EXPECT_NE(opened.error().message().find("limits"), std::string::npos);
}

}  // namespace
}  // namespace zwerm::crypto
