#include "crypto/identity.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "base/base64url.hpp"

namespace zwerm::crypto {

namespace {

constexpr std::string_view magic = "zwerm-identity-v1";

status io_error(const std::filesystem::path& file, const char* what) {
  return {status_code::io_error,
          std::string(what) + " " + file.string() + ": " + std::strerror(errno)};
}

std::vector<std::string> split_words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

bool derive_key(const std::string& passphrase, std::string_view salt, unsigned long long opslimit,
                std::size_t memlimit, unsigned char key[crypto_secretbox_KEYBYTES]) {
  return crypto_pwhash(key, crypto_secretbox_KEYBYTES, passphrase.data(), passphrase.size(),
                       reinterpret_cast<const unsigned char*>(salt.data()), opslimit, memlimit,
                       crypto_pwhash_ALG_ARGON2ID13) == 0;
}

}  // namespace

status save_identity(const std::filesystem::path& file, const key_pair& keys,
                     const std::optional<std::string>& passphrase,
                     const identity_options& options) {
  if (!can_handshake(keys.pk)) {
    return {status_code::invalid_argument,
            "this key cannot be converted for the secret handshake; make a new one"};
  }
  std::string seed_bytes(reinterpret_cast<const char*>(keys.sk.data()), 32);
  std::string text = std::string(magic) + "\n";
  if (passphrase) {
    std::string salt(crypto_pwhash_SALTBYTES, '\0');
    std::string nonce(crypto_secretbox_NONCEBYTES, '\0');
    randombytes_buf(salt.data(), salt.size());
    randombytes_buf(nonce.data(), nonce.size());
    unsigned char key[crypto_secretbox_KEYBYTES];
    if (!derive_key(*passphrase, salt, options.opslimit, options.memlimit, key)) {
      return {status_code::io_error, "not enough memory to protect the key with the passphrase"};
    }
    std::string box(seed_bytes.size() + crypto_secretbox_MACBYTES, '\0');
    crypto_secretbox_easy(reinterpret_cast<unsigned char*>(box.data()),
                          reinterpret_cast<const unsigned char*>(seed_bytes.data()),
                          seed_bytes.size(), reinterpret_cast<const unsigned char*>(nonce.data()),
                          key);
    sodium_memzero(key, sizeof key);
    text += "argon2id " + std::to_string(options.opslimit) + " " +
            std::to_string(options.memlimit) + " " + base64url_encode(salt) + " " +
            base64url_encode(nonce) + " " + base64url_encode(box) + "\n";
  } else {
    text += "plain " + base64url_encode(seed_bytes) + "\n";
  }
  sodium_memzero(seed_bytes.data(), seed_bytes.size());

  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return {status_code::already_exists,
              "an identity already exists at " + file.string() + "; it was left as it is"};
    }
    return io_error(file, "cannot create");
  }
  ::fchmod(fd, 0600);  // regardless of umask
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      status s = io_error(file, "cannot write");
      ::close(fd);
      ::unlink(file.c_str());
      return s;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    status s = io_error(file, "cannot sync");
    ::close(fd);
    ::unlink(file.c_str());
    return s;
  }
  ::close(fd);
  sodium_memzero(text.data(), text.size());
  return {};
}

namespace {

result<std::vector<std::string>> read_key_file(const std::filesystem::path& file) {
  struct stat st;
  if (::stat(file.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return status{status_code::not_found,
                    "no identity at " + file.string() + " (run `zwerm init` to make one)"};
    }
    return io_error(file, "cannot read");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return status{status_code::permission_denied,
                  "the key file " + file.string() + " has mode " + mode +
                      ", so others can read it; refusing to use it (fix with: chmod 600 " +
                      file.string() + ")"};
  }
  std::ifstream in(file);
  if (!in) return io_error(file, "cannot read");
  std::string first, second;
  std::getline(in, first);
  std::getline(in, second);
  if (first != magic) {
    return status{status_code::corruption, file.string() + " is not a zwerm identity file"};
  }
  auto words = split_words(second);
  if (words.empty()) {
    return status{status_code::corruption, file.string() + " holds no key"};
  }
  return words;
}

}  // namespace

result<bool> identity_is_encrypted(const std::filesystem::path& file) {
  auto words = read_key_file(file);
  if (!words) return words.error();
  return (*words)[0] == "argon2id";
}

result<key_pair> load_identity(const std::filesystem::path& file,
                               const std::optional<std::string>& passphrase) {
  auto read = read_key_file(file);
  if (!read) return read.error();
  auto& words = *read;
  // The words hold the seed (plain) or its box: wiped on every way out.
  struct wipe_words {
    std::vector<std::string>& w;
    ~wipe_words() {
      for (auto& s : w) sodium_memzero(s.data(), s.size());
    }
  } wipe{words};
  const status bad{status_code::corruption, file.string() + " is damaged: the key cannot be read"};
  std::string seed_bytes;
  if (words[0] == "plain" && words.size() == 2) {
    if (!base64url_decode(words[1], &seed_bytes) || seed_bytes.size() != 32) return bad;
  } else if (words[0] == "argon2id" && words.size() == 6) {
    if (!passphrase) {
      return status{status_code::invalid_argument,
                    "the identity is protected by a passphrase; give it (ZWERM_PASSPHRASE)"};
    }
    unsigned long long opslimit;
    std::size_t memlimit;
    try {
      opslimit = std::stoull(words[1]);
      memlimit = std::stoull(words[2]);
    } catch (...) {
      return bad;
    }
    std::string salt, nonce, box;
    if (!base64url_decode(words[3], &salt) || salt.size() != crypto_pwhash_SALTBYTES ||
        !base64url_decode(words[4], &nonce) || nonce.size() != crypto_secretbox_NONCEBYTES ||
        !base64url_decode(words[5], &box) || box.size() != 32 + crypto_secretbox_MACBYTES ||
        opslimit < crypto_pwhash_OPSLIMIT_MIN || opslimit > crypto_pwhash_OPSLIMIT_MAX ||
        memlimit < crypto_pwhash_MEMLIMIT_MIN || memlimit > (std::size_t{4} << 30)) {
      return bad;
    }
    unsigned char key[crypto_secretbox_KEYBYTES];
    if (!derive_key(*passphrase, salt, opslimit, memlimit, key)) {
      return status{status_code::io_error, "not enough memory to derive the passphrase key"};
    }
    seed_bytes.assign(32, '\0');
    int rc =
        crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(seed_bytes.data()),
                                   reinterpret_cast<const unsigned char*>(box.data()), box.size(),
                                   reinterpret_cast<const unsigned char*>(nonce.data()), key);
    sodium_memzero(key, sizeof key);
    if (rc != 0) {
      return status{status_code::invalid_argument, "wrong passphrase for " + file.string()};
    }
  } else {
    return bad;
  }
  seed s;
  seed::from(seed_bytes, &s);
  sodium_memzero(seed_bytes.data(), seed_bytes.size());
  key_pair kp = key_pair_from_seed(s);
  sodium_memzero(s.data(), s.size());
  return kp;
}

}  // namespace zwerm::crypto
