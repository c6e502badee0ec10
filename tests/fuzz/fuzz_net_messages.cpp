// Feeds arbitrary bytes to net::message_assembler, in pieces, under a size bound taken from
// the input (and once more with the admission bound for the first message, switched to that
// bound from inside the sink as a server session does), and checks what it promises: no
// message over the bound in force, no empty message handed out, every consumed byte accounted
// for (messages, keepalives, the held-back partial message), and the same messages whatever
// the piece size.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "net/message_codec.hpp"

namespace {

struct outcome {
  bool ok = true;
  std::vector<std::string> messages;
  std::size_t keepalives = 0;
  std::size_t consumed = 0;
  std::size_t buffered = 0;
};

// `first_bound` applies until the first message has been delivered, then `bound` (set from
// inside the sink, as a server session does after the admission message).
outcome run(std::string_view in, std::size_t bound, std::size_t piece, std::size_t first_bound) {
  zwerm::net::message_assembler a(first_bound);
  outcome o;
  for (std::size_t at = 0; at < in.size(); at += piece) {
    const std::string_view part = in.substr(at, piece);
    const zwerm::status st = a.feed(
        part,
        [&](std::string_view m) {
          if (m.empty() || m.size() > (o.messages.empty() ? first_bound : bound)) std::abort();
          o.messages.emplace_back(m);
          a.set_max_message_size(bound);
          return true;
        },
        &o.keepalives);
    if (!st.ok()) {
      o.ok = false;
      return o;
    }
    o.consumed += part.size();
  }
  o.buffered = a.buffered();
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::size_t bound = (std::size_t{data[0]} << 8) | data[1];
  const std::size_t piece = 1 + data[2];
  const std::string_view in(reinterpret_cast<const char*>(data + 3), size - 3);

  // One bound throughout, and the admission bound for the first message (the server side).
  for (const std::size_t first_bound : {bound, zwerm::net::max_admission_size}) {
    const outcome small = run(in, bound, piece, first_bound);
    const outcome whole = run(in, bound, in.size() + 1, first_bound);
    if (small.ok != whole.ok) std::abort();
    if (small.ok) {
      if (small.messages != whole.messages || small.keepalives != whole.keepalives) std::abort();
      std::size_t accounted = small.buffered + 4 * small.keepalives;
      for (const auto& m : small.messages) accounted += 4 + m.size();
      if (accounted != small.consumed) std::abort();
    }
  }

  std::string_view token;
  if (zwerm::net::decode_admission(in, &token)) {
    if (token.size() > zwerm::net::max_token_size) std::abort();
    if (zwerm::net::encode_admission(token) != in) std::abort();
  }
  return 0;
}
