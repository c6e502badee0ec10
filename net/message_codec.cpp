#include "net/message_codec.hpp"

namespace zwerm::net {

void append_message(std::string& plain, std::string_view payload) {
  const auto len = static_cast<std::uint32_t>(payload.size());
  const char header[message_header_size] = {static_cast<char>(len >> 24),
                                            static_cast<char>(len >> 16),
                                            static_cast<char>(len >> 8), static_cast<char>(len)};
  plain.append(header, message_header_size);
  plain.append(payload);
}

message_assembler::message_assembler(std::size_t max_message_size) : max_(max_message_size) {}

std::uint32_t message_assembler::read_be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t{u[0]} << 24) | (std::uint32_t{u[1]} << 16) | (std::uint32_t{u[2]} << 8) |
         std::uint32_t{u[3]};
}

status message_assembler::check_length(std::uint32_t len) const {
  if (len <= max_) return {};
  return status(status_code::rejected, "the peer announced a message of " + std::to_string(len) +
                                           " bytes, over the limit of " + std::to_string(max_) +
                                           " bytes");
}

}  // namespace zwerm::net

namespace zwerm::net {

std::string encode_admission(std::string_view token) {
  std::string m(1, admission_version);
  m.append(token);
  return m;
}

std::string encode_refusal(refusal_reason reason, std::string_view detail) {
  std::string m(1, refusal_marker);
  m.push_back(static_cast<char>(reason));
  m.append(detail.substr(0, max_refusal_detail));
  return m;
}

bool decode_refusal(std::string_view message, std::uint8_t* reason, std::string_view* detail) {
  if (message.size() < 2 || message[0] != refusal_marker) return false;
  if (message.size() - 2 > max_refusal_detail) return false;
  *reason = static_cast<std::uint8_t>(message[1]);
  *detail = message.substr(2);
  return true;
}

bool decode_admission(std::string_view message, std::string_view* token) {
  if (message.empty() || message[0] != admission_version) return false;
  if (message.size() - 1 > max_token_size) return false;
  *token = message.substr(1);
  return true;
}

}  // namespace zwerm::net
