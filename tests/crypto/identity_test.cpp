#include "crypto/identity.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "crypto/sodium.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::crypto {
namespace {

identity_options fast() {
  identity_options o;
  o.opslimit = 1;
  o.memlimit = 8192;  // Argon2id's minimum: tests need not burn memory
  return o;
}

class Identity : public ::testing::Test {
 protected:
  void SetUp() override { init(); }
  testing::temp_dir dir_;
  std::filesystem::path file_ = dir_ / "identity.key";
};

TEST_F(Identity, PlainRoundTripWithMode0600) {
  key_pair kp = generate_key_pair();
  ASSERT_TRUE(save_identity(file_, kp, std::nullopt).ok());
  struct stat st;
  ASSERT_EQ(::stat(file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = load_identity(file_, std::nullopt);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->pk, kp.pk);
  EXPECT_EQ(loaded->sk, kp.sk);
  EXPECT_FALSE(*identity_is_encrypted(file_));
}

TEST_F(Identity, RefusesToOverwrite) {
  ASSERT_TRUE(save_identity(file_, generate_key_pair(), std::nullopt).ok());
  status s = save_identity(file_, generate_key_pair(), std::nullopt);
  EXPECT_EQ(s.code(), status_code::already_exists);
}

TEST_F(Identity, RefusesAKeyFileOthersCanRead) {
  ASSERT_TRUE(save_identity(file_, generate_key_pair(), std::nullopt).ok());
  ASSERT_EQ(::chmod(file_.c_str(), 0644), 0);
  auto loaded = load_identity(file_, std::nullopt);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code(), status_code::permission_denied);
  EXPECT_NE(loaded.error().message().find("chmod 600"), std::string::npos);
  ASSERT_EQ(::chmod(file_.c_str(), 0604), 0);
  EXPECT_EQ(load_identity(file_, std::nullopt).error().code(), status_code::permission_denied);
}

TEST_F(Identity, PassphraseRoundTrip) {
  key_pair kp = generate_key_pair();
  ASSERT_TRUE(save_identity(file_, kp, std::string("correct horse"), fast()).ok());
  EXPECT_TRUE(*identity_is_encrypted(file_));
  auto loaded = load_identity(file_, std::string("correct horse"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->sk, kp.sk);
}

TEST_F(Identity, TheDefaultWorkFactorsAreLibsodiumsModerateOnes) {
  // The key file may be kept elsewhere (a backup), so offline guessing must stay dear:
  // libsodium's "moderate" limits (crypto_pwhash_OPSLIMIT_MODERATE, _MEMLIMIT_MODERATE).
  ASSERT_TRUE(save_identity(file_, generate_key_pair(), std::string("correct horse")).ok());
  std::ifstream in(file_);
  std::string magic_line, line;
  std::getline(in, magic_line);
  std::getline(in, line);
  EXPECT_EQ(line.rfind("argon2id 3 268435456 ", 0), 0u) << line;
}

TEST_F(Identity, WrongPassphraseIsRefused) {
  ASSERT_TRUE(save_identity(file_, generate_key_pair(), std::string("right"), fast()).ok());
  auto loaded = load_identity(file_, std::string("wrong"));
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code(), status_code::invalid_argument);
  EXPECT_NE(loaded.error().message().find("wrong passphrase"), std::string::npos);
  EXPECT_FALSE(load_identity(file_, std::nullopt).ok());
}

TEST_F(Identity, DamagedFileIsReportedNotCrashed) {
  {
    std::ofstream out(file_);
    out << "zwerm-identity-v1\nplain not-base64!\n";
  }
  ASSERT_EQ(::chmod(file_.c_str(), 0600), 0);
  EXPECT_EQ(load_identity(file_, std::nullopt).error().code(), status_code::corruption);
  EXPECT_EQ(load_identity(dir_ / "absent.key", std::nullopt).error().code(),
            status_code::not_found);
}

}  // namespace
}  // namespace zwerm::crypto
