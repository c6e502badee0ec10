# bench_hostile: hostile peers against real zwermd processes on 127.0.0.1 (docs/PERFORMANCE.md,
# "Hostile peers"): a spec-side client (tests/bench/hostile/wire_client.*) runs each attack on
# a community of two daemons made with the CLI; every attack must end in refusal or a ban,
# honest sync must go on and the victim's memory stay bounded. The daemons are child_process
# guards (tests/support/process.*), stopped and reaped by pid.
#
# ctest runs the short mode (bench_hostile_quick, about a minute, alone: the figures are
# timings); it fails when an attack is not stopped or honest sync stops.
if(TARGET zwerm_test_support)
  add_executable(bench_hostile
    ${CMAKE_CURRENT_LIST_DIR}/hostile_bench.cpp
    ${CMAKE_CURRENT_LIST_DIR}/hostile/wire_client.cpp
    ${CMAKE_CURRENT_LIST_DIR}/hostile/slot_flood.cpp
    ${CMAKE_CURRENT_LIST_DIR}/hostile/victim.cpp
    ${CMAKE_CURRENT_LIST_DIR}/hostile/attack_util.cpp
    ${CMAKE_CURRENT_LIST_DIR}/hostile/attack_membership.cpp
    ${CMAKE_CURRENT_LIST_DIR}/hostile/attack_feeds.cpp
    ${CMAKE_CURRENT_LIST_DIR}/hostile/attack_slots.cpp
    ${CMAKE_CURRENT_LIST_DIR}/hostile/attack_rpc.cpp
    ${CMAKE_CURRENT_LIST_DIR}/hostile/attack_amplification.cpp
    ${PROJECT_SOURCE_DIR}/tests/e2e/node_harness.cpp)
  target_link_libraries(bench_hostile PRIVATE zwerm_node zwerm_test_support Threads::Threads)
  target_include_directories(bench_hostile PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(bench_hostile PRIVATE ZWERM_BINARY_DIR="${PROJECT_BINARY_DIR}")
  add_dependencies(bench_hostile zwerm zwermd)
  zwerm_warnings(bench_hostile)
  add_test(NAME bench_hostile_quick COMMAND bench_hostile --quick)
  set_tests_properties(bench_hostile_quick PROPERTIES
    LABELS "e2e;hostile" TIMEOUT 180 RUN_SERIAL TRUE)
endif()
