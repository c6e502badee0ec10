#include "crypto/backup_file.hpp"

#include <sodium.h>

#include <array>

#include "base/bytes.hpp"

namespace zwerm::crypto {

namespace {

constexpr std::size_t header_bytes = 84;
constexpr std::size_t checksum_bytes = 32;
constexpr std::size_t check_bytes = 16;
constexpr std::uint8_t kdf_argon2id13 = 1;
constexpr std::string_view check_label = "zwerm backup passphrase check";
static_assert(crypto_pwhash_SALTBYTES == 16);
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == 24);

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// k1 ‖ k2; wiped by the caller.
struct derived {
  std::array<unsigned char, 64> bytes{};
  ~derived() { sodium_memzero(bytes.data(), bytes.size()); }
  const unsigned char* k1() const { return bytes.data(); }
  const unsigned char* k2() const { return bytes.data() + 32; }
};

bool derive(std::string_view passphrase, std::string_view salt, unsigned long long opslimit,
            std::size_t memlimit, derived* out) {
  return crypto_pwhash(out->bytes.data(), out->bytes.size(), passphrase.data(), passphrase.size(),
                       u8(salt), opslimit, memlimit, crypto_pwhash_ALG_ARGON2ID13) == 0;
}

std::array<unsigned char, check_bytes> check_value(const derived& keys) {
  std::array<unsigned char, check_bytes> out{};
  crypto_generichash(out.data(), out.size(), u8(check_label), check_label.size(), keys.k2(), 32);
  return out;
}

std::array<unsigned char, checksum_bytes> checksum(std::string_view bytes) {
  std::array<unsigned char, checksum_bytes> out{};
  crypto_generichash(out.data(), out.size(), u8(bytes), bytes.size(), nullptr, 0);
  return out;
}

}  // namespace

result<std::string> seal_backup(std::string_view payload, std::string_view passphrase,
                                const backup_kdf& kdf) {
  if (passphrase.empty()) return status{status_code::invalid_argument, "the passphrase is empty"};
  if (payload.size() > backup_max_bytes - header_bytes - checksum_bytes - 16) {
    return status{status_code::invalid_argument, "the backup would be too large"};
  }
  std::string salt(crypto_pwhash_SALTBYTES, '\0');
  std::string nonce(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, '\0');
  randombytes_buf(salt.data(), salt.size());
  randombytes_buf(nonce.data(), nonce.size());
  derived keys;
  if (!derive(passphrase, salt, kdf.opslimit, kdf.memlimit, &keys)) {
    return status{status_code::io_error, "not enough memory to derive the key of the passphrase"};
  }
  const auto check = check_value(keys);
  const std::size_t cipher_len = payload.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES;

  std::string out(backup_magic);
  put_be(out, backup_format_version, 2);
  out.push_back(static_cast<char>(kdf_argon2id13));
  out.push_back('\0');
  put_be(out, kdf.opslimit, 4);
  put_be(out, kdf.memlimit, 8);
  out += salt;
  out += nonce;
  out.append(reinterpret_cast<const char*>(check.data()), check.size());
  put_be(out, cipher_len, 4);
  const std::size_t at = out.size();
  out.resize(at + cipher_len);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(out.data() + at),
                                             &written, u8(payload), payload.size(), u8(out),
                                             header_bytes, nullptr, u8(nonce), keys.k1());
  const auto sum = checksum(out);
  out.append(reinterpret_cast<const char*>(sum.data()), sum.size());
  return out;
}

result<std::string> open_backup(std::string_view file, std::string_view passphrase) {
  if (file.size() < backup_magic.size() || file.substr(0, backup_magic.size()) != backup_magic) {
    return status{status_code::invalid_argument,
                  "not a zwerm backup (it does not begin with " + std::string(backup_magic) + ")"};
  }
  if (file.size() < 10) return status{status_code::corruption, "the backup is truncated"};
  const auto version = get_be(file, 8, 2);
  if (version != backup_format_version) {
    return status{status_code::unsupported,
                  "the backup has format version " + std::to_string(version) +
                      "; this zwerm reads version " + std::to_string(backup_format_version) +
                      " (a newer zwerm made it: restore with that one)"};
  }
  if (file.size() < header_bytes + checksum_bytes) {
    return status{status_code::corruption, "the backup is truncated"};
  }
  const std::size_t cipher_len = get_be(file, 80, 4);
  const std::size_t expected = header_bytes + cipher_len + checksum_bytes;
  if (file.size() < expected) return status{status_code::corruption, "the backup is truncated"};
  if (file.size() > expected) {
    return status{status_code::corruption,
                  "the backup is damaged: " + std::to_string(file.size() - expected) +
                      " bytes follow its end"};
  }
  const auto sum = checksum(file.substr(0, expected - checksum_bytes));
  if (sodium_memcmp(sum.data(), file.data() + expected - checksum_bytes, checksum_bytes) != 0) {
    return status{status_code::corruption,
                  "the backup is damaged: its checksum does not match its contents"};
  }
  if (static_cast<std::uint8_t>(file[10]) != kdf_argon2id13) {
    return status{status_code::unsupported,
                  "the backup uses a key derivation this zwerm lacks (" +
                      std::to_string(static_cast<unsigned char>(file[10])) + ")"};
  }
  const unsigned long long opslimit = get_be(file, 12, 4);
  const std::uint64_t memlimit = get_be(file, 16, 8);
  if (cipher_len < crypto_aead_xchacha20poly1305_ietf_ABYTES ||
      opslimit < crypto_pwhash_OPSLIMIT_MIN || opslimit > crypto_pwhash_OPSLIMIT_MAX ||
      memlimit < crypto_pwhash_MEMLIMIT_MIN || memlimit > (std::uint64_t{4} << 30)) {
    return status{status_code::corruption,
                  "the backup is damaged: its key derivation limits are out of range"};
  }
  derived keys;
  if (!derive(passphrase, file.substr(24, 16), opslimit, static_cast<std::size_t>(memlimit),
              &keys)) {
    return status{status_code::io_error, "not enough memory to derive the key of the passphrase"};
  }
  const auto check = check_value(keys);
  if (sodium_memcmp(check.data(), file.data() + 64, check_bytes) != 0) {
    return status{status_code::invalid_argument, "wrong passphrase for this backup"};
  }
  std::string payload(cipher_len - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long plain_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(payload.data()),
                                                 &plain_len, nullptr, u8(file.substr(header_bytes)),
                                                 cipher_len, u8(file), header_bytes,
                                                 u8(file.substr(40)), keys.k1()) != 0) {
    return status{status_code::corruption,
                  "the backup is damaged: its contents fail their authentication"};
  }
  return payload;
}

}  // namespace zwerm::crypto
