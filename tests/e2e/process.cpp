// run_program and child_process are defined in tests/support/process.cpp, part of the
// zwerm_test_support library. This file only remains because benchmark targets still list it
// among their sources; it defines nothing.
#include "tests/support/process.hpp"
