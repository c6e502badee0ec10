// Internal to store/*.cpp: the LevelDB Env behind a fault_env.
#pragma once

#include <leveldb/env.h>

#include <atomic>
#include <string>

#include "store/fault_env.hpp"

namespace zwerm::store {

leveldb::Env* leveldb_env_of(fault_env& e);

}  // namespace zwerm::store
