# The dashboard's parts (node/http): request checks, the ties picture, and the event stream
# over real TCP on loopback. The server with the daemon's routes is tested end to end against
# real daemons (tests/e2e/http_test.cpp).
zwerm_test(http_unit_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/http/event_stream_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/http/request_guard_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/http/ties_svg_test.cpp
  LIBS zwerm_http
  LABELS http)
