// A fresh directory under the system temp dir, removed with everything in it on destruction.
#pragma once

#include <filesystem>
#include <string>

namespace zwerm::testing {

class temp_dir {
 public:
  explicit temp_dir(const std::string& prefix = "zwerm-test");
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Reads a whole file into a string; throws std::runtime_error when it cannot.
std::string read_file(const std::filesystem::path& file);

}  // namespace zwerm::testing
