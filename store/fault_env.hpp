// Test support (zwerm_store_testing, never linked into zwermd): a file-system environment for
// the store (store::environment) that can be told to fail, so tests can show what a full disk
// or a failing device does.
//
// With create(), files live on the real file system and only the failures are simulated.
// Thread-safe: the switches may be flipped from any thread while the store runs.
#pragma once

#include <cstdint>
#include <memory>

#include "store/store.hpp"

namespace zwerm::store {

class fault_env final : public environment {
 public:
  struct impl;

  // An environment over the real file system, failing nothing until told to.
  static std::shared_ptr<fault_env> create();
  // The same over LevelDB's in-memory file system (nothing touches the disk; the files vanish
  // with the last reference to the environment).
  static std::shared_ptr<fault_env> create_in_memory();
  ~fault_env() override;

  // While on, every append to, sync of, or creation of a writable file fails with
  // "No space left on device" (as ENOSPC would). Reads keep working.
  void set_disk_full(bool full);
  // How many write operations failed so far because of the switch.
  std::uint64_t failed_writes() const;

  leveldb::Env* leveldb_env() override;

 private:
  explicit fault_env(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace zwerm::store
