#include "node/daemon/home_json.hpp"

#include <fstream>
#include <sstream>

namespace zwerm::node {

status damaged_home_file(const std::filesystem::path& file, const std::string& why) {
  return status{status_code::corruption, file.string() + " is damaged: " + why};
}

result<std::optional<nlohmann::json>> read_home_json(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::optional<nlohmann::json>{};
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return damaged_home_file(file, "it cannot be read");
  auto doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (!doc.is_object()) return damaged_home_file(file, "not the JSON object zwermd writes");
  return std::optional<nlohmann::json>(std::move(doc));
}

}  // namespace zwerm::node
