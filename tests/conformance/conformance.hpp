// The conformance runner's contract (tests/conformance/README.md): every JSON file in the
// vectors directory that has a top-level "kind" is a set of vectors of that kind; a checker
// registered for the kind runs each vector and reports pass or fail with a reason.
//
// A checker is a plain function of the parsed file. Checkers register themselves at static
// initialisation (ZWERM_CONFORMANCE_CHECKER), one translation unit per kind, so that adding a
// kind touches only its own file and the CMake list.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace zwerm::conformance {

struct outcome {
  std::string name;  // the vector's "name"
  bool pass = false;
  std::string why;  // for a failure: what differed
};

using checker = std::function<std::vector<outcome>(const nlohmann::json& file)>;

// kind -> checker.
std::map<std::string, checker>& checkers();

struct registrar {
  registrar(const std::string& kind, checker c) { checkers().emplace(kind, std::move(c)); }
};

// Runs `fn` on every vector of `file[section]` and appends one outcome each: `fn` returns why
// the vector fails (empty: it passes); a vector it cannot read (an exception) fails as a "bad
// vector", and a missing section fails once. Outcomes are named "section/name" when `prefix`,
// else by the vector's name alone.
void run_section(std::vector<outcome>& out, const nlohmann::json& file, const std::string& section,
                 bool prefix, const std::function<std::string(const nlohmann::json&)>& fn);

// Bytes in vectors are lowercase hex.
std::string from_hex(const std::string& hex);  // throws std::invalid_argument on bad input
std::string to_hex(std::string_view bytes);

}  // namespace zwerm::conformance

#define ZWERM_CONFORMANCE_CONCAT2(a, b) a##b
#define ZWERM_CONFORMANCE_CONCAT(a, b) ZWERM_CONFORMANCE_CONCAT2(a, b)
#define ZWERM_CONFORMANCE_CHECKER(kind, fn)                                                       \
  static ::zwerm::conformance::registrar ZWERM_CONFORMANCE_CONCAT(zwerm_checker_, __LINE__)(kind, \
                                                                                            fn)
