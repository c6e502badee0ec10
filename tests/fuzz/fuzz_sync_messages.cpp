// libFuzzer target: the sync message decoder (node/sync/messages.hpp) on arbitrary bytes, as
// each protocol version reads them. Whatever it accepts must re-encode to exactly the input
// (one encoding per message; a hello to the input without its ignored extension), and
// encoded_size must agree with the encoding.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "node/sync/messages.hpp"

namespace sync = zwerm::node::sync;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (std::uint8_t v = sync::min_protocol_version; v <= sync::max_protocol_version; ++v) {
    auto m = sync::decode(in, v);
    if (!m.ok()) {
      if (m.error().message().empty()) std::abort();  // every refusal carries a reason
      continue;
    }
    auto again = sync::encode(*m, v);
    const bool hello = std::holds_alternative<sync::hello>(*m);
    if (hello ? in.substr(0, again.size()) != again : again != in) std::abort();
    if (sync::encoded_size(*m, v) != again.size()) std::abort();
  }
  return 0;
}
