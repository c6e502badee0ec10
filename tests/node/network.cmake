# zwermd's network side (node/daemon/network_host.*): admission from the community state, join
# over the network and live push, in one process on 127.0.0.1 with real stores.
zwerm_test(network_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/network/network_host_test.cpp
  LIBS zwerm_node
  LABELS net)

# Forks reaching two daemons: marked on both, views identical, kept across a restart.
zwerm_test(fork_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/network/fork_test.cpp
  LIBS zwerm_node
  LABELS net)

# Only members read and write: admission re-checked, tokens bound to one key, non-member feeds
# refused, dials to members only.
zwerm_test(membership_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/network/membership_test.cpp
  LIBS zwerm_node
  LABELS net)
