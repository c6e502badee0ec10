// Checker of kind "histories" (tests/vectors/README.md, "Community histories"): for every run
// of every history, a fresh node receives the listed batches of records; after each batch the
// state summary and every view must equal the expected values carried forward from the steps
// so far (a step lists only the values that changed).
#include <algorithm>

#include "base/base64url.hpp"
#include "crypto/sodium.hpp"
#include "node/records/record_parse.hpp"
#include "tests/conformance/conformance.hpp"
#include "tests/conformance/histories.hpp"

namespace zwerm::conformance {
namespace {

using nlohmann::json;

// The first difference of two JSON texts, with some context.
std::string first_difference(const std::string& got, const std::string& want) {
  std::size_t at = 0;
  while (at < got.size() && at < want.size() && got[at] == want[at]) ++at;
  auto window = [&](const std::string& s) {
    std::size_t from = at > 80 ? at - 80 : 0;
    return s.substr(from, 160);
  };
  return "at byte " + std::to_string(at) + ": got …" + window(got) + "… want …" + window(want) +
         "…";
}

std::string check_run(const json& history, const std::vector<node::record>& records,
                      const community_id& community, const json& run) {
  const std::int64_t now = history.at("now_ts").get<std::int64_t>();
  histories::holder node(community);
  histories::observation expected;
  std::size_t step_no = 0;
  for (const auto& step : run.at("steps")) {
    const std::string where = "step " + std::to_string(step_no++);
    std::vector<node::record> batch;
    for (const auto& i : step.at("add")) {
      auto k = i.get<std::size_t>();
      if (k >= records.size()) return where + ": record index " + std::to_string(k) + " unknown";
      batch.push_back(records[k]);
    }
    for (const auto& [name, value] : step.at("expect").items()) {
      const auto& names = histories::observed_names();
      if (std::find(names.begin(), names.end(), name) == names.end()) {
        return where + ": unknown expected value \"" + name + "\"";
      }
      expected[name] = value;
    }
    if (auto err = node.add(batch); !err.empty()) return where + ": " + err;
    histories::observation got = node.observe(now);
    for (const auto& name : histories::observed_names()) {
      auto want = expected.find(name);
      if (want == expected.end()) return where + ": no expected \"" + name + "\" yet";
      if (got[name] != want->second) {
        return where + ", " + name + " " + first_difference(got[name].dump(), want->second.dump());
      }
    }
  }
  return "";
}

std::vector<outcome> check_histories(const json& file) {
  crypto::init();
  std::vector<outcome> out;
  for (const auto& history : file.at("histories")) {
    const std::string name = history.at("name").get<std::string>();
    std::vector<node::record> records;
    std::string bad;
    std::size_t i = 0;
    for (const auto& r : history.at("records")) {
      auto parsed = node::parse_record(from_hex(r.at("bytes").get<std::string>()));
      if (!parsed.ok()) {
        bad = "record " + std::to_string(i) + " refused: " + parsed.error().message;
        break;
      }
      if (r.contains("id") && crypto::to_text(parsed->id) != r["id"].get<std::string>()) {
        bad = "record " + std::to_string(i) + " has another id";
        break;
      }
      records.push_back(*parsed);
      ++i;
    }
    community_id community;
    if (bad.empty() && !crypto::from_text(history.at("community").get<std::string>(), &community)) {
      bad = "\"community\" is not an id";
    }
    if (!bad.empty()) {
      out.push_back({name, false, bad});
      continue;
    }
    for (const auto& run : history.at("runs")) {
      const std::string run_name = name + " / " + run.at("name").get<std::string>();
      std::string why = check_run(history, records, community, run);
      out.push_back({run_name, why.empty(), why});
    }
  }
  return out;
}

ZWERM_CONFORMANCE_CHECKER("histories", check_histories);

}  // namespace
}  // namespace zwerm::conformance
