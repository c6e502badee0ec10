# Sync fuzz targets (clang, -DZWERM_FUZZ=ON; run by scripts/fuzz fuzz_sync_messages ...).
#   fuzz_sync_messages  the sync message decoder on arbitrary bytes (canonical re-encoding)
#   fuzz_sync_engine    the engine's handlers fed a hello and then arbitrary messages
foreach(target fuzz_sync_messages fuzz_sync_engine)
  add_executable(${target} ${CMAKE_CURRENT_LIST_DIR}/${target}.cpp)
  target_link_libraries(${target} PRIVATE zwerm_sync)
  target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  zwerm_warnings(${target})
endforeach()
