# zwerm_node: the daemon's parts (config, lock, local socket, JSON-RPC server and methods);
# zwermd: the daemon binary. It links the areas that back its RPC methods: the store, ingest,
# records and the community state, and the network: net/, sync and the peer managers
# (network_host.*, network_rpc.*).
add_library(zwerm_node
  ${CMAKE_CURRENT_LIST_DIR}/daemon/admission.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/home_json.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/absorb_pacer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/community_host.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/community_host_absorb.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/daemon.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/home_lock.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/invite_code.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/local_socket.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/metrics_source.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/method_table.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/network_host.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/network_host_admission.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/network_host_communities.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/network_host_dial.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/network_host_operator.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/network_host_views.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/network_rpc.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/operator_peers.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/peer_budget.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/rpc_community.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/rpc_methods.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/rpc_protocol.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/rpc_records.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/rpc_server.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/rpc_views.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/state_store.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/store_peer_book.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/store_replica.cpp
  ${CMAKE_CURRENT_LIST_DIR}/daemon/web_host.cpp
)
target_include_directories(zwerm_node PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(zwerm_node
  PUBLIC zwerm_crypto zwerm_records zwerm_store zwerm_ingest zwerm_community zwerm_net
         zwerm_sync zwerm_peers zwerm_rpc_contract zwerm_http Boost::headers
         nlohmann_json::nlohmann_json Threads::Threads
  PRIVATE spdlog::spdlog Snappy::snappy)
target_compile_definitions(zwerm_node PRIVATE ZWERM_VERSION="${PROJECT_VERSION}")
zwerm_warnings(zwerm_node)

add_executable(zwermd ${CMAKE_CURRENT_LIST_DIR}/daemon/main.cpp)
target_link_libraries(zwermd PRIVATE zwerm_node zwerm_clidoc CLI11::CLI11)
# Both programs land in <build>/bin, where scripts and the end-to-end tests find them.
set_target_properties(zwermd PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
zwerm_warnings(zwermd)
