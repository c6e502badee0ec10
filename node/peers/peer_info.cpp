#include "node/peers/peer_info.hpp"

#include <bit>

#include "base/bytes.hpp"

namespace zwerm::node::peers {

namespace {

constexpr std::size_t fixed_size = 44;
constexpr std::uint8_t all_sources = (1u << source_count) - 1;

void put_time(time_point t, std::string& out) {
  crypto::put_be(out, static_cast<std::uint64_t>(t.time_since_epoch().count()), 8);
}

status corrupt(const std::string& why) {
  return {status_code::corruption, "stored peer information is damaged: " + why};
}

}  // namespace

const char* to_string(source s) {
  switch (s) {
    case source::config:
      return "config";
    case source::invite:
      return "invite";
    case source::profile:
      return "profile";
    case source::exchange:
      return "exchange";
  }
  return "unknown";
}

std::optional<source> peer_info::key_source() const {
  for (source s : key_priority) {
    if (has(s) && keys[static_cast<std::size_t>(s)]) return s;
  }
  return std::nullopt;
}

std::optional<crypto::public_key> peer_info::key() const {
  if (auto s = key_source()) return keys[static_cast<std::size_t>(*s)];
  return std::nullopt;
}

std::string encode_info(const peer_info& info) {
  std::uint8_t key_mask = 0;
  for (std::size_t i = 0; i < source_count; ++i) {
    if (info.has(static_cast<source>(i)) && info.keys[i]) key_mask |= 1u << i;
  }
  std::string out;
  out.reserve(fixed_size + 32 * std::popcount(key_mask));
  out.push_back(static_cast<char>(info_version));
  out.push_back(static_cast<char>(info.sources & all_sources));
  out.push_back(static_cast<char>(key_mask));
  out.push_back(static_cast<char>(info.self ? 1 : 0));
  crypto::put_be(out, info.failures, 4);
  crypto::put_be(out, info.misbehaviours, 4);
  put_time(info.learned, out);
  put_time(info.last_success, out);
  put_time(info.next_attempt, out);
  put_time(info.ban_until, out);
  for (std::size_t i = 0; i < source_count; ++i) {
    if (key_mask & (1u << i)) out += info.keys[i]->view();
  }
  return out;
}

result<peer_info> decode_info(std::string_view blob) {
  if (blob.size() < fixed_size)
    return corrupt("it is " + std::to_string(blob.size()) + " bytes, fewer than the " +
                   std::to_string(fixed_size) + " every entry has");
  const auto version = static_cast<std::uint8_t>(blob[0]);
  if (version != info_version)
    return corrupt("it has format version " + std::to_string(version) + ", this build reads " +
                   std::to_string(info_version));
  peer_info info;
  info.sources = static_cast<std::uint8_t>(blob[1]);
  const auto key_mask = static_cast<std::uint8_t>(blob[2]);
  const auto flags = static_cast<std::uint8_t>(blob[3]);
  if (info.sources == 0 || (info.sources & ~all_sources) != 0)
    return corrupt("its source bits are invalid");
  if ((key_mask & ~info.sources) != 0) return corrupt("it names a key for a source it lacks");
  if ((flags & ~1u) != 0) return corrupt("it has undefined flag bits");
  const std::size_t want = fixed_size + 32 * static_cast<std::size_t>(std::popcount(key_mask));
  if (blob.size() != want)
    return corrupt("it is " + std::to_string(blob.size()) + " bytes, its header announces " +
                   std::to_string(want));
  info.self = (flags & 1u) != 0;
  info.failures = static_cast<std::uint32_t>(crypto::get_be(blob, 4, 4));
  info.misbehaviours = static_cast<std::uint32_t>(crypto::get_be(blob, 8, 4));
  time_point* times[] = {&info.learned, &info.last_success, &info.next_attempt, &info.ban_until};
  for (std::size_t i = 0; i < 4; ++i) {
    const std::uint64_t raw = crypto::get_be(blob, 12 + 8 * i, 8);
    if (raw > static_cast<std::uint64_t>(INT64_MAX)) return corrupt("it holds a negative time");
    *times[i] = time_point(milliseconds(static_cast<std::int64_t>(raw)));
  }
  std::size_t at = fixed_size;
  for (std::size_t i = 0; i < source_count; ++i) {
    if (!(key_mask & (1u << i))) continue;
    crypto::public_key k;
    (void)crypto::public_key::from(blob.substr(at, 32), &k);  // length checked above
    info.keys[i] = k;
    at += 32;
  }
  return info;
}

}  // namespace zwerm::node::peers
