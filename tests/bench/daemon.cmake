# bench_daemon: zwermd's start with a million records (open the store, restore the community
# state from its snapshot, answer `members`) against opening the store and reading a frontier
# digest, the start after a crash, and every view through a real zwermd's RPC socket
# (docs/PERFORMANCE.md, "Community views", "Start with a million records"). The store is
# generated once into <build>/bench-data. zwermd runs as a child process (child_process from
# zwerm_test_support, tests/support/process.*).
if(TARGET zwerm_test_support)
  add_executable(bench_daemon ${CMAKE_CURRENT_LIST_DIR}/daemon_bench.cpp)
  target_link_libraries(bench_daemon PRIVATE zwerm_node zwerm_test_support)
  target_include_directories(bench_daemon PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(bench_daemon PRIVATE
    ZWERM_BENCH_DATA_DIR="${PROJECT_BINARY_DIR}/bench-data"
    ZWERM_BINARY_DIR="${PROJECT_BINARY_DIR}")
  add_dependencies(bench_daemon zwermd)
  zwerm_warnings(bench_daemon)
endif()
