#include "cli/backup_command.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/base64url.hpp"
#include "base/durable_file.hpp"
#include "base/home.hpp"
#include "crypto/identity.hpp"
#include "crypto/sodium.hpp"
#include "crypto/wipe.hpp"

namespace zwerm::cli {

namespace {

using json = nlohmann::json;

// Wipes a string holding a secret when it goes.
struct wiped {
  std::string text;
  ~wiped() { crypto::wipe_string(text); }
};

result<std::optional<std::string>> read_optional(const std::filesystem::path& file,
                                                 std::size_t limit) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::optional<std::string>();
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return status{status_code::io_error,
                  "cannot read " + file.string() + ": " + std::strerror(errno)};
  }
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > limit) {
      return status{status_code::invalid_argument, file.string() + " is larger than " +
                                                       std::to_string(limit >> 20) +
                                                       " MiB; it is not what zwerm expects there"};
    }
  }
  return std::optional<std::string>(std::move(text));
}

bool is_id_text(const std::string& text) {
  std::string raw;
  return crypto::base64url_decode(text, &raw) && raw.size() == 32;
}

// "KEY@host:port" with a 32-byte key and a port 1..65535; the daemon checks the host.
bool is_keyed_address(const std::string& text) {
  const auto at = text.find('@');
  if (at == std::string::npos || !is_id_text(text.substr(0, at))) return false;
  const std::string where = text.substr(at + 1);
  const auto colon = where.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == where.size()) return false;
  const std::string port = where.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return false;
  const int p = std::stoi(port);
  return p >= 1 && p <= 65535;
}

result<json> read_secrets(const std::filesystem::path& home) {
  const auto file = home / "communities.json";
  auto text = read_optional(file, 16u << 20);
  if (!text) return text.error();
  if (!*text) return json{{"default", nullptr}, {"communities", json::object()}};
  json doc = json::parse(**text, nullptr, false, /*ignore_comments=*/true);
  if (!doc.is_object() || !doc.contains("communities") || !doc["communities"].is_object()) {
    return status{status_code::corruption,
                  file.string() + " is damaged: not the JSON object zwermd writes"};
  }
  for (const auto& [id, entry] : doc["communities"].items()) {
    if (!is_id_text(id) || !entry.is_object() || !entry.contains("network_key") ||
        !entry["network_key"].is_string() || !is_id_text(entry["network_key"].get<std::string>())) {
      return status{status_code::corruption,
                    file.string() + " is damaged: the entry for '" + id + "' is malformed"};
    }
  }
  return doc;
}

status payload_error(const std::string& why) {
  return {status_code::corruption, "the backup opened but its contents are not usable: " + why};
}

// An exclusive hold on <home>/zwermd.lock, as zwermd takes it: no daemon starts meanwhile.
class home_hold {
 public:
  ~home_hold() {
    if (fd_ >= 0) ::close(fd_);
  }
  status take(const std::filesystem::path& lock) {
    fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      return {status_code::io_error, "cannot open " + lock.string() + ": " + std::strerror(errno)};
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      return {status_code::busy, "a zwermd runs on " + lock.parent_path().string() +
                                     "; stop it first (zwerm stop), then restore"};
    }
    return {};
  }

 private:
  int fd_ = -1;
};

}  // namespace

result<std::vector<std::string>> community_ids_of(const std::filesystem::path& home) {
  auto doc = read_secrets(home);
  if (!doc) return doc.error();
  std::vector<std::string> out;
  for (const auto& [id, entry] : (*doc)["communities"].items()) out.push_back(id);
  return out;
}

result<backup_outcome> run_backup(const backup_options& options) {
  crypto::init();
  home_paths home{resolve_home(options.home)};
  std::error_code ec;
  if (!options.force && std::filesystem::exists(options.file, ec)) {
    return status{status_code::already_exists,
                  options.file.string() +
                      " exists; it was left as it is (--force replaces it, or choose another "
                      "name)"};
  }
  auto encrypted = crypto::identity_is_encrypted(home.identity());
  if (!encrypted) return encrypted.error();
  auto keys = crypto::load_identity(
      home.identity(), *encrypted ? options.identity_passphrase : std::optional<std::string>());
  if (!keys) return keys.error();
  auto secrets = read_secrets(home.root);
  if (!secrets) return secrets.error();
  auto config = read_optional(home.config(), 1u << 20);
  if (!config) return config.error();

  backup_outcome out;
  out.file = options.file.string();
  out.member_id = crypto::to_text(keys->pk);
  wiped payload;
  {
    json communities = json::object();
    for (const auto& [id, entry] : (*secrets)["communities"].items()) {
      json peers = json::array();
      if (auto it = options.peers.find(id); it != options.peers.end()) {
        for (const auto& p : it->second) {
          if (is_keyed_address(p)) peers.push_back(p);
        }
      }
      out.peers += peers.size();
      communities[id] = json{{"network_key", entry["network_key"]}, {"peers", std::move(peers)}};
      ++out.communities;
    }
    const json& def = (*secrets).contains("default") ? (*secrets)["default"] : json(nullptr);
    wiped seed{crypto::base64url_encode(std::string_view(
        reinterpret_cast<const char*>(keys->sk.data()), 32))};  // the seed half of the key
    json doc{{"zwerm_backup", backup_payload_version},
             {"member_id", out.member_id},
             {"identity_seed", seed.text},
             {"config", *config ? json(**config) : json(nullptr)},
             {"default", def.is_string() ? def : json(nullptr)},
             {"communities", std::move(communities)}};
    payload.text = doc.dump();
    crypto::wipe_string(doc["identity_seed"].get_ref<std::string&>());
  }
  crypto::wipe_memory(keys->sk.data(), keys->sk.size());
  auto sealed = crypto::seal_backup(payload.text, options.passphrase, options.kdf);
  if (!sealed) return sealed.error();
  if (status s = replace_file(options.file, *sealed, "the backup"); !s.ok()) return s;
  return out;
}

result<restore_outcome> run_restore(const restore_options& options) {
  crypto::init();
  home_paths home{resolve_home(options.home)};
  for (const auto& p : options.peers) {
    if (!is_keyed_address(p)) {
      return status{status_code::invalid_argument,
                    "--peer '" + p +
                        "' is not KEY@host:port (the member id of a node, @, its "
                        "address and port)"};
    }
  }
  std::error_code ec;
  if (!options.force && std::filesystem::exists(home.identity(), ec)) {
    return status{status_code::already_exists,
                  home.root.string() +
                      " already holds an identity; nothing was changed (restore into an empty "
                      "home with --home DIR, or replace it with --force)"};
  }
  auto file = read_optional(options.file, crypto::backup_max_bytes);
  if (!file) return file.error();
  if (!*file) return status{status_code::not_found, "no file " + options.file.string()};
  auto opened = crypto::open_backup(**file, options.passphrase);
  if (!opened) return opened.error();
  wiped payload{std::move(*opened)};

  // Everything is checked before anything is written.
  json doc = json::parse(payload.text, nullptr, false);
  if (!doc.is_object()) return payload_error("not a JSON object");
  if (!doc.contains("zwerm_backup") || !doc["zwerm_backup"].is_number_integer()) {
    return payload_error("no payload version");
  }
  if (doc["zwerm_backup"].get<std::int64_t>() != backup_payload_version) {
    return status{status_code::unsupported, "the backup's contents have version " +
                                                doc["zwerm_backup"].dump() +
                                                "; a newer zwerm made it: restore with that one"};
  }
  if (!doc.contains("identity_seed") || !doc["identity_seed"].is_string() ||
      !doc.contains("member_id") || !doc["member_id"].is_string() || !doc.contains("communities") ||
      !doc["communities"].is_object()) {
    return payload_error("the identity or the communities are missing");
  }
  wiped seed_bytes;
  crypto::seed seed;
  if (!crypto::base64url_decode(doc["identity_seed"].get<std::string>(), &seed_bytes.text) ||
      !crypto::seed::from(seed_bytes.text, &seed)) {
    return payload_error("the identity key is malformed");
  }
  { crypto::wipe_string(doc["identity_seed"].get_ref<std::string&>()); }
  crypto::key_pair keys = crypto::key_pair_from_seed(seed);
  crypto::wipe_memory(seed.data(), seed.size());
  restore_outcome out;
  out.home = home.root.string();
  out.member_id = crypto::to_text(keys.pk);
  if (out.member_id != doc["member_id"].get<std::string>()) {
    return payload_error("the identity key does not match the member id it names");
  }
  json communities = json::object();
  for (const auto& [id, entry] : doc["communities"].items()) {
    if (!is_id_text(id) || !entry.is_object() || !entry.contains("network_key") ||
        !entry["network_key"].is_string() || !is_id_text(entry["network_key"].get<std::string>())) {
      return payload_error("the entry for community '" + id + "' is malformed");
    }
    json peers = json::array();
    if (entry.contains("peers")) {
      if (!entry["peers"].is_array()) return payload_error("the peers of '" + id + "'");
      for (const auto& p : entry["peers"]) {
        if (!p.is_string() || !is_keyed_address(p.get<std::string>())) {
          return payload_error("a peer of '" + id + "' is not KEY@host:port");
        }
        peers.push_back(p);
      }
    }
    for (const auto& p : options.peers) peers.push_back(p);
    communities[id] = json{{"network_key", entry["network_key"]},
                           {"own_feed", "unconfirmed"},
                           {"restore_peers", std::move(peers)}};
    out.communities.push_back(id);
  }
  json def = doc.value("default", json(nullptr));
  if (!def.is_null() && (!def.is_string() || !communities.contains(def.get<std::string>()))) {
    return payload_error("the default community is not one of its communities");
  }
  std::optional<std::string> config;
  if (doc.contains("config") && !doc["config"].is_null()) {
    if (!doc["config"].is_string()) return payload_error("the config is not text");
    config = doc["config"].get<std::string>();
  }

  // Writing: the home, held like zwermd holds it; config, secrets, then the identity last (a
  // restore cut short leaves no identity, so running it again needs no --force).
  std::filesystem::create_directories(home.root, ec);
  if (ec) {
    return status{status_code::io_error,
                  "cannot create " + home.root.string() + ": " + ec.message()};
  }
  ::chmod(home.root.c_str(), 0700);
  home_hold hold;
  if (status s = hold.take(home.lock()); !s.ok()) return s;
  if (!options.force && std::filesystem::exists(home.identity(), ec)) {
    return status{status_code::already_exists,
                  home.root.string() + " already holds an identity; nothing was changed"};
  }
  if (config && (options.force || !std::filesystem::exists(home.config(), ec))) {
    if (status s = replace_file(home.config(), *config, "the configuration"); !s.ok()) return s;
    out.config_written = true;
  }
  json secrets{{"default", def}, {"communities", std::move(communities)}};
  const std::string secrets_text =
      "// zwermd's community secrets (network keys). Keep private; back it up with "
      "identity.key.\n" +
      secrets.dump(2) + "\n";
  if (status s =
          replace_file(home.root / "communities.json", secrets_text, "the community secrets file");
      !s.ok()) {
    return s;
  }
  const auto staged = home.root / "identity.key.restoring";
  std::filesystem::remove(staged, ec);
  if (status s = crypto::save_identity(staged, keys, std::nullopt); !s.ok()) return s;
  std::filesystem::rename(staged, home.identity(), ec);
  if (ec) {
    std::filesystem::remove(staged, ec);
    return status{status_code::io_error, "cannot put the identity in place: " + ec.message()};
  }
  if (status s = sync_directory(home.root, "the identity"); !s.ok()) return s;
  return out;
}

}  // namespace zwerm::cli
