# zwerm_community: the community state machine, its rules, replay with checkpoints, and the
# views (docs/PROTOCOL.md §3). Pure, deterministic code; the daemon drives it.
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
  community/views/balance_view.cpp
  community/views/circles_view.cpp
  community/views/community_view.cpp
  community/views/feed_view.cpp
  community/views/members_view.cpp
  community/views/proposals_view.cpp
  community/views/pulse_view.cpp
  community/views/requests_view.cpp
  community/views/ties_graph_view.cpp
  community/views/ties_view.cpp
  community/views/json_writer.cpp
  community/views/view_util.cpp
  community/views/who_knows_view.cpp
)
target_include_directories(zwerm_community PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(zwerm_community PUBLIC zwerm_crypto zwerm_records nlohmann_json::nlohmann_json)
zwerm_warnings(zwerm_community)
