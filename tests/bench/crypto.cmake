# bench_crypto: SHS handshakes per second against raw crypto_sign_verify_detached, and
# box-stream seal+open throughput against raw crypto_secretbox over the same bytes
# (docs/PERFORMANCE.md, "Transport").
add_executable(bench_crypto ${CMAKE_CURRENT_LIST_DIR}/crypto_bench.cpp)
target_link_libraries(bench_crypto PRIVATE zwerm_crypto PkgConfig::SODIUM benchmark::benchmark)
zwerm_warnings(bench_crypto)
