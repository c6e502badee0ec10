# bench_net: encrypted session throughput vs plain TCP over loopback, and full handshakes per
# second vs raw signature verification, all in one run (docs/PERFORMANCE.md, "Transport").
add_executable(bench_net ${CMAKE_CURRENT_LIST_DIR}/net_bench.cpp)
target_link_libraries(bench_net PRIVATE zwerm_net benchmark::benchmark)
zwerm_warnings(bench_net)
