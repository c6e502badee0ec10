# The ingest pipeline (node/ingest.cmake): real signed records into a real store.
zwerm_test(ingest_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/ingest/ingest_test.cpp
  LIBS zwerm_ingest
  LABELS unit)

# The asynchronous ingest queue zwermd's sync uses (node/ingest/ingest_queue.hpp).
zwerm_test(ingest_queue_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/ingest/ingest_queue_test.cpp
  LIBS zwerm_ingest
  LABELS unit)
