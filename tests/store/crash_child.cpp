// Helper process for the store's crash and locking tests (tests/store/crash_test.cpp).
//
//   crash_child ingest DIR SEED   ingests batches forever; after each committed batch writes
//                                 one line "<batch number> <hex id> <hex id> ..." (the ids the
//                                 commit appended) to stdout in a single write(2).
//   crash_child try-open DIR      opens the store; prints the error and exits 3 when busy,
//                                 exits 0 when it opened, 1 on any other error.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "store/store.hpp"
#include "tests/store/synthetic.hpp"

using namespace zwerm;
using namespace zwerm::store;

namespace {

constexpr int feeds = 24;

int try_open(const char* dir) {
  auto s = store::store::open(dir);
  if (s.ok()) return 0;
  std::printf("%s\n", s.error().message().c_str());
  return s.error().code() == status_code::busy ? 3 : 1;
}

bool write_all(const std::string& line) {
  std::size_t done = 0;
  while (done < line.size()) {
    auto n = ::write(1, line.data() + done, line.size() - done);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

int ingest_forever(const char* dir, unsigned seed) {
  options opts;
  opts.write_buffer_bytes = 256 << 10;  // small memtable: compactions happen during the test
  auto opened = store::store::open(dir, opts);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().message().c_str());
    return 1;
  }
  auto& s = **opened;
  const auto community = testing::community_named("crash");
  std::vector<testing::feed_writer> writers;
  for (int f = 0; f < feeds; ++f) {
    auto author = testing::author_named("crash" + std::to_string(f));
    writers.emplace_back(community, author);
    auto h = s.head(community, author);
    if (!h.ok()) return 1;
    if (h->has_value()) writers.back().resume((*h)->seq, (*h)->id, (*h)->lamport);
  }
  std::uint64_t batch_no = 0;
  if (auto v = s.get_view("crash/batches"); v.ok() && v->has_value()) {
    batch_no = std::stoull(**v);
  }
  std::mt19937 rng(seed);
  std::vector<record_entry> held;  // records kept back a batch to exercise the pending area
  for (;;) {
    std::vector<record_entry> batch = std::move(held);
    held.clear();
    const int n = 50 + static_cast<int>(rng() % 150);
    for (int i = 0; i < n; ++i) {
      auto& w = writers[rng() % feeds];
      auto e = w.next("s" + std::to_string(seed) + "-" + std::to_string(rng()));
      if (rng() % 40 == 0) {
        held.push_back(std::move(e));  // its successors wait until the next batch
      } else {
        batch.push_back(std::move(e));
      }
    }
    ++batch_no;
    std::vector<view_change> views{{"crash/batches", std::to_string(batch_no)}};
    auto r = s.ingest(batch, views);
    if (!r) {
      std::fprintf(stderr, "%s\n", r.error().message().c_str());
      return 1;
    }
    std::string line = std::to_string(batch_no);
    for (const auto& e : r->appended) line += " " + crypto::to_hex(e.id);
    line += "\n";
    if (!write_all(line)) return 0;  // the parent went away
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "try-open") == 0) return try_open(argv[2]);
  if (argc == 4 && std::strcmp(argv[1], "ingest") == 0) {
    return ingest_forever(argv[2], static_cast<unsigned>(std::stoul(argv[3])));
  }
  std::fprintf(stderr, "usage: crash_child ingest DIR SEED | crash_child try-open DIR\n");
  return 2;
}
