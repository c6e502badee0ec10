# zwerm_community: the community state machine, its rules, replay with checkpoints, and the
# views (docs/PROTOCOL.md §3). Pure, deterministic code; the daemon drives it.
# The views are every .cpp of community/views/, so that a new view needs no line here.
file(GLOB zwerm_community_views CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/community/views/*.cpp)
add_library(zwerm_community
  community/body_json.cpp
  community/body_schema.cpp
  community/journal.cpp
  community/position.cpp
  community/replayer.cpp
  community/rules_content.cpp
  community/rules_governance.cpp
  community/rules_membership.cpp
  community/snapshot.cpp
  community/snapshot_io.cpp
  community/state.cpp
  ${zwerm_community_views}
)
target_include_directories(zwerm_community PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(zwerm_community PUBLIC zwerm_crypto zwerm_records nlohmann_json::nlohmann_json)
zwerm_warnings(zwerm_community)
