# Community state on disk (node/daemon/state_store.*): restart, damage, late records, and the
# crash test, whose helper process state_crash_child is started and killed by the test.
add_executable(state_crash_child ${CMAKE_CURRENT_LIST_DIR}/snapshots/state_crash_child.cpp)
target_link_libraries(state_crash_child PRIVATE zwerm_node)
target_include_directories(state_crash_child PRIVATE ${PROJECT_SOURCE_DIR})
zwerm_warnings(state_crash_child)

zwerm_test(snapshots_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/snapshots/state_store_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/snapshots/state_crash_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/snapshots/fork_restart_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/snapshots/state_write_test.cpp
  LIBS zwerm_node Snappy::snappy
  LABELS snapshots)
target_include_directories(snapshots_test PRIVATE ${PROJECT_SOURCE_DIR})
target_compile_definitions(snapshots_test PRIVATE
  STATE_CRASH_CHILD="$<TARGET_FILE:state_crash_child>")
add_dependencies(snapshots_test state_crash_child)
