// Test support (library zwerm_store_testing, which zwermd does not link): ways to build stores in
// states the public API never produces (an old schema, a newer one, lost index tables), so that
// migration, refusal, check and repair can be tested without LevelDB headers outside store/. Never
// used by zwermd.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

#include "base/status.hpp"
#include "store/record_entry.hpp"

namespace zwerm::store::testing {

// Writes a new schema-1 store in `dir` holding `records` (each feed complete from seq 1, in
// seq order): records, feed index, total-order index and heads, as version 1 wrote them.
status write_v1_store(const std::filesystem::path& dir, std::span<const record_entry> records);

// The same as schema 2 wrote it: schema 1's tables, the bucket digests and community counts.
status write_v2_store(const std::filesystem::path& dir, std::span<const record_entry> records);

// On the closed current store in `dir` that holds `records`: adds their rows as schema 2 kept
// them (R and S rows, ids in the total-order index) and the note that such rows wait to be
// deleted, which is what a migration to schema 3 stopped after its commit leaves.
status leave_v2_rows(const std::filesystem::path& dir, std::span<const record_entry> records);

// How many keys of one table (its one-byte prefix) the closed store in `dir` holds.
result<std::uint64_t> count_rows(const std::filesystem::path& dir, char table);

// Overwrites the schema version of the (closed) store in `dir`.
status set_schema(const std::filesystem::path& dir, std::uint32_t version);

// Deletes every key of one table (its one-byte prefix, e.g. 'O' or 'H') from the closed store.
status drop_table(const std::filesystem::path& dir, char table);

// Deletes one record from the records table of the closed store, leaving its indexes (as a
// lost table block would). not_found when the id index does not know it.
status erase_record(const std::filesystem::path& dir, const record_id& id);

}  // namespace zwerm::store::testing
