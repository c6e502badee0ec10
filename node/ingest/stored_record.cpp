#include "node/ingest/stored_record.hpp"

#include "node/records/record_parse.hpp"

namespace zwerm::node {

store::record_entry to_entry(const record& r) {
  store::record_entry e;
  e.id = r.id;
  e.community = r.community;
  e.author = r.author;
  e.seq = r.seq;
  e.prev = r.prev;
  e.lamport = r.lamport;
  e.bytes = r.bytes;
  return e;
}

result<record> record_from_store(const store::record_entry& e) {
  auto parsed = parse_record(e.bytes, signature_check::skip);
  if (!parsed) {
    return status{status_code::corruption, "a stored record does not parse any more (" +
                                               parsed.to_status().message() +
                                               "); run zwermd repair"};
  }
  return std::move(*parsed);
}

}  // namespace zwerm::node
