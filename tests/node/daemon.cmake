# zwermd's parts: config, lock, local socket, JSON-RPC framing and server.
zwerm_test(daemon_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/daemon/community_host_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/config_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/home_lock_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/invite_code_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/local_socket_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/operator_peers_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/paced_absorb_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/peer_budget_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/rpc_protocol_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/rpc_server_test.cpp
  LIBS zwerm_node
  LABELS daemon)

# The daemon's adapters over the real store (LevelDB in temp dirs): sync's replica and the
# peer manager's book.
zwerm_test(daemon_store_adapters_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/daemon/store_replica_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/store_replica_async_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/chain_auth_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/store_peer_book_test.cpp
  LIBS zwerm_node zwerm_sync_sim
  LABELS unit)
