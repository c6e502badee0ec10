// The one adapter between a parsed record (node/records) and the store's entry for it
// (store/record_entry.hpp): every conversion either way goes through here.
#pragma once

#include "base/status.hpp"
#include "node/records/record.hpp"
#include "store/record_entry.hpp"

namespace zwerm::node {

// The store entry for a parsed record (the fields are the same).
store::record_entry to_entry(const record& r);

// The record a store entry holds, parsed again without checking the signature: the store
// holds only records this node verified before committing them. Errors: corruption (the bytes
// no longer parse; the message names zwermd repair).
result<record> record_from_store(const store::record_entry& e);

}  // namespace zwerm::node
