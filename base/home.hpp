// Where a member's node keeps its files. Shared by zwermd and the zwerm CLI, which is why it
// lives in the bottom module, base/: the CLI may link base/ and crypto/ but never store/ or net/.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace zwerm {

// --home DIR, else $ZWERM_HOME, else $XDG_DATA_HOME/zwerm, else $HOME/.local/share/zwerm.
std::filesystem::path resolve_home(const std::optional<std::string>& flag);

struct home_paths {
  std::filesystem::path root;
  std::filesystem::path identity() const { return root / "identity.key"; }
  std::filesystem::path config() const { return root / "config.json"; }
  std::filesystem::path db() const { return root / "db"; }
  std::filesystem::path socket() const { return root / "zwermd.sock"; }
  std::filesystem::path lock() const { return root / "zwermd.lock"; }
};

}  // namespace zwerm
