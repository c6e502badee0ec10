# zwerm_ingest (node/ingest/): parse + verify received records on a small thread pool, then
# commit them through the store's single writer (node/ingest/ingest.hpp); the asynchronous queue
# zwermd's sync uses (node/ingest/ingest_queue.hpp).
add_library(zwerm_ingest ${CMAKE_CURRENT_LIST_DIR}/ingest/deferred_signatures.cpp
                         ${CMAKE_CURRENT_LIST_DIR}/ingest/ingest.cpp
                         ${CMAKE_CURRENT_LIST_DIR}/ingest/ingest_queue.cpp
                         ${CMAKE_CURRENT_LIST_DIR}/ingest/stored_record.cpp)
target_include_directories(zwerm_ingest PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(zwerm_ingest PUBLIC zwerm_records zwerm_store PRIVATE Threads::Threads spdlog::spdlog)
zwerm_warnings(zwerm_ingest)
