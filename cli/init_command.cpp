#include "cli/init_command.hpp"

#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "base/base64url.hpp"
#include "base/home.hpp"
#include "crypto/identity.hpp"
#include "crypto/sodium.hpp"

namespace zwerm::cli {

result<init_outcome> run_init(const init_options& options) {
  crypto::init();
  home_paths home{resolve_home(options.home)};
  std::error_code ec;
  std::filesystem::create_directories(home.root, ec);
  if (ec) {
    return status{status_code::io_error,
                  "cannot create " + home.root.string() + ": " + ec.message()};
  }
  ::chmod(home.root.c_str(), 0700);
  if (std::filesystem::exists(home.identity())) {
    return status{status_code::already_exists,
                  home.root.string() + " already holds an identity; nothing was changed"};
  }
  crypto::key_pair keys;
  do {
    keys = crypto::generate_key_pair();
  } while (!crypto::can_handshake(keys.pk));
  if (status s = crypto::save_identity(home.identity(), keys, options.passphrase); !s.ok()) {
    return s;
  }
  if (!std::filesystem::exists(home.config())) {
    std::ofstream out(home.config());
    out << "// zwermd configuration. Comments are allowed. See docs/OPERATIONS.md.\n";
    nlohmann::ordered_json config = {
        {"name", options.name.value_or("")},
        {"listen", options.listen},
        {"bootstrap", nlohmann::json::array()},
        {"target_peers", 6},
        {"log_level", "info"},
    };
    out << config.dump(2) << "\n";
    out.close();
    if (!out) {
      return status{status_code::io_error, "cannot write " + home.config().string()};
    }
    // The owner's only, like the rest of the home (zwermd tightens it at start otherwise).
    std::error_code ec;
    std::filesystem::permissions(
        home.config(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
        std::filesystem::perm_options::replace, ec);
  }
  return init_outcome{home.root.string(), crypto::to_text(keys.pk)};
}

}  // namespace zwerm::cli
