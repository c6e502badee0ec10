# zwerm_sync: the sync and gossip protocol (node/sync/; docs/PROTOCOL.md §5).
add_library(zwerm_sync
  ${CMAKE_CURRENT_LIST_DIR}/sync/digest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sync/engine.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sync/memory_replica.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sync/messages.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sync/session.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sync/session_receive.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sync/session_send.cpp
)
target_include_directories(zwerm_sync PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(zwerm_sync PUBLIC zwerm_crypto zwerm_records)
zwerm_warnings(zwerm_sync)
