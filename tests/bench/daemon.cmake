# bench_daemon: zwermd's start with a million records (open the store, restore the community
# state from its snapshot, answer `members`) against opening the store and reading a frontier
# digest (docs/PERFORMANCE.md, "Community views", "Start with a million records"). The store
# is generated once into <build>/bench-data.
add_executable(bench_daemon ${CMAKE_CURRENT_LIST_DIR}/daemon_bench.cpp)
target_link_libraries(bench_daemon PRIVATE zwerm_node)
target_include_directories(bench_daemon PRIVATE ${PROJECT_SOURCE_DIR})
target_compile_definitions(bench_daemon PRIVATE
  ZWERM_BENCH_DATA_DIR="${PROJECT_BINARY_DIR}/bench-data")
zwerm_warnings(bench_daemon)
