# The dashboard's pure parts (node/http): request checks and the ties picture. The server
# itself is tested end to end against real daemons (tests/e2e/http_test.cpp).
zwerm_test(http_unit_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/http/request_guard_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/http/ties_svg_test.cpp
  LIBS zwerm_http
  LABELS http)
