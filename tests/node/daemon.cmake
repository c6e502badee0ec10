# zwermd's parts: config, lock, local socket, JSON-RPC framing and server.
zwerm_test(daemon_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/daemon/community_host_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/config_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/home_lock_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/invite_code_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/local_socket_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/peer_budget_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/rpc_protocol_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon/rpc_server_test.cpp
  LIBS zwerm_node
  LABELS daemon)
