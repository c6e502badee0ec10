# bench_store: durable ingest against raw signature verification, opening a store of a million
# records, frontier digests (docs/PERFORMANCE.md, "Store").
add_executable(bench_store ${CMAKE_CURRENT_LIST_DIR}/store_bench.cpp)
target_link_libraries(bench_store PRIVATE zwerm_ingest zwerm_store benchmark::benchmark)
target_include_directories(bench_store PRIVATE ${PROJECT_SOURCE_DIR})
zwerm_warnings(bench_store)
