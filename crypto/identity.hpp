// The member's identity on disk: <home>/identity.key.
//
// File format (text, one line each):
//   zwerm-identity-v1
//   plain <base64url 32-byte seed>
// or, with a passphrase:
//   zwerm-identity-v1
//   argon2id <opslimit> <memlimit> <base64url salt 16> <base64url nonce 24> <base64url box 48>
// where box = crypto_secretbox_easy(seed, nonce, key), key = crypto_pwhash(passphrase, salt,
// opslimit, memlimit, Argon2id 1.3). The public key is derived from the seed.
//
// The file is written with mode 0600 and refused on load when its mode lets anyone but the
// owner read or write it (as ssh does with private keys).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "base/status.hpp"
#include "crypto/sign.hpp"

namespace zwerm::crypto {

struct identity_options {
  // Argon2id work factors. Defaults are libsodium's "moderate" limits (3 passes, 256 MiB;
  // about a second here): the file may be kept elsewhere, so guessing must stay dear. Key
  // files written with other limits keep theirs (the file names them). Tests lower them.
  unsigned long long opslimit = 3;
  std::size_t memlimit = 256u << 20;
};

// Writes a new key file; fails with already_exists rather than overwrite one.
status save_identity(const std::filesystem::path& file, const key_pair& keys,
                     const std::optional<std::string>& passphrase,
                     const identity_options& options = {});

// Reads a key file. Errors: not_found, permission_denied (mode too open), corruption (not a
// key file), invalid_argument (a passphrase is needed, or the passphrase is wrong).
result<key_pair> load_identity(const std::filesystem::path& file,
                               const std::optional<std::string>& passphrase);

// True when the file holds a passphrase-protected key.
result<bool> identity_is_encrypted(const std::filesystem::path& file);

}  // namespace zwerm::crypto
