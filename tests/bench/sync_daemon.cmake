# bench_sync_daemon: catch-up of many records between two zwermd processes over loopback,
# against raw signature verification of the same records in the same run (docs/PERFORMANCE.md,
# "Sync"). Uses the end-to-end harness (tests/e2e) to run the daemons.
if(TARGET zwerm_test_support)
  # child_process comes with zwerm_test_support (tests/support/process.*).
  add_executable(bench_sync_daemon ${CMAKE_CURRENT_LIST_DIR}/sync_daemon_bench.cpp
                 ${PROJECT_SOURCE_DIR}/tests/e2e/node_harness.cpp)
  target_link_libraries(bench_sync_daemon PRIVATE zwerm_node zwerm_test_support)
  target_include_directories(bench_sync_daemon PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(bench_sync_daemon PRIVATE ZWERM_BINARY_DIR="${PROJECT_BINARY_DIR}")
  add_dependencies(bench_sync_daemon zwerm zwermd)
  zwerm_warnings(bench_sync_daemon)
endif()
