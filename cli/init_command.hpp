// `zwerm init`: creates a home with an identity and a default config. Runs without a node.
#pragma once

#include <optional>
#include <string>

#include "base/status.hpp"

namespace zwerm::cli {

struct init_options {
  std::optional<std::string> home;        // --home
  std::optional<std::string> name;        // --name: the display name put in the config
  std::optional<std::string> passphrase;  // protects the key when set
  std::string listen = "0.0.0.0:7411";    // --listen: where zwermd accepts peers
};

struct init_outcome {
  std::string home;
  std::string member_id;  // base64url public key
};

result<init_outcome> run_init(const init_options& options);

}  // namespace zwerm::cli
