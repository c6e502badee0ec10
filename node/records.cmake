# zwerm_records (node/records/): the record format, its strict parser/validator, chain and fork
# rules, writer.
add_library(zwerm_records
  ${CMAKE_CURRENT_LIST_DIR}/records/chain_auth.cpp
  ${CMAKE_CURRENT_LIST_DIR}/records/record_chain.cpp
  ${CMAKE_CURRENT_LIST_DIR}/records/record_error.cpp
  ${CMAKE_CURRENT_LIST_DIR}/records/record_fields.cpp
  ${CMAKE_CURRENT_LIST_DIR}/records/record_fork.cpp
  ${CMAKE_CURRENT_LIST_DIR}/records/record_parse.cpp
  ${CMAKE_CURRENT_LIST_DIR}/records/record_scan.cpp
  ${CMAKE_CURRENT_LIST_DIR}/records/record_writer.cpp
)
target_include_directories(zwerm_records PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(zwerm_records PUBLIC zwerm_crypto)
zwerm_warnings(zwerm_records)
