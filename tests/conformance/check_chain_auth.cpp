// Checker for kind "chain_auth" (tests/vectors/chain-auth.json, format in
// tests/vectors/README.md): each case's message goes through node/records/chain_auth.hpp as the
// ingest queue runs it (parse without the signature, plan the runs, check each run), and every
// record's fate on arrival, and for vouched records what the later check of their own signature
// finds, must equal the vector.
#include <string>
#include <vector>

#include "node/records/chain_auth.hpp"
#include "node/records/record_parse.hpp"
#include "tests/conformance/conformance.hpp"

namespace zwerm::conformance {
namespace {

using json = nlohmann::json;

std::string check_case(const json& v) {
  std::vector<node::record_result<node::record>> parsed;
  std::vector<json> items;
  for (const auto& it : v.at("message")) {
    parsed.push_back(node::parse_record(from_hex(it.at("record")), node::signature_check::skip));
    items.push_back(it);
  }
  for (const auto& run : node::plan_signature_checks(parsed)) node::check_run(parsed, run);
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    std::string arrival;
    std::string later;
    if (!parsed[i]) {
      arrival = "refused:" + std::string(node::to_string(parsed[i].error().reason));
    } else if (parsed[i]->signature_vouched) {
      arrival = "vouched";
      later = node::signature_valid(*parsed[i]) ? "valid" : "held_bad";
    } else {
      arrival = "checked";
    }
    const std::string want = items[i].at("on_arrival");
    const std::string want_later = items[i].value("later", std::string());
    if (arrival != want || later != want_later) {
      return "record " + std::to_string(i) + ": got " + arrival +
             (later.empty() ? "" : " then " + later) + ", expected " + want +
             (want_later.empty() ? "" : " then " + want_later);
    }
  }
  return {};
}

std::vector<outcome> check(const json& file) {
  std::vector<outcome> out;
  run_section(out, file, "cases", false, check_case);
  return out;
}

ZWERM_CONFORMANCE_CHECKER("chain_auth", check);

}  // namespace
}  // namespace zwerm::conformance
