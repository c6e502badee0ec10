# Crypto fuzz targets (clang, -DZWERM_FUZZ=ON; run by scripts/fuzz). They link zwerm_crypto only.
#   fuzz_box_stream  the box-stream frame decoder fed arbitrary bytes
#   fuzz_shs         the SHS server and client state machines fed arbitrary messages
#   fuzz_seed_corpus writes seed inputs for both from tests/vectors
foreach(target fuzz_box_stream fuzz_shs)
  add_executable(${target} ${CMAKE_CURRENT_LIST_DIR}/${target}.cpp)
  target_link_libraries(${target} PRIVATE zwerm_crypto)
  target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  zwerm_warnings(${target})
endforeach()

add_executable(fuzz_seed_corpus ${CMAKE_CURRENT_LIST_DIR}/fuzz_seed_corpus.cpp)
target_link_libraries(fuzz_seed_corpus PRIVATE zwerm_crypto nlohmann_json::nlohmann_json)
target_compile_definitions(fuzz_seed_corpus PRIVATE ZWERM_VECTORS_DIR="${ZWERM_VECTORS_DIR}")
zwerm_warnings(fuzz_seed_corpus)
