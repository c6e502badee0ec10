// The process guards moved to tests/support/process.hpp (shared by the end-to-end tests, the
// crash tests and the daemon benchmarks); this header forwards to it.
#pragma once

#include "tests/support/process.hpp"
