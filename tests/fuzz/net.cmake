# net fuzz target (clang, -DZWERM_FUZZ=ON; run with scripts/fuzz fuzz_net_messages).
#   fuzz_net_messages  the message layer's reassembly (and the admission message) fed arbitrary
#                      decrypted bytes in arbitrary pieces under an arbitrary size bound
# It compiles the codec alone rather than linking zwerm_net: the codec needs no Asio, and
# clang 14 with coverage instrumentation and -g fails on Asio coroutine code ("Cannot represent
# a difference across sections").
add_executable(fuzz_net_messages ${CMAKE_CURRENT_LIST_DIR}/fuzz_net_messages.cpp
                                 ${PROJECT_SOURCE_DIR}/net/message_codec.cpp)
target_include_directories(fuzz_net_messages PRIVATE ${PROJECT_SOURCE_DIR})
target_link_options(fuzz_net_messages PRIVATE -fsanitize=fuzzer)
zwerm_warnings(fuzz_net_messages)
