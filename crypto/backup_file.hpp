// The sealed envelope of a node backup (`zwerm backup`, `zwerm restore`): a payload encrypted
// under a key derived from a passphrase. What the payload holds is the CLI's business
// (cli/backup_command.hpp); this layer only seals and opens it (docs/OPERATIONS.md, "Backup
// and restore", has the format for people).
//
// Layout (integers big-endian):
//   offset  size
//        0     8  magic "ZWERMBAK"
//        8     2  format version, 1
//       10     1  KDF: 1 = Argon2id 1.3 (crypto_pwhash_ALG_ARGON2ID13)
//       11     1  reserved, 0
//       12     4  opslimit (passes)
//       16     8  memlimit (bytes)
//       24    16  salt
//       40    24  nonce
//       64    16  passphrase check: BLAKE2b-128 keyed with k2 of "zwerm backup passphrase check"
//       80     4  L: length of the ciphertext
//       84     L  ciphertext: XChaCha20-Poly1305 (IETF) of the payload under k1, the 84 bytes
//                 before it as additional data (so no header byte can change unnoticed)
//   84 + L    32  BLAKE2b-256 of every byte before it (tells damage from a wrong passphrase)
// where k1 ‖ k2 (32 bytes each) = crypto_pwhash(passphrase, salt, opslimit, memlimit, Argon2id).
//
// Opening checks, in order, and fails without deriving a key on the first four: the magic, the
// version, the length (a file shorter or longer than its header says is truncated or has
// bytes added), the checksum (a damaged file), KDF limits within libsodium's bounds; then the
// passphrase check (a wrong passphrase) and the ciphertext's tag (damage made on purpose, with
// a recomputed checksum).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.hpp"

namespace zwerm::crypto {

inline constexpr std::string_view backup_magic = "ZWERMBAK";
inline constexpr std::uint16_t backup_format_version = 1;
// The largest backup this build opens (a payload of secrets is a few KiB per community).
inline constexpr std::size_t backup_max_bytes = 64u << 20;

struct backup_kdf {
  // libsodium's "moderate" limits, like a passphrase-protected identity.key: the file is meant
  // to be kept elsewhere, so guessing must stay dear. Tests lower them.
  unsigned long long opslimit = 3;
  std::size_t memlimit = 256u << 20;
};

// Seals `payload`. Errors: invalid_argument (empty passphrase, payload over the limit),
// io_error (not enough memory for the KDF).
result<std::string> seal_backup(std::string_view payload, std::string_view passphrase,
                                const backup_kdf& kdf = {});

// Opens a sealed backup. Errors: invalid_argument "not a zwerm backup" (magic) or "wrong
// passphrase"; unsupported (a newer format version or KDF); corruption (truncated, bytes added,
// damaged); io_error (not enough memory for the KDF).
result<std::string> open_backup(std::string_view file, std::string_view passphrase);

}  // namespace zwerm::crypto
