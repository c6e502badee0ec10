// zwerm-conformance VECTORS_DIR [--verbose]: runs every vector file of a known kind and prints
// one line per vector (PASS/FAIL name: reason), then a summary. Exit 0 when every vector of
// every file passed and at least one file was checked; 1 otherwise. Files without a "kind" (the
// third-party handshake and signature vectors, checked by the unit tests) are listed as
// skipped; a file whose kind has no checker fails.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "tests/conformance/conformance.hpp"

namespace zwerm::conformance {

std::map<std::string, checker>& checkers() {
  static std::map<std::string, checker> all;
  return all;
}

void run_section(std::vector<outcome>& out, const nlohmann::json& file, const std::string& section,
                 bool prefix, const std::function<std::string(const nlohmann::json&)>& fn) {
  if (!file.contains(section)) {
    out.push_back({section, false, "section missing"});
    return;
  }
  for (const auto& v : file.at(section)) {
    const std::string name = v.value("name", std::string(prefix ? "?" : "(unnamed)"));
    outcome o{prefix ? section + "/" + name : name, false, {}};
    try {
      o.why = fn(v);
    } catch (const std::exception& e) {
      o.why = std::string("bad vector: ") + e.what();
    }
    o.pass = o.why.empty();
    out.push_back(std::move(o));
  }
}

std::string from_hex(const std::string& hex) {
  // Vectors are lowercase: an uppercase digit is a broken vector, not another spelling.
  std::string out;
  const bool lowercase =
      std::none_of(hex.begin(), hex.end(), [](char c) { return c >= 'A' && c <= 'F'; });
  if (!lowercase || !crypto::from_hex(hex, &out)) {
    throw std::invalid_argument("not lowercase hex of even length: " + hex.substr(0, 16));
  }
  return out;
}

std::string to_hex(std::string_view bytes) {
  return crypto::to_hex(bytes);
}

}  // namespace zwerm::conformance

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  using namespace zwerm::conformance;
  if (argc < 2) {
    std::cerr << "usage: zwerm-conformance VECTORS_DIR [--verbose]\n";
    return 2;
  }
  const bool verbose = argc > 2 && std::string(argv[2]) == "--verbose";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(argv[1])) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::size_t passed = 0, failed = 0, checked_files = 0;
  for (const auto& path : files) {
    std::ifstream in(path);
    nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    const std::string file = path.filename().string();
    if (doc.is_discarded()) {
      std::cout << "FAIL " << file << ": not valid JSON\n";
      ++failed;
      continue;
    }
    if (doc.is_object() && doc.contains("kind") && !doc["kind"].is_string()) {
      std::cout << "FAIL " << file << ": \"kind\" is not a string\n";
      ++failed;
      continue;
    }
    if (!doc.is_object() || !doc.contains("kind")) {
      std::cout << "skip " << file << " (no \"kind\": checked by the unit tests)\n";
      continue;
    }
    const std::string kind = doc["kind"].get<std::string>();
    auto it = checkers().find(kind);
    if (it == checkers().end()) {
      std::cout << "FAIL " << file << ": no checker for kind \"" << kind << "\"\n";
      ++failed;
      continue;
    }
    ++checked_files;
    std::vector<outcome> results;
    try {
      results = it->second(doc);
    } catch (const std::exception& e) {
      results.push_back({file, false, std::string("checker threw: ") + e.what()});
    }
    std::size_t file_failed = 0;
    for (const auto& r : results) {
      if (r.pass) {
        ++passed;
        if (verbose) std::cout << "PASS " << file << " " << r.name << "\n";
      } else {
        ++failed;
        ++file_failed;
        std::cout << "FAIL " << file << " " << r.name << ": " << r.why << "\n";
      }
    }
    std::cout << (file_failed ? "FAIL " : "ok   ") << file << " (" << kind
              << "): " << results.size() - file_failed << "/" << results.size()
              << " vectors pass\n";
  }
  std::cout << passed << " vectors passed, " << failed << " failed, in " << checked_files
            << " files\n";
  return failed == 0 && checked_files > 0 ? 0 : 1;
}
