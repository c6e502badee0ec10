// libFuzzer target: the sync message decoder (node/sync/messages.hpp) on arbitrary bytes.
// Whatever it accepts must re-encode to exactly the input (one encoding per message), and
// encoded_size must agree with the encoding.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "node/sync/messages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto m = zwerm::node::sync::decode(in);
  if (!m.ok()) {
    if (m.error().message().empty()) std::abort();  // every refusal carries a reason
    return 0;
  }
  auto again = zwerm::node::sync::encode(*m);
  if (again != in) std::abort();
  if (zwerm::node::sync::encoded_size(*m) != again.size()) std::abort();
  return 0;
}
