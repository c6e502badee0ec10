// Checker for kind "message-layer" (tests/vectors/message-layer.json; format in
// tests/vectors/README.md): zwerm's message layer (net/message_codec.hpp) against each vector.
//
// - "stream": the plaintext of one direction is fed to a message_assembler bounded by
//   max_message, whole and split into pieces of several sizes (a receiver must accept any
//   split); the messages delivered and the keepalives must be the vector's, in order, and the
//   bytes left over must be `buffered`. Encoding the messages with append_message gives the
//   stream (when nothing is left over).
// - "admission": decode_admission(payload) gives the token, encode_admission(token) the
//   payload, append_message(payload) the framed message; refusals as named.
// - "session_start": the server's view of the client's first messages, as net/session.cpp reads
//   them: under the admission bound until the admission message, then under 1 MiB.
#include <string>
#include <vector>

#include "net/message_codec.hpp"
#include "tests/conformance/conformance.hpp"

namespace zwerm::conformance {
namespace {

using nlohmann::json;
constexpr std::size_t max_message = 1024 * 1024;  // PROTOCOL.md §4.3.1

std::string bytes_of(const json& j) {
  return from_hex(j.get<std::string>());
}

std::string shorten(std::string s) {
  if (s.size() > 160) s = s.substr(0, 160) + "…";
  return s;
}

// An event of the message layer: a delivered payload, or a keepalive ("" never is a payload).
struct events {
  std::vector<std::string> seen;  // in order; "" = keepalive
  std::size_t buffered = 0;
  bool refused = false;
  std::string why;
};

// Feeds `stream` in pieces of `piece` bytes (0: whole). The assembler counts keepalives as it
// reads them; the sink turns the count so far into events before each payload, so `seen` has
// payloads and keepalives in stream order.
events feed_stream(const std::string& stream, std::size_t max, std::size_t piece) {
  events ev;
  net::message_assembler a(max);
  std::size_t pos = 0;
  do {
    const std::size_t n = piece == 0 ? stream.size() : std::min(piece, stream.size() - pos);
    std::size_t keepalives = 0;
    const status st = a.feed(
        std::string_view(stream).substr(pos, n),
        [&](std::string_view m) {
          for (; keepalives > 0; --keepalives) ev.seen.emplace_back();
          ev.seen.emplace_back(m);
          return true;
        },
        &keepalives);
    // Keepalives after the last payload of this feed.
    for (; keepalives > 0; --keepalives) ev.seen.emplace_back();
    pos += n;
    if (!st.ok()) {
      ev.refused = true;
      ev.why = st.message();
      return ev;
    }
  } while (pos < stream.size());
  ev.buffered = a.buffered();
  return ev;
}

std::string show(const std::vector<std::string>& seen) {
  std::string out = "[";
  for (const auto& m : seen) {
    out += (out.size() > 1 ? ", " : "") + (m.empty() ? std::string("keepalive") : to_hex(m));
  }
  return shorten(out + "]");
}

std::string check_stream(const json& v) {
  const std::string stream = bytes_of(v.at("stream"));
  const std::size_t max = v.at("max_message").get<std::size_t>();
  std::vector<std::string> expected;
  for (const auto& m : v.at("messages")) expected.push_back(bytes_of(m));
  const std::size_t buffered = v.value("buffered", std::size_t{0});
  const bool refusal = v.contains("error");
  if (refusal && v.at("error").get<std::string>() != "length_over_limit") {
    return "bad vector: unknown error name " + v.at("error").dump();
  }
  for (std::size_t piece : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3},
                            std::size_t{5}, std::size_t{4096}}) {
    const std::string at = piece == 0 ? "whole: " : "in pieces of " + std::to_string(piece) + ": ";
    const events ev = feed_stream(stream, max, piece);
    if (ev.seen != expected) return at + "got " + show(ev.seen);
    if (refusal != ev.refused) {
      return at + (ev.refused ? "refused: " + ev.why : std::string("not refused"));
    }
    if (refusal &&
        ev.why.find("over the limit of " + std::to_string(max) + " bytes") == std::string::npos) {
      return at + "refused for another reason: " + ev.why;
    }
    if (!refusal && ev.buffered != buffered) {
      return at + std::to_string(ev.buffered) + " bytes left over, expected " +
             std::to_string(buffered);
    }
  }
  // Encode: the messages, framed, are the stream (or its beginning, when bytes follow them).
  std::string encoded;
  for (const auto& m : expected) net::append_message(encoded, m);
  if (!refusal && buffered == 0) {
    if (encoded != stream) return "encoding the messages gives " + shorten(to_hex(encoded));
  } else if (stream.compare(0, encoded.size(), encoded) != 0) {
    return "encoding the messages gives " + shorten(to_hex(encoded)) +
           ", not the start of the stream";
  }
  return {};
}

std::string check_admission(const json& v) {
  const std::string payload = bytes_of(v.at("payload"));
  const std::string message = bytes_of(v.at("message"));
  std::string framed;
  net::append_message(framed, payload);
  if (framed != message) return "append_message(payload) gives " + shorten(to_hex(framed));
  std::string_view token;
  const bool ok = net::decode_admission(payload, &token);
  // The server reads the first message under the admission bound (257).
  net::message_assembler a(net::max_admission_size);
  std::vector<std::string> got;
  const status header = a.feed(std::string_view(message).substr(0, net::message_header_size),
                               [&](std::string_view m) {
                                 got.emplace_back(m);
                                 return true;
                               });
  status rest;
  if (header.ok()) {
    rest =
        a.feed(std::string_view(message).substr(net::message_header_size), [&](std::string_view m) {
          got.emplace_back(m);
          return true;
        });
  }
  if (!v.contains("error")) {
    if (!ok) return "decode_admission refuses it";
    if (std::string(token) != bytes_of(v.at("token"))) {
      return "decoded token " + shorten(to_hex(token));
    }
    if (net::encode_admission(bytes_of(v.at("token"))) != payload) {
      return "encode_admission(token) gives another payload";
    }
    if (!header.ok() || !rest.ok()) return "refused under the admission bound";
    if (got != std::vector<std::string>{payload}) return "not delivered as one message";
    return {};
  }
  const std::string error = v.at("error").get<std::string>();
  if (ok) return "decode_admission accepts it; expected " + error;
  if (error == "admission_too_long") {
    if (header.ok()) return "its 4 header bytes pass the admission bound";
    return {};
  }
  if (error == "not_admission") {
    if (!header.ok() || !rest.ok() || got.size() != 1) {
      return "the framing refused it, expected the admission decoder to";
    }
    return {};
  }
  return "bad vector: unknown error name \"" + error + "\"";
}

std::string check_session_start(const json& v, std::size_t piece) {
  const std::string stream = bytes_of(v.at("stream"));
  net::message_assembler a(net::max_admission_size);
  std::size_t keepalives = 0;
  std::size_t keepalives_before = 0;
  bool admitted = false, not_admission = false;
  std::string token;
  std::vector<std::string> after;
  status st;
  for (std::size_t pos = 0; pos < stream.size() && st.ok() && !not_admission;) {
    const std::size_t n = piece == 0 ? stream.size() : std::min(piece, stream.size() - pos);
    st = a.feed(
        std::string_view(stream).substr(pos, n),
        [&](std::string_view m) {
          if (admitted) {
            after.emplace_back(m);
            return true;
          }
          std::string_view t;
          if (!net::decode_admission(m, &t)) {
            not_admission = true;
            return false;
          }
          admitted = true;
          token = std::string(t);
          keepalives_before = keepalives;  // counted so far, by this feed and the ones before
          a.set_max_message_size(max_message);
          return true;
        },
        &keepalives);
    pos += n;
  }
  if (!admitted) keepalives_before = keepalives;
  std::string error;
  if (!st.ok()) error = "admission_too_long";
  if (not_admission) error = "not_admission";
  const std::string at = piece == 0 ? "whole: " : "in pieces of " + std::to_string(piece) + ": ";
  if (error != v.value("error", std::string())) {
    return at + (error.empty() ? std::string("not refused") : "refused: " + error);
  }
  if (admitted != v.at("admitted").get<bool>()) {
    return at + (admitted ? "admitted" : "not admitted");
  }
  if (admitted && token != bytes_of(v.at("token"))) return at + "token " + to_hex(token);
  if (keepalives_before != v.at("keepalives_before").get<std::size_t>()) {
    return at + std::to_string(keepalives_before) + " keepalives before the admission message";
  }
  std::vector<std::string> expected_after;
  for (const auto& m : v.at("after")) expected_after.push_back(bytes_of(m));
  if (after != expected_after) return at + "messages after admission: " + show(after);
  return {};
}

std::vector<outcome> check(const json& file) {
  std::vector<outcome> out;
  run_section(out, file, "vectors", false, [](const json& v) -> std::string {
    const std::string what = v.at("what").get<std::string>();
    if (what == "stream") return check_stream(v);
    if (what == "admission") return check_admission(v);
    if (what == "session_start") {
      std::string why = check_session_start(v, 0);
      return why.empty() ? check_session_start(v, 1) : why;
    }
    return "bad vector: unknown \"what\": " + what;
  });
  return out;
}

}  // namespace

ZWERM_CONFORMANCE_CHECKER("message-layer", check);

}  // namespace zwerm::conformance
