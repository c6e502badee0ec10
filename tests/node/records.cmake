# Record format, parser, chain/fork rules and writer (node/records.cmake).
zwerm_test(records_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/records/record_parse_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/records/record_prefix_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/records/record_utf8_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/records/record_chain_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/records/record_fork_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/records/record_writer_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/records/record_example_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/records/record_json_compat_test.cpp
  LIBS zwerm_records nlohmann_json::nlohmann_json
  LABELS unit)
