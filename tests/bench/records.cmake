# bench_records: parse + validate + verify of 300-byte records against raw signature
# verification of the same payloads (docs/PERFORMANCE.md, "Records").
add_executable(bench_records ${CMAKE_CURRENT_LIST_DIR}/records_bench.cpp)
target_link_libraries(bench_records PRIVATE zwerm_records benchmark::benchmark)
zwerm_warnings(bench_records)
