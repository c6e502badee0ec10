# Community state machine, rules, replay, snapshots and views (node/community.cmake).
add_library(zwerm_community_test_support STATIC
  community/history.cpp
  community/random_history.cpp
)
target_include_directories(zwerm_community_test_support PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(zwerm_community_test_support PUBLIC zwerm_community)
zwerm_warnings(zwerm_community_test_support)

zwerm_test(community_test
  SOURCES
    community/body_schema_test.cpp
    community/body_json_test.cpp
    community/order_independence_test.cpp
    community/replayer_test.cpp
    community/rules_test.cpp
    community/snapshot_test.cpp
    community/views_test.cpp
  LIBS zwerm_community_test_support
)
