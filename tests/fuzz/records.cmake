# Record fuzz target (clang, -DZWERM_FUZZ=ON; run with scripts/fuzz fuzz_records).
#   fuzz_records  parse_record, check_json_object and the body parser on arbitrary bytes, with
#                 invariants
add_executable(fuzz_records ${CMAKE_CURRENT_LIST_DIR}/fuzz_records.cpp)
target_link_libraries(fuzz_records PRIVATE zwerm_records zwerm_community)
target_link_options(fuzz_records PRIVATE -fsanitize=fuzzer)
zwerm_warnings(fuzz_records)
