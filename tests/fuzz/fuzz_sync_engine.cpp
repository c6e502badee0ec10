// libFuzzer target: the sync engine's message handlers (node/sync/engine.hpp) fed a hello and
// then arbitrary messages, as a hostile peer would send them. The input is split into
// messages by a one-byte length prefix. The replica holds a small real community, so record,
// want and heads handling reach the replica. Nothing may crash, assert or leak; every refusal
// goes to on_misbehaviour.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "crypto/sign.hpp"
#include "crypto/sodium.hpp"
#include "node/records/record_writer.hpp"
#include "node/sync/engine.hpp"
#include "node/sync/memory_replica.hpp"

namespace {

namespace sync = zwerm::node::sync;

struct null_sink final : sync::message_sink {
  std::size_t sent = 0;
  void send(std::string m) override { sent += m.size(); }
};

struct fixture {
  zwerm::node::record genesis;
  std::vector<std::string> records;
  fixture() {
    zwerm::crypto::init();
    auto founder = zwerm::crypto::key_pair_from_seed({});
    genesis = *zwerm::node::write_genesis(R"({"name":"fuzz"})", 1, founder);
    records.push_back(genesis.bytes);
    auto w = zwerm::node::feed_writer::after_genesis(founder, genesis);
    for (int i = 0; i < 5; ++i) records.push_back(w.append("note", "{}", 2 + i)->bytes);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fixture fx;
  sync::memory_replica replica(fx.genesis.community);
  if (!replica.ingest(fx.records).ok()) std::abort();
  sync::engine_callbacks cbs;
  cbs.on_misbehaviour = [](sync::session_id, const zwerm::crypto::public_key&,
                           const sync::misbehaviour& m) {
    if (m.reason.empty()) std::abort();
  };
  sync::engine e(replica, {}, cbs);
  null_sink sink;
  auto id = e.attach(zwerm::crypto::public_key{}, size % 2 == 0, sink);
  auto hello = sync::encode(sync::hello{.community = fx.genesis.community});
  e.on_message(id, hello);
  std::size_t pos = 0;
  while (pos < size) {
    std::size_t len = data[pos++];
    if (len > size - pos) len = size - pos;
    e.on_message(id, std::string_view(reinterpret_cast<const char*>(data + pos), len));
    pos += len;
  }
  e.anti_entropy();
  e.detach(id);
  return 0;
}
