// Test support: a scripted community for the CLI's golden files (tests/cli/README.md).
//
// "Werkplaats Noord", a neighbourhood workshop: fifteen members (one left, one removed) and
// seven and a half weeks of activity, written as signed records by the project's record writer
// (node/records/record_writer.hpp) with keys from fixed seeds and fixed `ts` values, so that
// every run writes the same bytes: invites (by member id and by token) and joins, profiles,
// requests (some answered), contributions (some in circles), thanks with and without notes,
// three circles (one closed), proposals (two agreements adopted, a purpose change expired, an
// agreement open with endorsements, a removal adopted), a steward handover and a member who
// left. Names and texts mix Dutch and English, long and short, ASCII and not ("Zoë",
// "Jürgen", "Fatma Yılmaz").
#pragma once

#include <cstdint>
#include <vector>

#include "crypto/sign.hpp"
#include "node/records/record.hpp"

namespace zwerm::test {

struct scripted_community {
  // Every record in the order written (which is the community's total order: each record's
  // lamport is past every earlier one's). The first is the genesis.
  std::vector<node::record> records;
  // The founder's keys: the node that answers the views is hers.
  crypto::key_pair founder;
  // The moment the views are asked at (ms since the epoch), a few hours after the last record.
  std::int64_t now_ms = 0;
};

// Writes the community. Deterministic: the same records, byte for byte, on every call.
scripted_community write_scripted_community();

}  // namespace zwerm::test
