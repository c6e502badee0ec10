# bench_community: views over a community of 10,000 members and 1,000,000 records, snapshot
# restore, and a late record that rewinds 10,000 positions (docs/PERFORMANCE.md,
# "Community views"). Each figure comes with a baseline measured in the same run.
add_executable(bench_community ${CMAKE_CURRENT_LIST_DIR}/community_bench.cpp)
target_link_libraries(bench_community PRIVATE zwerm_community benchmark::benchmark)
target_include_directories(bench_community PRIVATE ${PROJECT_SOURCE_DIR})
zwerm_warnings(bench_community)
