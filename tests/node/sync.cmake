# Sync protocol: message codec, state machine, in-process multi-node simulations
# (node/sync.cmake). Soak variants run longer when ZWERM_SOAK=1.
if(NOT TARGET zwerm_sync_sim)
  add_library(zwerm_sync_sim STATIC ${CMAKE_CURRENT_LIST_DIR}/sync/sim.cpp)
  target_include_directories(zwerm_sync_sim PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(zwerm_sync_sim PUBLIC zwerm_sync)
  zwerm_warnings(zwerm_sync_sim)
endif()
zwerm_test(sync_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/sync/messages_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sync/memory_replica_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sync/engine_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sync/hostile_peer_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sync/versions_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sync/message_rules_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sync/swarm_test.cpp
  LIBS zwerm_sync zwerm_sync_sim
  LABELS unit)

# The deterministic simulation under faults (chaos_sim_test.cpp): about 8 s; with ZWERM_SOAK=1,
# 1,000 seeds take longer than the suite's default timeout, hence its own.
zwerm_test(sync_chaos_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/sync/chaos_sim_test.cpp
  LIBS zwerm_sync zwerm_sync_sim
  LABELS unit
  TIMEOUT 5400)

# The same under faults with the real transport: engines over net sessions on in-memory streams
# in virtual time (session_chaos_test.cpp); with ZWERM_SOAK=1, 1,000 seeds, hence the timeout.
zwerm_test(sync_session_chaos_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/sync/session_chaos_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/sync/session_sim.cpp
  LIBS zwerm_sync zwerm_sync_sim zwerm_net
  LABELS unit
  TIMEOUT 7200)
