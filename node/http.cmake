# zwerm_http: zwermd's read-only HTTP servers on Boost.Beast: the dashboard (page, JSON views,
# live events) and the Prometheus metrics endpoint. It reads views only through a view_source
# the daemon hands it (node/http/view_source.hpp): it links the RPC contract for method names,
# never the daemon, the store or the community state.
set(ZWERM_HTTP_ASSETS
  ${CMAKE_CURRENT_LIST_DIR}/http/assets/index.html
  ${CMAKE_CURRENT_LIST_DIR}/http/assets/dashboard.css
  ${CMAKE_CURRENT_LIST_DIR}/http/assets/dashboard.js
  ${CMAKE_CURRENT_LIST_DIR}/http/assets/icon.svg
)
set(ZWERM_HTTP_ASSETS_CPP ${CMAKE_CURRENT_BINARY_DIR}/http/assets.cpp)
add_custom_command(
  OUTPUT ${ZWERM_HTTP_ASSETS_CPP}
  COMMAND ${CMAKE_COMMAND} -DOUTPUT=${ZWERM_HTTP_ASSETS_CPP} "-DFILES=${ZWERM_HTTP_ASSETS}"
          -P ${PROJECT_SOURCE_DIR}/cmake/embed_assets.cmake
  DEPENDS ${ZWERM_HTTP_ASSETS} ${PROJECT_SOURCE_DIR}/cmake/embed_assets.cmake
  COMMENT "Embedding the dashboard's assets"
  VERBATIM)
# zwerm_ties_svg: the ties picture alone (nlohmann_json and the standard library), which the
# zwerm CLI links too for `zwerm ties --format svg`, so that both draw the same picture.
add_library(zwerm_ties_svg ${CMAKE_CURRENT_LIST_DIR}/http/ties_svg.cpp)
target_include_directories(zwerm_ties_svg PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(zwerm_ties_svg PUBLIC nlohmann_json::nlohmann_json)
zwerm_warnings(zwerm_ties_svg)

add_library(zwerm_http
  ${CMAKE_CURRENT_LIST_DIR}/http/dashboard.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http/event_hub.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http/metrics_page.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http/prometheus_text.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http/request_guard.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http/server.cpp
  ${ZWERM_HTTP_ASSETS_CPP}
)
target_include_directories(zwerm_http PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(zwerm_http
  PUBLIC zwerm_base zwerm_rpc_contract zwerm_ties_svg Boost::headers nlohmann_json::nlohmann_json
         Threads::Threads
  PRIVATE spdlog::spdlog)
zwerm_warnings(zwerm_http)
