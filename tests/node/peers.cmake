# Peer manager (node/peers.cmake): address parsing, backoff, the persisted encoding and the
# manager's rules without sockets; a simulated
# 32-node swarm; and one test driving net/'s real dialer against listeners on 127.0.0.1.
zwerm_test(peers_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/peers/address_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/peers/backoff_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/peers/peer_info_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/peers/manager_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/peers/operator_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/peers/sources_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/peers/swarm_sim_test.cpp
  LIBS zwerm_peers
  LABELS unit)

zwerm_test(peers_net_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/peers/net_integration_test.cpp
  LIBS zwerm_peers zwerm_net
  LABELS net)
