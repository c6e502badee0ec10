// The small JSON files zwermd keeps in its home beside config.json (token bindings, the
// operator's peers): read whole, an absent file is "nothing yet", and anything that is not a
// JSON object is damage reported with the file's name, which refuses the start.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/status.hpp"

namespace zwerm::node {

// The file's JSON object, or nullopt when the file does not exist. Errors: corruption (see
// damaged_home_file) when it cannot be read or is not a JSON object.
result<std::optional<nlohmann::json>> read_home_json(const std::filesystem::path& file);

// corruption "<file> is damaged: <why>".
status damaged_home_file(const std::filesystem::path& file, const std::string& why);

}  // namespace zwerm::node
