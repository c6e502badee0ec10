// Writes seed corpora for fuzz_box_stream and fuzz_shs from tests/vectors (run by scripts/fuzz):
//   fuzz_seed_corpus <out-dir>  ->  <out-dir>/box_stream/*, <out-dir>/shs/*
// Each seed is the fuzzer's input format: one mode byte, then message bytes.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "base/bytes.hpp"

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json load(const std::string& name) {
  std::ifstream in(std::string(ZWERM_VECTORS_DIR) + "/" + name);
  if (!in) throw std::runtime_error("cannot read vector file " + name);
  return json::parse(in);
}

std::string raw(const json& j) {
  std::string out;
  if (!zwerm::crypto::from_hex(j.get<std::string>(), &out)) throw std::runtime_error("bad hex");
  return out;
}

void write(const fs::path& file, char mode, const std::string& body) {
  std::ofstream out(file, std::ios::binary);
  out.put(mode);
  out << body;
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_seed_corpus OUT_DIR\n";
    return 2;
  }
  try {
    fs::path out = argv[1];
    fs::create_directories(out / "box_stream");
    fs::create_directories(out / "shs");

    json box = load("box-stream.vectors.json");
    write(out / "box_stream" / "whole_stream", 0, raw(box["stream_1"]["whole_stream"]));
    for (const json& c : box["negative_cases"]) {
      write(out / "box_stream" / c["case"].get<std::string>(), 0, raw(c["bytes"]));
    }
    write(out / "box_stream" / "round_trip", 1, raw(box["stream_1"]["whole_stream"]));

    // The fuzzer's fixed keys are those of session 0.
    json session = load("shs1-transcripts.json")["sessions"][0];
    std::string m1 = raw(session["msg1"]), m2 = raw(session["msg2"]);
    std::string m3 = raw(session["msg3"]), m4 = raw(session["msg4"]);
    write(out / "shs" / "server_honest", 0, m1 + m3);
    write(out / "shs" / "client_honest", 1, m2 + m4);
    write(out / "shs" / "pair_honest", 2, std::string(35, '\x01'));
    int n = 0;
    json negative = load("shs1-negative.derived.json");
    for (const json& c : negative["cases"]) {
      if (c["session"] != 0) continue;
      std::string bad = raw(c["bytes"]), which = c["bad_message"];
      std::string name = "neg_" + which + "_" + c["case"].get<std::string>();
      if (which == "msg1") write(out / "shs" / name, 0, bad + m3);
      if (which == "msg3") write(out / "shs" / name, 0, m1 + bad);
      if (which == "msg2") write(out / "shs" / name, 1, bad + m4);
      if (which == "msg4") write(out / "shs" / name, 1, m2 + bad);
      ++n;
    }
    std::cout << "seed corpus written to " << out.string() << " (" << n << " negative cases)\n";
  } catch (const std::exception& e) {
    std::cerr << "fuzz_seed_corpus: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
