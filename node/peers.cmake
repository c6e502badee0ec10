# zwerm_peers: the per-community peer manager (node/peers/; docs/PROTOCOL.md §5
# "Peers"). No I/O: the daemon drives it with net/'s dial and session events.
add_library(zwerm_peers
  ${CMAKE_CURRENT_LIST_DIR}/peers/address.cpp
  ${CMAKE_CURRENT_LIST_DIR}/peers/backoff.cpp
  ${CMAKE_CURRENT_LIST_DIR}/peers/clock.cpp
  ${CMAKE_CURRENT_LIST_DIR}/peers/manager.cpp
  ${CMAKE_CURRENT_LIST_DIR}/peers/manager_dial.cpp
  ${CMAKE_CURRENT_LIST_DIR}/peers/peer_info.cpp
)
target_include_directories(zwerm_peers PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(zwerm_peers PUBLIC zwerm_crypto)
zwerm_warnings(zwerm_peers)
