// `zwerm backup` and `zwerm restore`: one file with what a node cannot get back from its peers
// (the identity, each community's network key, the config), sealed with a passphrase
// (crypto/backup_file.hpp). They work on the home's files, with or without a running node; the
// records come back from other members' nodes after a restore.
//
// The sealed payload is a JSON object (docs/OPERATIONS.md, "Backup and restore"):
//   {"zwerm_backup": 1,
//    "member_id": "<base64url public key>",
//    "identity_seed": "<base64url 32-byte Ed25519 seed>",
//    "config": "<config.json's text>" | null,
//    "default": "<community id>" | null,
//    "communities": {"<community id>": {"network_key": "<base64url>",
//                                       "peers": ["KEY@host:port", ...]}}}
// `peers`: member nodes to dial after a restore (from the running node's peer book when one
// answered at backup time), since a restored node knows no member until their records arrive.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.hpp"
#include "crypto/backup_file.hpp"

namespace zwerm::cli {

inline constexpr int backup_payload_version = 1;

struct backup_options {
  std::optional<std::string> home;                 // --home
  std::filesystem::path file;                      // where the backup goes
  std::string passphrase;                          // seals it
  bool force = false;                              // --force: replace an existing file
  std::optional<std::string> identity_passphrase;  // unlocks a protected identity.key
  // Per community id (text): "KEY@host:port" of member nodes to dial after a restore.
  std::map<std::string, std::vector<std::string>> peers;
  crypto::backup_kdf kdf;
};

struct backup_outcome {
  std::string file;
  std::string member_id;
  std::size_t communities = 0;
  std::size_t peers = 0;
};

// Errors: already_exists (the file exists, no --force), not_found (no identity), the identity's
// errors (a passphrase needed or wrong), corruption (communities.json damaged), io_error.
result<backup_outcome> run_backup(const backup_options& options);

// The community ids (text) in <home>/communities.json; empty when there is none. Errors:
// corruption (a damaged file).
result<std::vector<std::string>> community_ids_of(const std::filesystem::path& home);

struct restore_options {
  std::optional<std::string> home;  // --home
  std::filesystem::path file;       // the backup
  std::string passphrase;
  bool force = false;              // --force: replace an identity already in the home
  std::vector<std::string> peers;  // --peer KEY@host:port: more member nodes to dial
};

struct restore_outcome {
  std::string home;
  std::string member_id;
  std::vector<std::string> communities;  // ids (text)
  bool config_written = false;
};

// Restores identity.key, communities.json (every community marked "own feed unconfirmed", with
// its peers) and config.json (when the home has none, or with --force). Everything is read and
// checked before anything is written. Errors: already_exists (an identity, no --force), busy
// (a zwermd runs on the home), the file's errors (crypto::open_backup), corruption (a payload
// that does not make sense), invalid_argument (a bad --peer), io_error.
result<restore_outcome> run_restore(const restore_options& options);

}  // namespace zwerm::cli
