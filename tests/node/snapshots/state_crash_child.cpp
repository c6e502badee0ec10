// The helper process of the state crash test: opens (or creates) a community in DIR through
// the real daemon parts and writes records forever, some of them late in total order, with
// snapshots written every few records. After every committed and absorbed record it prints
// "ok" on its own line. The test kills it with SIGKILL at a random moment.
//
//   state_crash_child DIR SEED
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "crypto/sodium.hpp"
#include "tests/node/snapshots/state_sim.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: state_crash_child DIR SEED\n");
    return 2;
  }
  zwerm::crypto::init();
  try {
    zwerm::node::state_store_options opts;
    opts.replayer.persist_interval = 25;
    zwerm::node::testing::state_sim sim(argv[1], opts);
    if (sim.host().ids().empty()) sim.setup();
    std::mt19937_64 rng(std::strtoull(argv[2], nullptr, 10));
    for (;;) {
      sim.grow(1, rng, /*late=*/rng() % 3 == 0);  // about 1 in 40 records late
      std::printf("ok\n");
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "state_crash_child: %s\n", e.what());
    return 1;
  }
}
