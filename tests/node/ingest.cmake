# The ingest pipeline (node/ingest.cmake): real signed records into a real store.
zwerm_test(ingest_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/ingest_test.cpp
  LIBS zwerm_ingest
  LABELS unit)
