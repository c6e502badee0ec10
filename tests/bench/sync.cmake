# bench_sync: catch-up of 100,000 records through the sync engine against raw verification
# in the same run, and wire bytes per record (docs/PERFORMANCE.md, "Sync").
if(NOT TARGET zwerm_sync_sim)
  add_library(zwerm_sync_sim STATIC ${PROJECT_SOURCE_DIR}/tests/node/sync/sim.cpp)
  target_include_directories(zwerm_sync_sim PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(zwerm_sync_sim PUBLIC zwerm_sync)
  zwerm_warnings(zwerm_sync_sim)
endif()
add_executable(bench_sync ${CMAKE_CURRENT_LIST_DIR}/sync_bench.cpp
  ${PROJECT_SOURCE_DIR}/tests/support/temp_dir.cpp)
target_link_libraries(bench_sync PRIVATE zwerm_node zwerm_sync_sim
                      benchmark::benchmark)
zwerm_warnings(bench_sync)
